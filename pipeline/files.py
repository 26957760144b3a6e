"""Writing outputs: every file goes to a temporary file beside it and is then renamed, so none is ever half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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


def write_atomically(files: dict[Path, bytes]) -> None:
    """Each file is written to a temporary file beside it and then renamed: no half-written outputs."""
    temps = []
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
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
