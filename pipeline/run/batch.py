"""Batch regeneration: every spec of a folder built into one output folder, only what changed, with a manifest, a
change report, a lock, and N LibreOffice converters in parallel worker processes."""

from __future__ import annotations

import ctypes
import datetime as dt
import fcntl
import gc
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import re
import signal
import threading
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.errors import MouError
from pipeline.library.clauses import Library, read_library
from pipeline.run.procs import watch_parent
from pipeline.spec.settings import Settings
from pipeline.store.files import remove_stale_temps, write_atomically

MANIFEST_NAME = "mou-manifest.json"
REPORT_NAME = "mou-report.txt"
LOCK_NAME = ".mou-batch.lock"
JOURNAL_NAME = ".mou-manifest.journal"
MANIFEST_FORMAT = 1
SPEC_SUFFIXES = (".yaml", ".yml")


class BatchLocked(MouError):
    """Another `mou batch` holds the output folder."""


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# -- what an agreement depends on -------------------------------------------------------------------------------


# The modules that only take input or drive runs: a change there does not change a document.
_FRONT_ENDS = ("cli/", "web/", "questionnaire/", "run/", "store/users.py")  # paths in the package


def code_fingerprint() -> str:
    """What shapes the documents besides the library: the package's own code (every module but the front ends) and
    the font files it embeds, by content. The package version is not enough: nobody bumps it."""
    from pipeline.render.pdf import PROJECT_FONTS

    package = Path(__file__).resolve().parents[1]
    parts = [
        f"{p.relative_to(package).as_posix()} {sha256(p.read_bytes())}"
        for p in sorted(package.rglob("*.py"))
        if not p.relative_to(package).as_posix().startswith(_FRONT_ENDS) and "__pycache__" not in p.parts
    ]
    parts += [f"font {p.name} {sha256(p.read_bytes())}" for p in sorted(Path(PROJECT_FONTS).glob("*.tt[fc]"))]
    return f"{__version__}+{sha256(chr(10).join(parts))[:16]}"


@dataclass(frozen=True)
class Fingerprint:
    """The hashes every agreement's key shares, computed once per run (content, never modification times)."""

    pipeline: str
    settings: str
    shared: dict[str, str]  # model -> what it takes from _sections.yaml and _labels.yaml
    templates: dict[str, str]  # language -> sha256 of templates/<lang>/mou.docx
    candidates: dict[str, str]  # model -> hash of every clause file that may apply to that model

    @classmethod
    def of(cls, library: Library, settings: Settings) -> Fingerprint:
        candidates = {}
        for model in ("grant", "performance", "commissioning"):
            ids = sorted(c.id for c in library.clauses.values() if model in c.models)
            candidates[model] = sha256("\n".join(f"{cid} {library.files[cid]}" for cid in ids))
        return cls(
            pipeline=code_fingerprint(),
            settings=sha256(settings.fingerprint()),
            shared={model: library.shared_for(model) for model in ("grant", "performance", "commissioning")},
            templates={lang: library.template_hash(lang) for lang in library.templates},
            candidates=candidates,
        )

    def inputs(self, spec_sha: str, model: str, lang: str) -> dict:
        """What the manifest records of an agreement's inputs, besides the clauses it uses."""
        return {
            "spec": spec_sha,
            "template": self.templates.get(lang, ""),
            "settings": self.settings,
            "library": self.shared.get(model, ""),
            "pipeline": self.pipeline,
            "candidates": self.candidates.get(model, ""),
        }


def _exact(inputs: dict) -> dict:
    """The inputs that change what is written: all but the candidate clauses."""
    return {k: v for k, v in inputs.items() if k != "candidates"}


def agreement_key(inputs: dict, clauses: dict) -> str:
    """The content hash that decides a rebuild: spec, clause files used, template, settings, library tables, pipeline.
    Clauses that may apply but were not used (`candidates`) do not change what is written, so they are left out.
    The manifest records it; a run compares its parts one by one, which is the same test and says which changed."""
    exact = _exact(inputs)
    exact["clauses"] = {cid: c["sha256"] for cid, c in sorted(clauses.items())}
    return sha256(json.dumps(exact, sort_keys=True))


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
    out = {}
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
            f"เขียนลงโฟลเดอร์ผลลัพธ์ {out_dir} ไม่ได้ / cannot write to the output folder {out_dir}: {exc.strerror or exc}"
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


# -- finding specs and deciding what to build -----------------------------------------------------------------------


def find_specs(specs_dir: Path, out_dir: Path) -> list[tuple[str, Path]]:
    """(name, path) of every spec under specs_dir: name is the path without suffix, e.g. `region/inclusive-care`.
    Hidden folders, the output folder and the questionnaire's partial `*.answers.yaml` files are skipped."""
    out_dir = out_dir.resolve()
    inside = out_dir != specs_dir.resolve()  # an output folder inside the specs folder is not searched (one equal is)
    found = []
    for path in sorted(specs_dir.rglob("*")):
        rel = path.relative_to(specs_dir)
        if path.suffix not in SPEC_SUFFIXES or path.name.endswith(".answers.yaml") or not path.is_file():
            continue
        if any(part.startswith(".") for part in rel.parts) or (inside and path.resolve().is_relative_to(out_dir)):
            continue
        found.append((rel.with_suffix("").as_posix(), path))
    return found


@dataclass
class Task:
    name: str
    spec: Path
    out_dir: Path  # the folder the DOCX and PDF go to (out/<sub folder of the spec>)
    extra: list[tuple[str, str]] = field(default_factory=list)  # (th, en) reasons not visible in the manifest
    draft: bool = False  # a preview (`mou serve`): marked ร่าง / DRAFT on every page
    redline: bool = False  # a rebuild of what was built before: also NAME.redline.docx, the changes tracked


@dataclass
class Outcome:
    name: str
    status: str  # built | unchanged | failed | kept | deleted | pruned
    reasons: list[tuple[str, str]] = field(default_factory=list)
    detail: str = ""
    clause_changes: list[str] = field(default_factory=list)  # of an agreement kept (not rebuilt) despite them
    redline: str = ""  # the redline written beside a rebuilt agreement, relative to the output folder


def _outputs_state(entry: dict, out_dir: Path) -> tuple[list[str], list[str]]:
    """(missing, edited): the recorded outputs that are gone, and those whose bytes differ from what was written."""
    missing, edited = [], []
    for rel, digest in entry.get("outputs", {}).items():
        path = out_dir / rel
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            missing.append(rel)
            continue
        if sha256(data) != digest:
            edited.append(rel)
    return missing, edited


def _foreign_outputs(task: Task, out_dir: Path, pdf: bool) -> list[str]:
    """Files already at an unrecorded agreement's output paths that mou did not make (no provenance inside)."""
    foreign = []
    for suffix in (".docx", ".pdf") if pdf else (".docx",):
        path = task.out_dir / (Path(task.name).name + suffix)
        if path.exists():
            from pipeline.documents.check import (
                document_provenance,  # only here: it brings python-docx and pypdf into the parent
            )

            try:
                ours = "spec_hash" in document_provenance(path.read_bytes())
            except Exception:  # not a readable DOCX/PDF: certainly not ours
                ours = False
            if not ours:
                foreign.append(path.relative_to(out_dir).as_posix())
    return foreign


def _uses_same_clauses(spec: Path, entry: dict, library: Library, settings: Settings) -> bool:
    """Whether the spec, assembled against today's library, uses exactly the clause files it used last time
    (asked only when a clause that may apply to its model changed but none it used did)."""
    from pipeline.documents.agreement import assemble
    from pipeline.documents.check import load_spec

    try:
        _, parsed = load_spec(spec, settings, library)
        used = assemble(parsed, settings, library).clauses
    except MouError:
        return False  # let the build report why
    return {cid: library.files[cid] for cid in used} == {cid: c["sha256"] for cid, c in entry["clauses"].items()}


def _reasons(prev: dict | None, entry: dict) -> list[tuple[str, str]]:
    """Why an agreement was rebuilt, from its previous and new manifest entries: (Thai, English) pairs."""
    if prev is None:
        return [("ใหม่", "new")]
    was, now_ = prev.get("inputs", {}), entry["inputs"]
    out = []
    if was.get("spec") != now_["spec"]:
        out.append(("ข้อกำหนดเปลี่ยน", "spec changed"))
    if was.get("template") != now_["template"]:
        tpl = f"templates/{entry['language']}/mou.docx"
        out.append((f"แม่แบบ {tpl} เปลี่ยน", f"template {tpl} changed"))
    if was.get("library") != now_["library"]:
        out.append(("ตารางหมวดหรือถ้อยคำกลางเปลี่ยน", "clauses/_sections.yaml or _labels.yaml changed"))
    if was.get("settings") != now_["settings"]:
        out.append(("การตั้งค่าเปลี่ยน", "settings changed"))
    if was.get("pipeline") != now_["pipeline"]:
        out.append(
            (
                f"โปรแกรมที่สร้างเอกสาร (โค้ดหรือฟอนต์) เปลี่ยน {was.get('pipeline')} → {now_['pipeline']}",
                f"the renderer changed (code or fonts): {was.get('pipeline')} → {now_['pipeline']}",
            )
        )
    out += [(f"ข้อสัญญา / clause {c}",) * 2 for c in clause_changes(prev.get("clauses", {}), entry["clauses"])]
    return out


def clause_changes(before: dict, after: dict) -> list[str]:
    """`termination v1 → v2`, `pdpa v1 added`, `sla v2 removed`, `x v3 edited without a new version number`."""
    out = []
    for cid in sorted(set(before) | set(after)):
        a, b = before.get(cid), after.get(cid)
        if a is None:
            out.append(f"{cid} v{b['version']} added")
        elif b is None:
            out.append(f"{cid} v{a['version']} removed")
        elif a["sha256"] != b["sha256"]:
            if a["version"] != b["version"]:
                out.append(f"{cid} v{a['version']} → v{b['version']}")
            else:
                out.append(f"{cid} v{a['version']} แก้ไขโดยไม่เปลี่ยนเลขรุ่น / edited without a new version number")
    return out


# -- the workers ------------------------------------------------------------------------------------------------------

_worker: dict = {}


def _start_worker(root: str | None, settings: dict, pdf: bool, in_process: bool = False) -> None:
    """Each worker process loads the library once and keeps its own LibreOffice (own profile) for the whole run."""
    from pipeline.render.pdf import Converter

    if not in_process:
        watch_parent()  # a killed batch (or server) takes its workers, and through them their LibreOffice, with it
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # the parent decides; a worker finishes its document
    _worker["library"] = read_library(Path(root) if root else None)
    _worker["settings"] = Settings(**settings)
    _worker["converter"] = Converter(timeout=_worker["settings"].convert_timeout) if pdf else None
    if _worker["converter"] is not None and not in_process:
        multiprocessing.util.Finalize(_worker["converter"], _worker["converter"].close, exitpriority=10)


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
        self.workers, self.args = workers, (str(root) if root else None, settings.model_dump(), pdf)
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
                    mp_context=multiprocessing.get_context("spawn"),
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

    def warm(self) -> None:
        """Start every worker (and its LibreOffice) now rather than on the first request."""
        futures = [self.executor().submit(_warm_up) for _ in range(self.workers)]
        self.track()
        for f in futures:
            f.result()

    def build(self, task: Task, timeout: float = 300) -> dict:
        """One agreement built by a warm worker; a worker that dies is an error result, and the pool is replaced."""
        try:
            future = self.executor().submit(_build_one, task)
            self.track()
            return future.result(timeout=timeout)
        except BrokenProcessPool:
            return {"name": task.name, "error": "กระบวนการสร้างเอกสารหยุดกะทันหัน / the worker process died; try again"}

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
            proc.join(10)  # a crashed process may take seconds to end (a core dump being written)
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
    args = (str(root) if root else None, settings.model_dump(), pdf)
    context = multiprocessing.get_context("spawn")  # fresh interpreters: no UNO state or threads inherited
    queue = list(reversed(tasks))  # popped from the end: the first task first
    suspects: list[Task] = []  # in flight when a worker died: each retried alone
    with _deferred_interrupt() as interrupt:
        while (queue or suspects) and not interrupt["stop"]:
            alone = bool(suspects)
            width = 1 if alone else min(jobs, len(queue))
            shared = warm is not None and not alone  # the server's warm workers; a suspect still runs alone
            pool = (
                warm.executor()
                if shared
                else ProcessPoolExecutor(
                    max_workers=width, mp_context=context, initializer=_start_worker, initargs=args
                )
            )
            width = warm.workers if shared else width
            in_flight: dict = {}
            broken = False
            procs: list = []  # the pool's worker processes, kept here: a broken pool forgets its own
            try:

                def submit_next():
                    nonlocal broken
                    if interrupt["stop"] or broken:
                        return
                    if alone:
                        if not in_flight and suspects:
                            task = suspects.pop(0)
                            try:
                                in_flight[pool.submit(work, task)] = task
                            except BrokenProcessPool:  # the last one broke it as this one came: it stays a suspect
                                suspects.insert(0, task)
                                broken = True
                    elif queue:
                        task = queue.pop()
                        try:
                            in_flight[pool.submit(work, task)] = task
                        except BrokenProcessPool:  # a worker died between two results: the task waits for the new pool
                            queue.append(task)
                            broken = True
                    procs.extend(p for p in list((getattr(pool, "_processes", None) or {}).values()) if p not in procs)

                # A window of 2 per worker is in flight and the rest waits here, so a stop takes effect within a document.
                for _ in range(1 if alone else 2 * width):
                    submit_next()
                while in_flight:
                    finished, _ = wait(in_flight, timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in finished:
                        task = in_flight.pop(future)
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            broken = True
                            if alone:  # it was the only one in flight: it is the one that kills its worker
                                done(
                                    {
                                        "name": task.name,
                                        "error": (
                                            f"กระบวนการที่สร้างข้อตกลงนี้หยุดกะทันหัน ({_dead_workers(procs)}) ข้อตกลงอื่นสร้างต่อตามปกติ / "
                                            f"the worker process building this agreement died ({_dead_workers(procs)}); "
                                            f"the other agreements were built"
                                        ),
                                    }
                                )
                            else:
                                suspects.append(task)
                            continue
                        done(result)
                        submit_next()
                    if interrupt["stop"]:
                        for future in [f for f in in_flight if f.cancel()]:
                            task = in_flight.pop(future)
                            if alone:
                                suspects.insert(0, task)
                    if broken:
                        break
            finally:
                if broken:
                    _kill_workers(procs)
                if not shared or broken:  # the warm pool stays up for the next request (a broken one is replaced)
                    pool.shutdown(wait=not broken, cancel_futures=True)
            if broken:  # whatever was still in flight with the dead worker is a suspect too
                suspects.extend(t for t in in_flight.values() if t not in suspects)


# -- the run ----------------------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    specs_dir: Path
    out_dir: Path
    outcomes: list[Outcome]
    clause_touched: dict[str, list[str]]  # "termination v1 → v2" -> agreements rebuilt with that change
    seconds: float
    restarts: int
    warnings: list[str]
    interrupted: bool = False
    signal: int | None = None  # what stopped it: SIGINT (Ctrl-C) or SIGTERM
    save_failed: bool = False  # the manifest or the report could not be written (a full disk)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> bool:
        """Exit 1: an agreement failed, or one that needed rebuilding was kept because it was edited by hand."""
        return self.count("failed") > 0 or self.count("kept") > 0 or self.save_failed


def run_batch(
    specs_dir: Path,
    out_dir: Path,
    library_root: Path | None = None,
    settings: Settings | None = None,
    jobs: int = 2,
    force: bool = False,
    pdf: bool = True,
    prune: bool = False,
    progress: Callable[[int], Callable[[dict], None]] | None = None,
    only: set[str] | None = None,
    warm: WarmPool | None = None,
    redlines: bool = True,
) -> BatchResult:
    """Rebuild what changed under specs_dir into out_dir; `progress(total)` returns a callback called per agreement."""
    started = time.perf_counter()
    settings = settings or Settings()
    library = read_library(library_root)  # as it is now: a long-lived process may have edited it since
    fp = Fingerprint.of(library, settings)
    with locked(out_dir):
        remove_stale_temps(out_dir, None, older_than=0)  # a killed run's half-written files: no run writes here but us
        manifest, warning = load_manifest(out_dir)
        warnings = [warning] if warning else []
        outcomes: dict[str, Outcome] = {}
        tasks: dict[str, Task] = {}
        clause_touched: dict[str, list[str]] = {}
        specs = find_specs(specs_dir, out_dir)
        if only is not None:  # these agreements only (`mou serve` builds one final): the others are not looked at
            specs = [(name, spec) for name, spec in specs if name in only]
            manifest_view = {name: entry for name, entry in manifest.items() if name in only}
        else:
            manifest_view = manifest
        for name, spec in specs:
            if name in outcomes or name in tasks:
                outcomes[spec.as_posix()] = Outcome(
                    spec.as_posix(),
                    "failed",
                    detail=(f"มีข้อกำหนดชื่อ {name} มากกว่าหนึ่งไฟล์ / two specs named {name} would write the same files"),
                )
                continue
            task = Task(name, spec, out_dir / Path(name).parent)
            decision = _decide(task, manifest.get(name), fp, library, settings, out_dir, force, pdf)
            if decision is None:
                task.redline = redlines and name in manifest  # built before: the changes are shown as a redline
                tasks[name] = task
            else:
                outcomes[name] = decision
        for outcome in outcomes.values():
            for change in outcome.clause_changes:
                mark = "ลงนามแล้ว / signed" if outcome.status == "signed" else "ไม่เขียนทับ / kept"
                clause_touched.setdefault(change, []).append(f"{outcome.name} ({mark})")
        names = {name for name, _ in specs}
        for name, entry in list(manifest_view.items()):
            if name not in names:
                outcomes[name] = _deleted(name, entry, out_dir, prune, manifest)

        restarts = 0
        callback = progress(len(tasks)) if progress and tasks else None

        def done(result: dict) -> None:
            nonlocal restarts
            name = result["name"]
            task = tasks[name]
            if "error" in result:
                detail = result["error"]
                if name in manifest:
                    detail += (
                        f"\nผลลัพธ์ที่สร้างเมื่อ {manifest[name]['built_at']} ยังคงอยู่ตามเดิม / "
                        f"the outputs built on {manifest[name]['built_at']} are left as they were"
                    )
                outcomes[name] = Outcome(name, "failed", detail=detail)
            else:
                prev = manifest.get(name)
                entry = _entry(result, fp, out_dir)
                reasons = _reasons(prev, entry) + task.extra
                if prev is not None and not pdf:
                    _drop_stale_pdf(prev, entry, out_dir, reasons)
                for change in clause_changes((prev or {}).get("clauses", {}), entry["clauses"]) if prev else []:
                    clause_touched.setdefault(change, []).append(name)
                manifest[name] = entry
                marked = result.get("redline", "")
                if marked.startswith("! "):
                    reasons = reasons + [("ทำเอกสารแสดงการแก้ไขไม่ได้", f"no redline: {marked[2:]}")]
                    marked = ""
                outcomes[name] = Outcome(
                    name,
                    "built",
                    reasons or [("สร้างซ้ำ", "rebuilt")],
                    redline=Path(marked).relative_to(out_dir).as_posix() if marked else "",
                )
                restarts += result.get("restarts", 0)
                try:
                    record(out_dir, name, entry)
                except OSError as exc:  # a full disk: the manifest at the end may still fit; say so once
                    note = f"บันทึกรายการระหว่างทางไม่ได้ / could not record progress in {out_dir / JOURNAL_NAME}: {exc.strerror or exc}"
                    if note not in warnings:
                        warnings.append(note)
            if callback:
                callback(result)

        stopped_by = None
        try:
            _run_tasks(list(tasks.values()), jobs, library_root, settings, pdf, done, warm=warm)
        except Stopped as exc:
            stopped_by = int(exc.signum)
        except KeyboardInterrupt:  # a second Ctrl-C: at once
            stopped_by = int(signal.SIGINT)
        finally:
            save_error = None
            try:
                save_manifest(out_dir, manifest)
            except MouError as exc:
                save_error = exc.format()
                warnings.append(
                    f"บันทึกรายการ (manifest) ไม่ได้ / the manifest was not saved: {save_error} "
                    f"(the agreements built are in the journal {JOURNAL_NAME} and the next run reads it)"
                )
        ordered = sorted(outcomes.values(), key=lambda o: o.name)
        result = BatchResult(
            specs_dir,
            out_dir,
            ordered,
            clause_touched,
            time.perf_counter() - started,
            restarts,
            warnings,
            stopped_by is not None,
            stopped_by,
            save_error is not None,
        )
        try:
            _save_report(result)
        except MouError as exc:
            result.warnings.append(f"บันทึกรายงานไม่ได้ / the report was not saved: {exc.format()}")
            result.save_failed = True
    return result


def _decide(
    task: Task,
    prev: dict | None,
    fp: Fingerprint,
    library: Library,
    settings: Settings,
    out_dir: Path,
    force: bool,
    pdf: bool,
) -> Outcome | None:
    """None when the agreement must be built (task.extra says any reason the manifest cannot show), else its outcome."""
    try:
        raw = task.spec.read_bytes()
    except OSError as exc:
        return Outcome(task.name, "failed", detail=f"{task.spec}: อ่านไฟล์ไม่ได้ / cannot read: {exc}")
    signed = signed_on(raw, task.spec)
    if signed:  # a signed agreement is never regenerated: what would have changed is said, and how to apply it
        would = (
            clause_changes(
                prev["clauses"],
                {
                    cid: {"version": library.clauses[cid].version, "sha256": library.files[cid]}
                    for cid in prev["clauses"]
                    if cid in library.clauses
                },
            )
            if prev
            else []
        )
        detail = (
            f"ลงนามแล้วเมื่อ {signed} จึงไม่สร้างใหม่"
            + (" การเปลี่ยนแปลงข้อสัญญาจะมีผลได้โดยทำบันทึกข้อตกลงแก้ไขเพิ่มเติม (mou amend)" if would else "")
            + f" / signed on {signed}: not regenerated"
            + (
                "; the clause changes above apply only through an amendment (mou amend SIGNED.yaml NEW.yaml)"
                if would
                else ""
            )
        )
        return Outcome(task.name, "signed", [(c, c) for c in would], detail=detail, clause_changes=would)
    if prev is None:
        foreign = [] if force else _foreign_outputs(task, out_dir, pdf)
        if foreign:
            return Outcome(task.name, "kept", [("ใหม่", "new")], detail=_kept_detail(foreign, None))
        return None
    missing, edited = _outputs_state(prev, out_dir)
    if pdf and not any(rel.endswith(".pdf") for rel in prev.get("outputs", {})):
        missing.append(task.name + ".pdf")  # built with --no-pdf last time
    inputs = fp.inputs(sha256(raw), prev["model"], prev["language"])
    recorded = prev["inputs"]
    same_clauses = all(library.files.get(cid) == c["sha256"] for cid, c in prev.get("clauses", {}).items())
    unchanged = same_clauses and inputs == recorded
    if not unchanged and same_clauses and _exact(inputs) == _exact(recorded):
        # only a clause it does not use changed: it still writes the same bytes unless it now uses other clauses
        unchanged = _uses_same_clauses(task.spec, prev, library, settings)
        if unchanged:
            prev["inputs"] = inputs  # remembered, so the next run decides at once
    if unchanged and not missing and not force:
        note = _kept_detail(edited, prev) if edited else ""
        return Outcome(task.name, "unchanged", detail=note)
    if edited and not force:
        pending = {
            "inputs": inputs,
            "language": prev["language"],
            "clauses": {
                cid: {"version": library.clauses[cid].version, "sha256": library.files[cid]}
                for cid in prev["clauses"]
                if cid in library.clauses
            },
        }
        reasons = (_reasons(prev, pending) if not unchanged else []) + [
            ("ไฟล์ผลลัพธ์หายไป", f"missing output {m}") for m in missing
        ]
        return Outcome(
            task.name,
            "kept",
            reasons,
            detail=_kept_detail(edited, prev),
            clause_changes=clause_changes(prev["clauses"], pending["clauses"]) if not unchanged else [],
        )
    task.extra += [("ไฟล์ผลลัพธ์หายไป", f"missing output {m}") for m in missing]
    if force and unchanged and not missing:
        task.extra.append(("สั่งสร้างใหม่ด้วย --force", "forced with --force"))
    return None


_SIGNED = re.compile(rb"(?m)^signed:")


def signed_on(raw: bytes, path: Path) -> str | None:
    """The date a spec says its agreement was signed (`signed: {date: …}`), read without building anything."""
    if not _SIGNED.search(raw):
        return None
    from pipeline.spec.source import parse

    data = parse(raw, str(path)).data
    signed = data.get("signed") if isinstance(data, dict) else None
    return str(signed.get("date")) if isinstance(signed, dict) and signed.get("date") else None


def _kept_detail(paths: list[str], prev: dict | None) -> str:
    files = ", ".join(paths)
    when = f" หลังสร้างเมื่อ {prev['built_at']}" if prev else ""
    when_en = f" since it was built on {prev['built_at']}" if prev else " and were not made by mou"
    return (
        f"{files}: มีการแก้ไขด้วยมือ{when} จึงไม่เขียนทับ (ใช้ --force เพื่อเขียนทับ) / "
        f"edited by hand{when_en}; not overwritten (use --force to overwrite)"
    )


def _entry(result: dict, fp: Fingerprint, out_dir: Path) -> dict:
    inputs = fp.inputs(result["spec_sha"], result["model"], result["language"])
    return {
        "spec": result["spec"],
        "key": agreement_key(inputs, result["clauses"]),
        "inputs": inputs,
        "model": result["model"],
        "language": result["language"],
        "clauses": result["clauses"],
        "outputs": {Path(p).relative_to(out_dir).as_posix(): d for p, d in result["outputs"].items()},
        "built_at": now(),
        "seconds": result["seconds"],
    }


def _drop_stale_pdf(prev: dict, entry: dict, out_dir: Path, reasons: list) -> None:
    """A --no-pdf rebuild removes the PDF of the previous build (unless edited by hand): it no longer matches."""
    for rel, digest in prev.get("outputs", {}).items():
        path = out_dir / rel
        if (
            rel.endswith(".pdf")
            and rel not in entry["outputs"]
            and path.exists()
            and sha256(path.read_bytes()) == digest
        ):
            path.unlink()
            reasons.append(
                ("ลบ PDF เดิมที่ไม่ตรงกับ DOCX ใหม่", f"removed the old {rel}, which no longer matches (--no-pdf)")
            )


def _deleted(name: str, entry: dict, out_dir: Path, prune: bool, manifest: dict) -> Outcome:
    """A manifest entry whose spec is gone: reported each run; --prune removes its outputs (unless edited by hand)."""
    outputs = list(entry.get("outputs", {}))
    if not prune:
        return Outcome(
            name,
            "deleted",
            detail=(
                f"ไม่พบไฟล์ข้อกำหนดแล้ว ยังเก็บ {', '.join(outputs)} ไว้ (ใช้ --prune เพื่อลบ) / "
                f"its spec is gone; {', '.join(outputs)} kept (use --prune to remove them)"
            ),
        )
    _, edited = _outputs_state(entry, out_dir)
    removed = []
    for rel in outputs:
        path = out_dir / rel
        if rel not in edited and path.exists():
            path.unlink()
            removed.append(rel)
    del manifest[name]
    detail = f"ลบ / removed {', '.join(removed) or '-'}"
    if edited:
        detail += f"; เก็บไฟล์ที่แก้ไขด้วยมือ / kept, edited by hand: {', '.join(edited)}"
    return Outcome(name, "pruned", detail=detail)


# -- the report -------------------------------------------------------------------------------------------------------

STATUS_LABELS = {
    "built": ("สร้างใหม่", "built"),
    "unchanged": ("ไม่เปลี่ยน", "unchanged"),
    "kept": ("ไม่เขียนทับ", "kept (edited by hand)"),
    "signed": ("ลงนามแล้ว ไม่สร้างใหม่", "signed — not regenerated"),
    "failed": ("ล้มเหลว", "failed"),
    "deleted": ("ข้อกำหนดถูกลบ", "spec deleted"),
    "pruned": ("ลบผลลัพธ์แล้ว", "pruned"),
}


def _reason_text(reasons: list[tuple[str, str]]) -> str:
    return "; ".join(en if th == en else f"{th} / {en}" for th, en in reasons)


def report_text(result: BatchResult) -> str:
    """The change report: why each agreement was rebuilt, which agreements each clause change touched, what was
    kept, failed or left without a spec, and the summary table."""
    lines = [f"mou batch {result.specs_dir} → {result.out_dir}  ({now()})"]
    lines += [f"! {w}" for w in result.warnings]
    if result.interrupted:
        lines.append("! หยุดกลางคัน: บันทึกเฉพาะที่สร้างเสร็จแล้ว / interrupted: only finished agreements were recorded")
    for status in ("built", "kept", "signed", "failed", "deleted", "pruned"):
        group = [o for o in result.outcomes if o.status == status]
        if not group:
            continue
        th, en = STATUS_LABELS[status]
        lines += ["", f"{th} / {en} ({len(group)})"]
        for o in group:
            text = _reason_text(o.reasons) if o.reasons else ""
            if status == "built":
                lines.append(f"  {o.name}: {text}" + (f" — การแก้ไข / redline: {o.redline}" if o.redline else ""))
            else:
                lines.append(f"  {o.name}: {text + ' — ' if text else ''}" + o.detail.replace("\n", "\n    "))
    edited = [o for o in result.outcomes if o.status == "unchanged" and o.detail]
    if edited:
        lines += ["", f"แก้ไขด้วยมือ (ไม่มีอะไรต้องสร้างใหม่) / edited by hand, nothing to rebuild ({len(edited)})"]
        lines += [f"  {o.name}: {o.detail}" for o in edited]
    if result.clause_touched:
        lines += ["", "ข้อสัญญาที่เปลี่ยนและข้อตกลงที่ได้รับผล / clause changes and the agreements they touched"]
        for change, names in sorted(result.clause_touched.items()):
            lines.append(f"  {change}: {len(names)} — {', '.join(sorted(names))}")
    lines += ["", summary_table(result)]
    return "\n".join(lines) + "\n"


def summary_table(result: BatchResult) -> str:
    rows = [
        (f"{th} / {en}", str(result.count(status)))
        for status, (th, en) in STATUS_LABELS.items()
        if result.count(status) or status in ("built", "unchanged", "failed")
    ]
    built = result.count("built")
    per = f" ({result.seconds / built:.2f} s per agreement built)" if built else ""
    rows.append(("เวลา / time", f"{result.seconds:.2f} s{per}"))
    if result.restarts:
        rows.append(("เริ่ม LibreOffice ใหม่ / LibreOffice restarts", str(result.restarts)))
    width = max(display_width(label) for label, _ in rows)
    return "\n".join(f"{label}{' ' * (width - display_width(label))}  {value}" for label, value in rows)


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: Thai vowels and tone marks above or below a letter take none."""
    return sum(1 for ch in text if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))


def _save_report(result: BatchResult) -> None:
    write_atomically({result.out_dir / REPORT_NAME: report_text(result).encode("utf-8")})


# -- provenance of one file ---------------------------------------------------------------------------------------------


def inspect_file(path: Path) -> list[tuple[str, str]]:
    """(label, value) rows: the provenance inside a DOCX or PDF, and what the batch manifest beside it records."""
    from pipeline.documents.check import document_provenance
    from pipeline.errors import DocumentError

    data = path.read_bytes()
    try:
        prov = document_provenance(data)
    except Exception as exc:  # python-docx and pypdf raise several types on a file that is neither
        raise DocumentError(f"อ่านเอกสารไม่ได้ / could not read '{path}' as DOCX or PDF: {exc}") from exc
    if "spec_hash" not in prov:
        raise DocumentError(
            f"ไม่พบข้อมูลที่มาใน '{path}' (ไม่ได้สร้างด้วย mou) / '{path}' carries no provenance: it was not made by mou"
        )
    clauses = [c for c in prov.get("clauses", "").split(",") if c]
    rows = [
        ("file", str(path)),
        ("spec hash", prov["spec_hash"]),
        ("model", prov.get("model", "?")),
        ("language", prov.get("language", "?")),
        ("template", prov.get("template", "?")),
        ("pipeline", prov.get("pipeline", "?")),
        ("draft", prov.get("draft", "?")),
    ]
    rows += [("clauses" if i == 0 else "", c.replace("@", " ")) for i, c in enumerate(clauses)]
    found = find_manifest(path.resolve())
    if found:
        folder, agreements = found
        rel = path.resolve().relative_to(folder).as_posix()
        for name, entry in agreements.items():
            if rel in entry["outputs"]:
                same = entry["outputs"][rel] == sha256(data)
                rows += [
                    ("spec", entry.get("spec", name)),
                    ("built", entry["built_at"]),
                    (
                        "manifest",
                        "ตรงกับที่สร้าง / as built"
                        if same
                        else "แก้ไขหลังสร้าง (mou batch จะไม่เขียนทับโดยไม่มี --force) / edited since it was built "
                        "(mou batch will not overwrite it without --force)",
                    ),
                ]
                break
    return rows
