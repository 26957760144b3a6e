"""`mou backup` and `mou restore`: a workspace in one archive — its specs, answers, signed copies and outputs, and
its office record — and back into an empty workspace.

A backup only reads. It takes the database's write lock (what a save needs to journal its history row) for as long
as it copies the database with SQLite's backup API and reads the spec and answers files, so the record and the specs
in the archive are of one moment; a save caught between its pending row and its file is captured as pending, and the
restore repairs its own copy the way a start does. The running office's record is never migrated, repaired or
written by a backup. The archive is 0600 whatever the umask: it holds password hashes, sessions and the secret key.
A restore streams each member to disk (never a whole member in memory), refuses a member larger than the settings'
limit or than the free space, keeps each file's mode, and leaves nothing behind when it refuses."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path

from pipeline.errors import Message, MouError
from pipeline.store.db import FILE, Database

SKIP = {FILE, f"{FILE}-wal", f"{FILE}-shm"}
PRIVATE = {f".mou/{FILE}", ".mou/secret.key"}  # restored 0600 whatever the archive says
CHUNK = 1 << 20


def _is_record(rel: Path) -> bool:
    """The files that must agree with the database: the specs and answers at the workspace's top."""
    return len(rel.parts) == 1 and rel.suffix == ".yaml"


def backup(workspace: Path, out: Path) -> int:
    workspace = Path(workspace)
    if not workspace.is_dir():
        raise MouError(Message(f"ไม่พบพื้นที่ทำงาน {workspace}", f"no workspace at {workspace}"))
    db_path = workspace / ".mou" / FILE
    if not db_path.is_file():
        Database(workspace).query("SELECT 1")  # a workspace from before the record: its JSON imported first
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)  # 0600 from the start
    os.fchmod(fd, 0o600)
    count = 0
    try:
        with tempfile.TemporaryDirectory(prefix="mou-backup-") as tmp, os.fdopen(fd, "wb") as fh:
            copy = Path(tmp) / FILE
            files = sorted(p for p in workspace.rglob("*") if p.is_file() and not p.is_symlink())
            # the name says what it is: "b.tar" a plain tar, "b.tar.gz" / "b.tgz" (or anything else) gzip-compressed
            with tarfile.open(fileobj=fh, mode="w" if out.name.endswith(".tar") else "w:gz") as tar:
                with _write_lock(db_path):  # one moment for the record and the specs
                    with contextlib.closing(sqlite3.connect(db_path, timeout=30)) as source:
                        with contextlib.closing(sqlite3.connect(copy)) as target:
                            source.backup(target)  # a reader: WAL lets it read beside the held write lock
                    for path in files:
                        rel = path.relative_to(workspace)
                        if _is_record(rel) and path.is_file():
                            tar.add(path, arcname=f"workspace/{rel.as_posix()}")
                            count += 1
                    for path in workspace.glob("*.yaml"):  # a spec made while the list was read
                        if path not in files:
                            tar.add(path, arcname=f"workspace/{path.name}")
                            count += 1
                for path in files:
                    rel = path.relative_to(workspace)
                    if not _is_record(rel) and rel.name not in SKIP and path.is_file():
                        tar.add(path, arcname=f"workspace/{rel.as_posix()}")
                        count += 1
                tar.add(copy, arcname=f"workspace/.mou/{FILE}")
                count += 1
        os.replace(tmp_name, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return count


@contextlib.contextmanager
def _write_lock(db_path: Path):
    """A plain connection to the live database (no migration, no repair) holding its write lock: saves wait (SQLite's
    busy timeout) while the backup reads through another connection; nothing is written, the transaction is rolled
    back."""
    con = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    try:
        con.execute("PRAGMA busy_timeout = 30000")
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        finally:
            con.execute("ROLLBACK")
    finally:
        con.close()


def restore(archive: Path, workspace: Path, max_member: int = 2 * 1024**3) -> int:
    workspace = Path(workspace)
    if workspace.exists() and any(workspace.iterdir()):
        raise MouError(
            Message(
                f"{workspace} มีไฟล์อยู่แล้ว: คืนค่าได้เฉพาะลงในพื้นที่ทำงานที่ว่าง",
                f"{workspace} is not empty: a backup is restored into an empty workspace only",
            )
        )
    try:
        tar = tarfile.open(archive, mode="r:*")  # gzip-compressed or plain, whatever its name
        members = [m for m in tar.getmembers() if m.isfile()]
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise MouError(Message(f"{archive} ไม่ใช่ไฟล์สำรองของ mou", f"{archive} is not a mou backup: {exc}")) from exc
    with tar:
        _check_members(archive, members, workspace, max_member)
        made = not workspace.exists()
        workspace.mkdir(parents=True, exist_ok=True)
        try:
            for m in members:
                _extract(tar, m, workspace)
        except BaseException as exc:
            _empty(workspace, made)
            if isinstance(exc, (tarfile.TarError, OSError, EOFError)):
                raise MouError(
                    Message(
                        f"คืนค่าจาก {archive} ไม่สำเร็จ ไม่มีไฟล์ใดถูกเก็บไว้",
                        f"could not restore {archive}, nothing was kept: {exc}",
                    )
                ) from exc
            raise
    Database(workspace).query("SELECT 1")  # the restored copy migrated and repaired (a save caught pending)
    return len(members)


def _check_members(archive: Path, members: list, workspace: Path, max_member: int) -> None:
    if not any(m.name == f"workspace/.mou/{FILE}" for m in members):
        raise MouError(Message(f"{archive} ไม่มีฐานข้อมูลของสำนักงาน", f"{archive} holds no office record"))
    probe = workspace if workspace.exists() else next(p for p in workspace.parents if p.exists())
    free = shutil.disk_usage(probe).free
    for m in members:
        rel = Path(m.name).relative_to("workspace") if m.name.startswith("workspace/") else None
        if rel is None or rel.is_absolute() or ".." in rel.parts:
            raise MouError(Message(f"{archive}: {m.name} อยู่นอกพื้นที่ทำงาน", f"{m.name} lies outside the workspace"))
        if m.size > max_member:
            raise MouError(
                Message(
                    f"{archive}: {m.name} ใหญ่ {m.size:,} ไบต์ เกินที่ตั้งไว้ ({max_member:,} ไบต์, restore_max_member) "
                    f"ไม่ได้คืนค่าสิ่งใด",
                    f"{m.name} is {m.size:,} bytes, over the limit of {max_member:,} "
                    f"(restore_max_member in the settings): nothing restored",
                )
            )
    total = sum(m.size for m in members)
    if total > free:
        raise MouError(
            Message(
                f"{archive}: ต้องใช้พื้นที่ {total:,} ไบต์ แต่เหลือว่าง {free:,} ไบต์ ไม่ได้คืนค่าสิ่งใด",
                f"the archive needs {total:,} bytes and {free:,} are free: nothing restored",
            )
        )


def _extract(tar: tarfile.TarFile, m: tarfile.TarInfo, workspace: Path) -> None:
    """One member streamed to a file of its own (never whole in memory), with its mode (0600 for the private ones)."""
    rel = Path(m.name).relative_to("workspace")
    path = workspace / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o600 if rel.as_posix() in PRIVATE else (m.mode & 0o666) or 0o600
    src = tar.extractfile(m)
    if src is None:  # not a regular file: the members were checked to be files before (PRIVATE, _members)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        written = 0
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > m.size:
                raise tarfile.TarError(f"{m.name} is longer than its header says")
            fh.write(chunk)
        os.fchmod(fh.fileno(), mode)


def _empty(workspace: Path, made: bool) -> None:
    """What a refused restore wrote, removed: the workspace as it was (empty, or not there)."""
    for child in list(workspace.iterdir()):
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    if made:
        with contextlib.suppress(OSError):
            workspace.rmdir()
