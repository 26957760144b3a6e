"""`mou batch`: regenerate every agreement of a folder, only what changed, in parallel workers; the recipe of a run."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
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
