"""`mou backup` and `mou restore`: a workspace in one archive — its specs, answers, signed copies and outputs, and
its office record, the database copied online with SQLite's backup API (consistent while the server writes) — and
back into an empty workspace."""

from __future__ import annotations

import io
import sqlite3
import tarfile
import tempfile
from pathlib import Path

from pipeline.errors import MouError
from pipeline.store.db import FILE, Database
from pipeline.store.files import write_atomically

SKIP = {FILE, f"{FILE}-wal", f"{FILE}-shm"}


def backup(workspace: Path, out: Path) -> int:
    workspace = Path(workspace)
    if not workspace.is_dir():
        raise MouError(f"ไม่พบพื้นที่ทำงาน {workspace} / no workspace at {workspace}")
    db = Database(workspace)
    db.query("SELECT 1")  # migrated (and older JSON imported) before it is copied
    count = 0
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="mou-backup-") as tmp:
        copy = Path(tmp) / FILE
        with sqlite3.connect(db.path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        db.close()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for path in sorted(workspace.rglob("*")):
                rel = path.relative_to(workspace)
                if path.is_file() and rel.name not in SKIP and not path.is_symlink():
                    tar.add(path, arcname=f"workspace/{rel.as_posix()}")
                    count += 1
            tar.add(copy, arcname=f"workspace/.mou/{FILE}")
            count += 1
    write_atomically({Path(out): buffer.getvalue()})
    return count


def restore(archive: Path, workspace: Path) -> int:
    workspace = Path(workspace)
    if workspace.exists() and any(workspace.iterdir()):
        raise MouError(
            f"{workspace} มีไฟล์อยู่แล้ว: คืนค่าได้เฉพาะลงในพื้นที่ทำงานที่ว่าง / "
            f"{workspace} is not empty: a backup is restored into an empty workspace only"
        )
    try:
        tar = tarfile.open(archive, mode="r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise MouError(f"{archive} ไม่ใช่ไฟล์สำรองของ mou / {archive} is not a mou backup: {exc}") from exc
    with tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        if not any(m.name == f"workspace/.mou/{FILE}" for m in members):
            raise MouError(f"{archive} ไม่มีฐานข้อมูลของสำนักงาน / {archive} holds no office record")
        files = {}
        for m in members:
            rel = Path(m.name).relative_to("workspace") if m.name.startswith("workspace/") else None
            if rel is None or rel.is_absolute() or ".." in rel.parts:
                raise MouError(f"{archive}: {m.name} อยู่นอกพื้นที่ทำงาน / {m.name} lies outside the workspace")
            files[workspace / rel] = tar.extractfile(m).read()
    workspace.mkdir(parents=True, exist_ok=True)
    for path in {p.parent for p in files}:
        path.mkdir(parents=True, exist_ok=True)
    write_atomically(files)
    (workspace / ".mou" / FILE).chmod(0o600)
    return len(files)
