"""`mou batch`: regenerate every agreement of a folder, only what changed, in parallel workers; the recipe of a run."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import MouError
from pipeline.library.clauses import read_library
from pipeline.run.key import Fingerprint
from pipeline.run.manifest import JOURNAL_NAME, load_manifest, locked, record, save_manifest
from pipeline.run.plan import (
    Outcome,
    Task,
    _decide,
    _deleted,
    _drop_stale_pdf,
    _entry,
    _reasons,
    clause_changes,
    find_specs,
)
from pipeline.run.pool import Stopped, WarmPool, _run_tasks
from pipeline.run.report import BatchResult, _save_report
from pipeline.spec.settings import Settings
from pipeline.store.files import remove_stale_temps

# -- the run ----------------------------------------------------------------------------------------------------------


@dataclass
class _Run:
    """What one run learns as it goes: the manifest it updates, each agreement's outcome, the tasks to build."""

    out_dir: Path
    fp: Fingerprint
    pdf: bool
    manifest: dict
    warnings: list
    outcomes: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)
    clause_touched: dict = field(default_factory=dict)
    restarts: int = 0
    callback: Callable[[dict], None] | None = None

    def plan(self, specs, manifest_view, library, settings, force: bool, redlines: bool, prune: bool) -> None:
        """Decide for every spec: build it (a task), or why not (an outcome); agreements whose spec is gone too."""
        for name, spec in specs:
            if name in self.outcomes or name in self.tasks:
                self.outcomes[spec.as_posix()] = Outcome(
                    spec.as_posix(),
                    "failed",
                    detail=(f"มีข้อกำหนดชื่อ {name} มากกว่าหนึ่งไฟล์ / two specs named {name} would write the same files"),
                )
                continue
            task = Task(name, spec, self.out_dir / Path(name).parent)
            decision = _decide(task, self.manifest.get(name), self.fp, library, settings, self.out_dir, force, self.pdf)
            if decision is None:
                task.redline = redlines and name in self.manifest  # built before: the changes are shown as a redline
                self.tasks[name] = task
            else:
                self.outcomes[name] = decision
        for outcome in self.outcomes.values():
            for change in outcome.clause_changes:
                mark = "ลงนามแล้ว / signed" if outcome.status == "signed" else "ไม่เขียนทับ / kept"
                self.clause_touched.setdefault(change, []).append(f"{outcome.name} ({mark})")
        names = {name for name, _ in specs}
        for name, entry in list(manifest_view.items()):
            if name not in names:
                self.outcomes[name] = _deleted(name, entry, self.out_dir, prune, self.manifest)

    def done(self, result: dict) -> None:
        """One agreement built (or failed): its outcome, its manifest entry, recorded at once in the journal."""
        name = result["name"]
        if "error" in result:
            self.failed(name, result["error"])
        else:
            self.built(name, result)
        if self.callback:
            self.callback(result)

    def failed(self, name: str, detail: str) -> None:
        if name in self.manifest:
            detail += (
                f"\nผลลัพธ์ที่สร้างเมื่อ {self.manifest[name]['built_at']} ยังคงอยู่ตามเดิม / "
                f"the outputs built on {self.manifest[name]['built_at']} are left as they were"
            )
        self.outcomes[name] = Outcome(name, "failed", detail=detail)

    def built(self, name: str, result: dict) -> None:
        out_dir, prev = self.out_dir, self.manifest.get(name)
        entry = _entry(result, self.fp, out_dir)
        reasons = _reasons(prev, entry) + self.tasks[name].extra
        if prev is not None and not self.pdf:
            _drop_stale_pdf(prev, entry, out_dir, reasons)
        for change in clause_changes((prev or {}).get("clauses", {}), entry["clauses"]) if prev else []:
            self.clause_touched.setdefault(change, []).append(name)
        self.manifest[name] = entry
        marked = result.get("redline", "")
        if marked.startswith("! "):
            reasons = reasons + [("ทำเอกสารแสดงการแก้ไขไม่ได้", f"no redline: {marked[2:]}")]
            marked = ""
        self.outcomes[name] = Outcome(
            name,
            "built",
            reasons or [("สร้างซ้ำ", "rebuilt")],
            redline=Path(marked).relative_to(out_dir).as_posix() if marked else "",
        )
        self.restarts += result.get("restarts", 0)
        try:
            record(out_dir, name, entry)
        except OSError as exc:  # a full disk: the manifest at the end may still fit; say so once
            note = f"บันทึกรายการระหว่างทางไม่ได้ / could not record progress in {out_dir / JOURNAL_NAME}: {exc.strerror or exc}"
            if note not in self.warnings:
                self.warnings.append(note)

    def save(self) -> str | None:
        """The manifest, at the end of the run (however it ended); the error, when it could not be saved."""
        try:
            save_manifest(self.out_dir, self.manifest)
        except MouError as exc:
            self.warnings.append(
                f"บันทึกรายการ (manifest) ไม่ได้ / the manifest was not saved: {exc.format()} "
                f"(the agreements built are in the journal {JOURNAL_NAME} and the next run reads it)"
            )
            return exc.format()
        return None


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs: `jobs` workers; `force` rebuilds everything; `pdf` (else DOCX only); `prune` removes the
    outputs of specs that are gone; `only` these agreements (the others are not looked at); `redlines` of what a
    rebuild changed."""

    jobs: int = 2
    force: bool = False
    pdf: bool = True
    prune: bool = False
    only: frozenset[str] | None = None
    redlines: bool = True


def run_batch(
    specs_dir: Path,
    out_dir: Path,
    library_root: Path | None = None,
    settings: Settings | None = None,
    options: BatchOptions | None = None,
    *,
    progress: Callable[[int], Callable[[dict], None]] | None = None,
    warm: WarmPool | None = None,
) -> BatchResult:
    """Rebuild what changed under specs_dir into out_dir; `progress(total)` returns a callback called per agreement;
    `warm`: the server's warm workers, used instead of starting a pool."""
    options = options or BatchOptions()
    jobs, force, pdf, prune, only, redlines = (
        options.jobs,
        options.force,
        options.pdf,
        options.prune,
        options.only,
        options.redlines,
    )
    started = time.perf_counter()
    settings = settings or Settings()
    library = read_library(library_root)  # as it is now: a long-lived process may have edited it since
    with locked(out_dir):
        remove_stale_temps(out_dir, None, older_than=0)  # a killed run's half-written files: no run writes here but us
        manifest, warning = load_manifest(out_dir)
        run = _Run(out_dir, Fingerprint.of(library, settings), pdf, manifest, [warning] if warning else [])
        specs = find_specs(specs_dir, out_dir)
        if only is not None:  # these agreements only (`mou serve` builds one final): the others are not looked at
            specs = [(name, spec) for name, spec in specs if name in only]
        manifest_view = manifest if only is None else {n: e for n, e in manifest.items() if n in only}
        run.plan(specs, manifest_view, library, settings, force, redlines, prune)
        run.callback = progress(len(run.tasks)) if progress and run.tasks else None
        stopped_by = save_error = None
        try:
            _run_tasks(list(run.tasks.values()), jobs, library_root, settings, pdf, run.done, warm=warm)
        except Stopped as exc:
            stopped_by = int(exc.signum)
        except KeyboardInterrupt:  # a second Ctrl-C: at once
            stopped_by = int(signal.SIGINT)
        finally:
            save_error = run.save()
        result = BatchResult(
            specs_dir,
            out_dir,
            sorted(run.outcomes.values(), key=lambda o: o.name),
            run.clause_touched,
            time.perf_counter() - started,
            run.restarts,
            run.warnings,
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
