"""The batch's record of what it built (mou-manifest.json, with a journal line per agreement as it lands) and the
lock that keeps one batch per output folder."""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path

from pipeline import __version__
from pipeline.errors import Message, MouError
from pipeline.run.key import now
from pipeline.store.files import write_atomically

MANIFEST_NAME = "mou-manifest.json"
REPORT_NAME = "mou-report.txt"
LOCK_NAME = ".mou-batch.lock"
JOURNAL_NAME = ".mou-manifest.journal"
MANIFEST_FORMAT = 1
SPEC_SUFFIXES = (".yaml", ".yml")


class BatchLocked(MouError):
    """Another `mou batch` holds the output folder."""


# -- the manifest -------------------------------------------------------------------------------------------------


def load_manifest(out_dir: Path) -> tuple[dict, str | None]:
    """The agreements recorded in out_dir (the manifest, then the journal of a run that was killed before it saved
    it), and a warning when the manifest could not be read (everything rebuilds)."""
    path = out_dir / MANIFEST_NAME
    agreements, warning = {}, None
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != MANIFEST_FORMAT or not isinstance(data.get("agreements"), dict):
                raise ValueError(f"format {data.get('format')!r}")
            agreements = {name: entry for name, entry in data["agreements"].items() if _well_formed(entry)}
        except (OSError, ValueError, AttributeError) as exc:
            agreements, warning = (
                {},
                f"อ่าน {path} ไม่ได้ จะสร้างใหม่ทั้งหมด / could not read {path} ({exc}); every agreement is rebuilt",
            )
    agreements.update(_journal(out_dir))
    return agreements, warning


def _journal(out_dir: Path) -> dict:
    """The entries a run recorded one by one as each agreement's files were in place (a line per agreement); a line
    cut short by a kill, or of another shape, is skipped: that agreement is rebuilt."""
    out: dict[str, dict] = {}
    try:
        lines = (out_dir / JOURNAL_NAME).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("name"), str) and _well_formed(record.get("entry")):
            out[record["name"]] = record["entry"]
    return out


def record(out_dir: Path, name: str, entry: dict) -> None:
    """Append one agreement's entry to the journal the moment its files are in place: a run killed after this point
    does not build it again. One write of one line (O_APPEND), flushed to the file at once."""
    line = json.dumps({"name": name, "entry": entry}, ensure_ascii=False) + "\n"
    fd = os.open(out_dir / JOURNAL_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def _well_formed(entry) -> bool:
    """An entry this version wrote (one edited into another shape is dropped: that agreement is simply rebuilt)."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("inputs"), dict)
        and isinstance(entry.get("clauses"), dict)
        and isinstance(entry.get("outputs"), dict)
        and all(isinstance(c, dict) and {"version", "sha256"} <= set(c) for c in entry["clauses"].values())
        and all(isinstance(entry.get(k), str) for k in ("model", "language", "built_at"))
    )


def save_manifest(out_dir: Path, agreements: dict) -> None:
    """The whole manifest, written atomically; the journal it now holds is then removed."""
    data = {"format": MANIFEST_FORMAT, "pipeline": __version__, "agreements": dict(sorted(agreements.items()))}
    write_atomically({out_dir / MANIFEST_NAME: json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")})
    try:
        (out_dir / JOURNAL_NAME).unlink()
    except FileNotFoundError:
        pass


def find_manifest(path: Path) -> tuple[Path, dict] | None:
    """The manifest of the batch output folder a file lies in (its folder or one above), if any."""
    for folder in [path.parent, *path.parent.parents]:
        if (folder / MANIFEST_NAME).is_file():
            agreements, warning = load_manifest(folder)
            return (folder, agreements) if warning is None else None
    return None


# -- the lock -----------------------------------------------------------------------------------------------------


@contextmanager
def locked(out_dir: Path):
    """One batch at a time per output folder: an advisory lock the system releases even if the holder is killed."""
    path = out_dir / LOCK_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+", encoding="utf-8")
    except OSError as exc:
        raise MouError(
            Message(
                f"เขียนลงโฟลเดอร์ผลลัพธ์ {out_dir} ไม่ได้",
                f"cannot write to the output folder {out_dir}: {exc.strerror or exc}",
            )
        ) from exc
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise BatchLocked(
            f"โฟลเดอร์ {out_dir} กำลังถูกใช้โดย mou batch อีกงานหนึ่ง ({holder}) กรุณารอให้เสร็จก่อน\n"
            f"another mou batch is writing to {out_dir} ({holder}); wait for it to finish, then run again"
        ) from None
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, started {now()}\n")
        fh.flush()
        yield
    finally:
        fh.truncate(0)
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def recorded_finals(*folders: Path) -> set[str] | None:
    """The sha256 of every PDF the record of the first of `folders` that has one keeps: a `mou batch` output folder
    (its manifest) or a `mou serve` workspace (out/ holds the manifest of the finals it built). None: no record."""
    for folder in folders:
        for out in (folder, folder / "out"):
            if (out / MANIFEST_NAME).is_file() or (out / JOURNAL_NAME).is_file():
                agreements, _ = load_manifest(out)
                return {
                    digest
                    for entry in agreements.values()
                    for rel, digest in entry.get("outputs", {}).items()
                    if rel.endswith(".pdf")
                }
    return None
