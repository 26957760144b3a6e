"""Drafts and finals, built by the warm workers of `mou batch` (each with its LibreOffice kept up), or here when the
app has no pool; finals go through the batch machinery itself, so its manifest and change report stay true."""

from __future__ import annotations

from pipeline.errors import MouError
from pipeline.run.batch import run_batch
from pipeline.run.key import sha256
from pipeline.run.manifest import BatchLocked
from pipeline.run.plan import Task
from pipeline.run.pool import build_here
from pipeline.store.files import write_atomically
from pipeline.store.workspace import DRAFTS, OUT, Workspace
from pipeline.web.context import missing_of, office, problems_of
from pipeline.web.strings import t
from pipeline.web.words import field_label, question_label


def draft_is_current(ws: Workspace, name: str, spec_sha: str | None) -> bool:
    stamp = ws.root / DRAFTS / f"{name}.sha256"
    return (
        bool(spec_sha)
        and stamp.is_file()
        and stamp.read_text().strip() == spec_sha
        and (ws.root / DRAFTS / f"{name}.pdf").is_file()
    )


def build_draft(name: str) -> str | None:
    """Build (or reuse) the draft of a complete agreement; returns a message when there is none to build."""
    ctx = office()
    ws = ctx.ws
    agreement = ws.load(name)
    if ws.answers_path(name).is_file() or not ws.spec_path(name).is_file():
        what = [question_label(q) for q in missing_of(agreement.answers)] or [
            field_label(p.field) for p in problems_of(agreement.answers)
        ]
        return t("fix_first") + ": " + ", ".join(what[:8])
    with ctx.record.lock(f"draft:{name}", expires=ctx.settings.convert_timeout * 4):  # one build at a time
        raw = ws.spec_path(name).read_bytes()
        spec_sha = sha256(raw)
        if draft_is_current(ws, name, spec_sha):
            return None
        folder = ws.root / DRAFTS
        folder.mkdir(exist_ok=True)
        spec = folder / f"{name}.yaml"
        write_atomically({spec: raw})
        task = Task(name, spec, folder, draft=True)
        pool = ctx.pool
        if pool is not None:
            result = pool.build(task)
        else:  # no pool (a test of the pages alone): build here, DOCX and PDF with a LibreOffice of its own
            result = build_here(task, ctx.library_dir, ctx.settings)
        if "error" in result:
            return result["error"]
        write_atomically({folder / f"{name}.sha256": spec_sha.encode()})
    return None


def run_here(only: set[str] | None):
    ctx = office()
    ws = ctx.ws
    try:
        result = run_batch(ws.root, ws.root / OUT, ctx.library_dir, ctx.settings, jobs=2, only=only, warm=ctx.pool)
    except BatchLocked as exc:
        return None, str(exc)
    except MouError as exc:
        return None, exc.format()
    return result, None


def first_failure(result) -> str:
    if result is None:
        return ""
    failed = [o for o in result.outcomes if o.status in ("failed", "kept")]
    return failed[0].detail.split("\n")[0] if failed else ""
