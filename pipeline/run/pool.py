"""The worker processes that build agreements, each with its own LibreOffice: the warm pool `mou serve` keeps, and
the run of a batch's tasks that survives a dying worker and stops cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import multiprocessing.util
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import MouError
from pipeline.library.clauses import read_library
from pipeline.render.office import taken_ahead
from pipeline.render.procs import watch_owner
from pipeline.run.context import worker_context
from pipeline.run.key import sha256
from pipeline.run.placement import first, pinned, take_a_core
from pipeline.run.plan import Task
from pipeline.spec.settings import Settings
from pipeline.store.files import write_atomically

# -- the workers ------------------------------------------------------------------------------------------------------

_worker: dict = {}


def _start_worker(
    root: str | None,
    settings: dict,
    pdf: bool,
    owner: int | None = None,
    cores: Any = None,
    ahead: Any = None,
    claim: Any = None,
    warm: bool = True,
) -> None:
    """Each worker process loads the library once and keeps its own LibreOffice (own profile) for the whole run.
    `owner`: the process the pool works for (None: this process, a build here without a pool). `cores`: a counter
    shared by a batch's workers when there is one per core (placement.pinned). `ahead`: a LibreOffice the batch
    launched while it planned (office.Ahead), adopted by the first worker to set `claim`. `warm`: a first conversion
    while this worker loads (Converter.warm_up), where a core would otherwise wait: a server's worker, or a batch's
    with one agreement each (in a longer batch the other worker keeps that core busy, and it would cost CPU)."""
    from pipeline.render.office import pin
    from pipeline.render.pdf import Converter

    in_process = owner is None
    if owner is not None:
        watch_owner(owner)  # a killed batch (or server) takes its workers, and through them their LibreOffice, with it
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # the parent decides; a worker finishes its document
    core = take_a_core(cores) if cores is not None else None
    _worker["settings"] = Settings(**settings)
    converter = _worker["converter"] = Converter(timeout=_worker["settings"].convert_timeout) if pdf else None
    if converter is not None:
        if not in_process:
            multiprocessing.util.Finalize(converter, converter.close, kwargs={"ending": True}, exitpriority=10)
        try:
            if ahead is not None and first(claim):
                converter.adopt(ahead)
                if core is not None:
                    pin(ahead.pid, core)  # as the LibreOffice it would have started would inherit it
            else:
                converter.launch()  # LibreOffice starts on the other core while this process loads what it needs
            if warm:
                converter.warm_up()
        except (MouError, OSError):
            pass  # reported by the first conversion, with the document's name
    _worker["library"] = read_library(Path(root) if root else None)
    if converter is not None:
        from pipeline.render.thai import join_words

        join_words("ผู้รับมอบภารกิจ", after_marks=True)  # the word list and ICU, loaded while LibreOffice starts


def _stop_worker() -> None:
    if _worker.get("converter") is not None:
        _worker["converter"].close()
    if _worker.get("frozen"):
        gc.unfreeze()
    _worker.clear()


def _build_one(task: Task) -> dict:
    """Build one agreement in a worker; the result is plain data for the parent (never an exception)."""
    try:
        return _build(task)
    finally:
        # python-docx and lxml leave reference cycles that wait for a rare full collection: without this a worker
        # grows by about 0.5 MB per agreement. What is alive after the first agreement (modules, library, caches)
        # is frozen, so each collection looks at one agreement's objects only (3 ms, not 30).
        gc.collect()
        if not _worker.get("frozen"):
            gc.freeze()
            _worker["frozen"] = True
        _release_free_memory()


def build_here(task: Task, library_dir: Path | None, settings: Settings) -> dict:
    """One build in this process, with a LibreOffice of its own started and stopped around it (no warm pool: a test
    of the pages alone, or a one-off)."""
    _start_worker(str(library_dir) if library_dir else None, settings.model_dump(), True)
    try:
        return _build_one(task)
    finally:
        _stop_worker()


def _document(what: str, args: tuple) -> dict:
    """A document after signing — the SLA of year N ("sla": spec, year, out, draft) or an amendment ("amendment":
    signed, new, out, number, date, paid) — built by a worker with its warm LibreOffice; plain data back, never an
    exception."""
    from pipeline.api import build_amendment, build_sla

    library, settings, converter = _worker["library"], _worker["settings"], _worker["converter"]
    try:
        if what == "sla":
            spec, year, out, draft = args
            build_sla(spec, year, out, library, settings, converter, draft=draft)
        else:
            signed, new, out, number, when, paid = args
            build_amendment(signed, new, out, library, settings, converter, number, when, paid)
    except MouError as exc:
        return {"error": exc.format()}
    except OSError as exc:
        return {"error": f"อ่านหรือเขียนไฟล์ไม่ได้ / cannot read or write {exc.filename or ''}: {exc.strerror or exc}"}
    finally:
        gc.collect()
    return {}


def document_here(what: str, args: tuple, library_dir: Path | None, settings: Settings) -> dict:
    """`_document` in this process with a LibreOffice of its own (no warm pool: a test of the pages alone)."""
    _start_worker(str(library_dir) if library_dir else None, settings.model_dump(), True)
    try:
        return _document(what, args)
    finally:
        _stop_worker()


def _release_free_memory() -> None:
    """Give the heap freed by this agreement back to the system where glibc would keep it (a few MB per worker)."""
    if "libc" not in _worker:
        try:
            _worker["libc"] = ctypes.CDLL("libc.so.6")
        except OSError:
            _worker["libc"] = None
    if _worker["libc"] is not None:
        _worker["libc"].malloc_trim(0)


def _build(task: Task) -> dict:
    from pipeline.api import build

    library, settings, converter = _worker["library"], _worker["settings"], _worker["converter"]
    started = time.perf_counter()
    restarts = converter.restarts if converter else 0
    previous = None
    if task.redline:  # the DOCX as it was built last time, before this build replaces it
        try:
            previous = (task.out_dir / f"{task.spec.stem}.docx").read_bytes()
        except OSError:
            previous = None
    try:
        built = build(task.spec, task.out_dir, library, settings, converter, draft=task.draft)
    except MouError as exc:
        return {"name": task.name, "error": exc.format()}
    except OSError as exc:  # an output folder that cannot be written, a disk that is full
        return {
            "name": task.name,
            "error": f"อ่านหรือเขียนไฟล์ไม่ได้ / cannot read or write {exc.filename or ''}: {exc.strerror or exc}",
        }
    except Exception as exc:  # a bug, not the user's input: one line, the run goes on
        return {"name": task.name, "error": f"ข้อผิดพลาดภายใน / internal error: {type(exc).__name__}: {exc}"}
    outputs = {p: sha256(p.read_bytes()) for p in (built.docx, built.pdf) if p is not None}
    marked = _write_redline(previous, built.docx) if previous is not None else ""
    return {
        "redline": marked,
        "name": task.name,
        "spec": str(task.spec),
        "spec_sha": built.provenance["spec_hash"],
        "model": built.agreement.model,
        "language": built.agreement.lang,
        "clauses": {cid: {"version": v, "sha256": library.files[cid]} for cid, v in built.agreement.clauses.items()},
        "outputs": {str(p): digest for p, digest in outputs.items()},
        "seconds": round(time.perf_counter() - started, 3),
        "restarts": (converter.restarts if converter else 0) - restarts,
    }


class WarmPool:
    """Worker processes kept up with their LibreOffice between requests (`mou serve`): a preview costs one conversion,
    not a LibreOffice start. The same workers as `mou batch` (`_start_worker`, `_build_one`); a batch run from the
    server uses them too. A pool broken by a dead worker is replaced on the next request."""

    def __init__(self, workers: int, root: Path | None, settings: Settings, pdf: bool = True):
        self.workers, self.args = workers, (str(root) if root else None, settings.model_dump(), pdf, os.getpid())
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._procs: list = []  # the pool's worker processes, kept here: a broken pool forgets its own

    def executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None or getattr(self._pool, "_broken", False):
                if self._pool is not None:
                    _kill_workers(self._procs)
                    self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=worker_context(),
                    initializer=_start_worker,
                    initargs=self.args,
                )
                self._procs = []
            return self._pool

    def track(self) -> None:
        """Remember the pool's current worker processes (after a submit has started them)."""
        with self._lock:
            procs = list((getattr(self._pool, "_processes", None) or {}).values())
            self._procs.extend(p for p in procs if p not in self._procs)

    def warm(self, wait: bool = True) -> list:
        """Start every worker (and its LibreOffice) now rather than on the first request; `wait=False` lets the caller
        go on (the server answers its first pages while the workers start; a preview waits for them)."""
        futures = [self.executor().submit(_warm_up) for _ in range(self.workers)]
        self.track()
        if wait:
            for f in futures:
                f.result()
        return futures

    def build(self, task: Task, timeout: float = 300) -> dict:
        """One agreement built by a warm worker; a worker that dies is an error result, and the pool is replaced."""
        try:
            future = self.executor().submit(_build_one, task)
            self.track()
            return future.result(timeout=timeout)
        except BrokenProcessPool:
            return {"name": task.name, "error": "กระบวนการสร้างเอกสารหยุดกะทันหัน / the worker process died; try again"}

    def document(self, what: str, args: tuple, timeout: float = 300) -> dict:
        """An SLA of year N or an amendment built by a warm worker (`_document`)."""
        try:
            future = self.executor().submit(_document, what, args)
            self.track()
            return future.result(timeout=timeout)
        except BrokenProcessPool:
            return {"error": "กระบวนการสร้างเอกสารหยุดกะทันหัน / the worker process died; try again"}

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


def _warm_up() -> int:
    converter = _worker.get("converter")
    if converter is not None and converter.pid is None:
        converter.start()
    time.sleep(0.2)  # long enough that each of the pool's workers takes one
    return os.getpid()


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl-C, and what timeout, systemd and docker send


def _write_redline(previous: bytes, docx: Path) -> str:
    """NAME.redline.docx beside the new DOCX when the text changed (a failure here costs the redline, not the build)."""
    from pipeline.documents.redline import redline

    try:
        marked, changes = redline(previous, docx.read_bytes())
        if not changes:
            return ""
        path = docx.with_name(f"{docx.stem}.redline.docx")
        write_atomically({path: marked})
        return str(path)
    except (MouError, OSError, ValueError, KeyError) as exc:
        return f"! {exc}"


@contextmanager
def _deferred_interrupt():
    """Ctrl-C or SIGTERM sets a flag the run checks between agreements, so no result is half-recorded; a second one
    interrupts at once. The flag holds the signal's number (the exit status is 128 + it)."""
    state = {"stop": False, "signal": None}
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def stop(signum, frame):
        if state["stop"]:
            raise KeyboardInterrupt
        state["stop"], state["signal"] = True, signum

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)
    try:
        yield state
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if state["stop"]:
        raise Stopped(state["signal"])


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal (SIGINT or SIGTERM) after finishing the agreements in hand."""

    def __init__(self, signum: int | None):
        super().__init__(signum)
        self.signum = signum or signal.SIGINT


def _dead_workers(procs: list) -> str:
    """How the pool's dead workers ended ("signal 11", "exit 1"), from the worker processes seen in the pool."""
    codes = []
    for proc in procs:
        if proc.exitcode is None:
            proc.join(30)  # a crashed process may take seconds to end (a core dump being written, a loaded machine)
        code = proc.exitcode
        if code:
            codes.append(f"signal {-code}" if code < 0 else f"exit {code}")
    return ", ".join(codes) or "ended"


def _kill_workers(procs: list) -> None:
    """SIGKILL what is left of a broken pool. Python 3.13's executor, on a dead worker, sends the others SIGTERM and
    then waits for them; ours ignore SIGTERM (the parent decides when a batch stops), so it would wait forever, and the
    batch with it. Their LibreOffice dies with them (parent-death signal)."""
    for proc in procs:
        try:
            if proc.exitcode is None and proc.pid:
                os.kill(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, ValueError, AssertionError):
            pass
    for proc in procs:
        try:
            proc.join(5)
        except (AssertionError, ValueError):
            pass


def _worker_died(task: Task, procs: list) -> dict:
    """The result of an agreement whose worker died while it was the only one in flight: it is the one that kills."""
    return {
        "name": task.name,
        "error": (
            f"กระบวนการที่สร้างข้อตกลงนี้หยุดกะทันหัน ({_dead_workers(procs)}) ข้อตกลงอื่นสร้างต่อตามปกติ / "
            f"the worker process building this agreement died ({_dead_workers(procs)}); "
            f"the other agreements were built"
        ),
    }


class _Round:
    """One pool's life in a run: tasks submitted to it, a window of two per worker (so a stop takes effect within a
    document), and their results passed to `done` as they come, until nothing is left, a stop is asked, or a worker
    dies (the pool is then broken). Alone, it runs one suspect at a time."""

    def __init__(self, pool, alone: bool, queue: list, suspects: list, interrupt: dict, work, done) -> None:
        self.pool, self.alone, self.queue, self.suspects = pool, alone, queue, suspects
        self.interrupt, self.work, self.done = interrupt, work, done
        self.in_flight: dict = {}
        self.broken = False
        self.procs: list = []  # the pool's worker processes, kept here: a broken pool forgets its own

    def run(self, width: int) -> None:
        for _ in range(1 if self.alone else 2 * width):
            self.submit_next()
        while self.in_flight:
            finished, _ = wait(self.in_flight, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in finished:
                self._finished(future)
            if self.interrupt["stop"]:
                for future in [f for f in self.in_flight if f.cancel()]:
                    task = self.in_flight.pop(future)
                    if self.alone:
                        self.suspects.insert(0, task)
            if self.broken:
                break

    def submit_next(self) -> None:
        if self.interrupt["stop"] or self.broken:
            return
        if self.alone:
            if not self.in_flight and self.suspects:
                self._submit(self.suspects.pop(0), lambda t: self.suspects.insert(0, t))
        elif self.queue:  # a worker may die between two results: the task then waits for the new pool
            self._submit(self.queue.pop(), self.queue.append)
        self._remember_workers()

    def _submit(self, task: Task, put_back) -> None:
        try:
            self.in_flight[self.pool.submit(self.work, task)] = task
        except BrokenProcessPool:  # the last one broke it as this one came: it waits, or stays a suspect
            put_back(task)
            self.broken = True

    def _finished(self, future) -> None:
        task = self.in_flight.pop(future)
        try:
            result = future.result()
        except BrokenProcessPool:
            self.broken = True
            if self.alone:  # it was the only one in flight: it is the one that kills its worker
                self._remember_workers()
                # the executor's own thread reads the dead worker's status as it winds the pool down; read at the same
                # time, a forked worker's status goes to one reader and the other sees "exit 255" (multiprocessing's
                # popen_forkserver): so it is read here once that thread is done (seen once in make test)
                manager = getattr(self.pool, "_executor_manager_thread", None)
                if manager is not None:
                    manager.join(30)
                self.done(_worker_died(task, self.procs))
            else:
                self.suspects.append(task)
            return
        self.done(result)
        self.submit_next()

    def _remember_workers(self) -> None:
        self.procs.extend(
            p for p in list((getattr(self.pool, "_processes", None) or {}).values()) if p not in self.procs
        )


def _run_tasks(
    tasks: list[Task],
    jobs: int,
    root: Path | None,
    settings: Settings,
    pdf: bool,
    done: Callable[[dict], None],
    work: Callable[[Task], dict] | None = None,
    warm: WarmPool | None = None,
) -> None:
    """Build the tasks, `jobs` at a time, each in a worker process; `done` is called in this process with each result
    as it comes. A worker that dies (a crash in a C library, the OOM killer) costs its own agreement only: the pool is
    replaced, the agreements that were in flight with it are retried one at a time to find the one that kills, and that
    one is reported failed by name. On Ctrl-C or SIGTERM the agreements in hand are finished and passed to `done`, the
    rest are not started, and Stopped is raised."""
    if not tasks:
        return
    work = work or _build_one  # a module-level function the workers import (a test passes one that crashes on cue)
    args = (str(root) if root else None, settings.model_dump(), pdf, os.getpid())
    context = worker_context()
    ahead = taken_ahead() if pdf and warm is None else None  # launched by `mou batch` while it planned: one worker's
    queue = list(reversed(tasks))  # popped from the end: the first task first
    suspects: list[Task] = []  # in flight when a worker died: each retried alone
    with _deferred_interrupt() as interrupt:
        while (queue or suspects) and not interrupt["stop"]:
            alone = bool(suspects)
            width = 1 if alone else min(jobs, len(queue))
            shared = warm is not None and not alone  # the server's warm workers; a suspect still runs alone
            pool = (
                warm.executor()
                if shared and warm is not None
                else ProcessPoolExecutor(
                    max_workers=width,
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=(
                        *args,
                        pinned(width, context),
                        ahead,
                        context.Value("i", 0) if ahead else None,
                        len(queue) <= width,  # one agreement each: a warm-up where a core would wait
                    ),
                )
            )
            ahead = None  # the first pool's to adopt; a later one (after a worker died) starts its own
            width = warm.workers if shared and warm is not None else width
            rnd = _Round(pool, alone, queue, suspects, interrupt, work, done)
            try:
                rnd.run(width)
            finally:
                if rnd.broken:
                    _kill_workers(rnd.procs)
                if not shared or rnd.broken:  # the warm pool stays up for the next request (a broken one is replaced)
                    pool.shutdown(wait=not rnd.broken, cancel_futures=True)
            if rnd.broken:  # whatever was still in flight with the dead worker is a suspect too
                suspects.extend(t for t in rnd.in_flight.values() if t not in suspects)
