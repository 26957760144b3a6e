"""How the build's worker processes are made (a fork server that imported the build once), and a batch's early
start of that server and of a LibreOffice: light, so that `mou batch` can start them before importing anything heavy."""

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


def start_early(specs_dir: Path, out_dir: Path, library_dir: Path | None, pdf: bool = True, jobs: int = 2) -> bool:
    """Start now, while this process imports and plans (a third of a second), what the workers will need, when the
    run will likely build something (_to_build): the fork server, and for a run of a few agreements (no more than
    `jobs`) a LibreOffice for the first worker to adopt (render/office.py), which then starts while the fork server
    imports rather than after. A long run keeps both cores busy from its start: a LibreOffice launched earlier gains
    it nothing there. A guess only (the plan decides what is built); a wrong one costs a LibreOffice killed at the
    end and a fork server that imports for nothing. Returns whether it started anything."""
    likely = _to_build(specs_dir, out_dir, library_dir)
    if likely == 0:
        return False
    if pdf and likely is not None and likely <= jobs:
        from pipeline.render.office import launch_ahead

        launch_ahead()
    if sys.version_info < (3, 12):
        worker_context()
        multiprocessing.forkserver.ensure_running()
    return True


def _to_build(specs_dir: Path, out_dir: Path, library_dir: Path | None) -> int | None:
    """How many agreements the run will likely build, from the times of the files against the last run's manifest:
    the specs newer than it (every spec where there is none); None for all of them when a clause or a template is
    newer. 0: likely nothing (a no-op rerun)."""
    try:
        built = (out_dir / MANIFEST).stat().st_mtime
    except OSError:
        built = None
    for part in ("clauses", "templates"):
        if built is not None and _newer((library_dir or PROJECT_ROOT) / part, built):
            return None
    return _newer(specs_dir, built)


def _newer(folder: Path, than: float | None) -> int:
    """The files under a folder changed after `than` (all of them for None)."""
    count = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                count += than is None or os.stat(os.path.join(root, name)).st_mtime > than
            except OSError:
                continue
    return count
