"""Writing outputs: every file goes to a temporary file beside it and is then renamed, so none is ever half-written;
a write that fails (a full disk, a folder without permission) is one clear message and leaves nothing behind."""

from __future__ import annotations

import errno
import os
import re
import tempfile
import time
from pathlib import Path

from pipeline.errors import Message, MouError

TEMP_PATTERN = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # what mkstemp(prefix=".NAME.", suffix=".tmp") makes
STALE_SECONDS = 600.0  # a temporary file this old belongs to a run that was killed mid-write


class WriteError(MouError):
    """An output could not be written; what, where and what to do, in Thai and English."""


def _umask() -> int:
    mask = os.umask(0o022)  # read it the only way there is, and put it back at once
    os.umask(mask)
    return mask


def file_mode(path: Path) -> int:
    """The permissions a file gets: those it has when it exists (a user's chmod survives a rebuild), else what the
    umask gives a new file (mkstemp's 0600 would hide agreements from the other users of a shared folder)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def write_error(exc: OSError, path: Path) -> WriteError:
    """The message for a failed write: the disk full, no permission, a read-only disk, a file where a folder should be."""
    where = exc.filename or path
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        th, en = "ดิสก์เต็ม", "the disk is full"
        todo = (
            "ลบไฟล์ที่ไม่ใช้ให้มีที่ว่าง แล้วสั่งใหม่ (ไฟล์เดิมยังอยู่ครบ)",
            "free some space and run it again (the previous files are kept)",
        )
    elif exc.errno in (errno.EACCES, errno.EPERM):
        th, en = "ไม่มีสิทธิ์เขียน", "no permission to write"
        todo = (
            "เลือกโฟลเดอร์อื่นด้วย --out หรือขอสิทธิ์เขียนโฟลเดอร์นี้",
            "choose another folder with --out, or get write permission for this one",
        )
    elif exc.errno == errno.EROFS:
        th, en = "ดิสก์นี้อ่านได้อย่างเดียว", "the disk is read-only"
        todo = ("เลือกโฟลเดอร์อื่นด้วย --out", "choose another folder with --out")
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        th, en = "มีไฟล์ชื่อเดียวกับโฟลเดอร์ที่ต้องใช้", "a file stands where a folder is needed (or a folder where a file is)"
        todo = ("เลือกโฟลเดอร์อื่นด้วย --out", "choose another folder with --out")
    else:
        th, en = "เขียนไฟล์ไม่ได้", f"the write failed ({exc.strerror or exc})"
        todo = ("ตรวจสอบดิสก์และโฟลเดอร์ แล้วสั่งใหม่", "check the disk and the folder, then run it again")
    return WriteError(Message(f"{th}: เขียน {where} ไม่ได้ {todo[0]}", f"{en}: could not write {where}; {todo[1]}"))


def write_atomically(files: dict[Path, bytes]) -> None:
    """Each file is written to a temporary file beside it and then renamed: no half-written outputs. Either every
    file is replaced or none is (a failure before the renames leaves the previous files as they were)."""
    temps = []
    path = next(iter(files), Path("."))
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temps.append((tmp, path))  # registered before the write, so a failed write leaves nothing behind
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, file_mode(path))
        for tmp, path in temps:
            os.replace(tmp, path)
    except OSError as exc:
        raise write_error(exc, path) from None
    finally:
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def remove_stale_temps(folder: Path, names: tuple[str, ...] | None = None, older_than: float = STALE_SECONDS) -> int:
    """Delete the temporary files a killed run left in folder (and below, when names is None): those of the given
    output names, or all of them; only those older than `older_than` seconds unless it is 0 (the caller holds the
    folder's lock, so no other run is writing there). Returns how many went."""
    removed, now = 0, time.time()
    if not folder.is_dir():
        return 0
    candidates = (
        folder.rglob(".*.tmp") if names is None else (p for n in names for p in folder.glob(f".{glob_escape(n)}.*.tmp"))
    )
    for path in candidates:
        try:
            if TEMP_PATTERN.match(path.name) and path.is_file() and now - path.stat().st_mtime >= older_than:
                path.unlink()
                removed += 1
        except OSError:
            pass
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)
