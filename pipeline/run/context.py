"""How the build's worker processes are made (a fork server that imported the build once), and a batch's early
start of that server: light, so that `mou batch` can start it before importing anything heavy itself."""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import multiprocessing.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from pipeline import PROJECT_ROOT

# What a worker needs to build, imported once by the fork server rather than by each worker (half a second of CPU each).
PRELOAD = [
    "pipeline.run.forkserver_end",  # first: the fork server ends without tearing the rest down
    "pipeline.api",
    "pipeline.render.pdf",
    "pipeline.documents.redline",
    "pipeline.documents.after_signing",
]


def worker_context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fork server: a clean single-threaded process that imported the build's modules once, so
    no UNO state, thread or lock of the parent is inherited (as with spawn), and a worker starts without importing
    the pipeline again. A worker ends with the process that asked for the pool (watch_owner); the fork server then ends too."""
    if sys.version_info >= (3, 12):
        # On Python 3.13 (Debian 13) a worker killed from outside (the OOM killer) left the run waiting forever with
        # forked workers, where the spawned ones end it cleanly (tests/test_faults.py); until that is understood,
        # the newer Pythons spawn their workers, each importing the pipeline itself.
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    _short_socket_folder()
    return context


def _short_socket_folder() -> None:
    """The fork server listens on a Unix socket in multiprocessing's temporary folder, and a socket's path is at most
    107 bytes: under a long TMPDIR the pool would fail ("AF_UNIX path too long"). Then that folder goes in /tmp
    (Python 3.12 does the same by itself; Debian 12 has 3.11)."""
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]  # where its tempdir is kept
    if config.get("tempdir") or len(tempfile.gettempdir()) <= SOCKET_TMPDIR_MAX:
        return
    folder = tempfile.mkdtemp(prefix="pymp-", dir="/tmp")
    config["tempdir"] = folder
    multiprocessing.util.Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=-100)


SOCKET_TMPDIR_MAX = 60  # pymp-XXXXXXXX/listener-XXXXXXXX under it: 40 bytes more


MANIFEST = "mou-manifest.json"  # run.manifest.MANIFEST_NAME, not imported: that module imports the library


def start_early(specs_dir: Path, out_dir: Path, library_dir: Path | None) -> bool:
    """Start the fork server now, while this process imports and plans (a third of a second), when the run will
    likely build something: a spec, a clause or a template newer than the last run's manifest, or no manifest. A
    guess only (the plan decides what is built); a wrong one costs a fork server that imports for nothing. Returns
    whether it started one."""
    if sys.version_info >= (3, 12) or not _likely_to_build(specs_dir, out_dir, library_dir):
        return False
    worker_context()
    multiprocessing.forkserver.ensure_running()
    return True


def _likely_to_build(specs_dir: Path, out_dir: Path, library_dir: Path | None) -> bool:
    try:
        built = (out_dir / MANIFEST).stat().st_mtime
    except OSError:
        return True
    folders = [specs_dir] + [(library_dir or PROJECT_ROOT) / part for part in ("clauses", "templates")]
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                try:
                    if os.stat(os.path.join(root, name)).st_mtime > built:
                        return True
                except OSError:
                    continue
    return False
