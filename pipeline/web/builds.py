"""Drafts, finals, the SLA of year N, amendments and the batch, as jobs of the server's one queue (web/jobs.py): each
built by the warm workers of `mou batch` (each with its LibreOffice kept up), or here one at a time when the app has
no pool; finals go through the batch machinery itself, so its manifest and change report stay true. Each function
takes the office itself (a job runs outside any request) and answers (ok, message in Thai and English, result)."""

from __future__ import annotations

import datetime as dt

from pipeline.api import recorded_paid
from pipeline.errors import MouError
from pipeline.run.batch import BatchOptions, run_batch
from pipeline.run.key import sha256
from pipeline.run.manifest import BatchLocked
from pipeline.run.plan import Task
from pipeline.run.pool import build_here, document_here
from pipeline.run.status import draft_is_current
from pipeline.store.files import write_atomically
from pipeline.store.workspace import DRAFTS, OUT
from pipeline.web.context import Office

Outcome = tuple[bool, str, object]


def draft_work(ctx: Office, name: str) -> Outcome:
    """Build (or reuse) the draft of a complete agreement."""
    ws = ctx.ws
    with ctx.record.lock(f"draft:{name}", expires=ctx.settings.convert_timeout * 4):  # one build at a time
        raw = ws.spec_path(name).read_bytes()
        spec_sha = sha256(raw)
        if draft_is_current(ws, name, spec_sha):
            return True, "", None
        folder = ws.root / DRAFTS
        folder.mkdir(exist_ok=True)
        spec = folder / f"{name}.yaml"
        write_atomically({spec: raw})
        task = Task(name, spec, folder, draft=True)
        result = ctx.pool.build(task) if ctx.pool is not None else build_here(task, ctx.library_dir, ctx.settings)
        if "error" in result:
            return False, result["error"], None
        write_atomically({folder / f"{name}.sha256": spec_sha.encode()})
    return True, "", None


def run_here(ctx: Office, only: set[str] | None):
    ws = ctx.ws
    try:
        options = BatchOptions(jobs=2, only=frozenset(only) if only is not None else None)
        result = run_batch(ws.root, ws.root / OUT, ctx.library_dir, ctx.settings, options, warm=ctx.pool)
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


def final_work(ctx: Office, name: str) -> Outcome:
    result, message = run_here(ctx, only={name})
    if result is not None and not result.failed:
        return True, "", result
    return False, message or first_failure(result), result


def batch_work(ctx: Office) -> Outcome:
    result, message = run_here(ctx, only=None)
    return result is not None, message or "", result


def _document(ctx: Office, what: str, args: tuple) -> Outcome:
    if ctx.pool is not None:
        result = ctx.pool.document(what, args, timeout=ctx.settings.convert_timeout * 4)
    else:
        result = document_here(what, args, ctx.library_dir, ctx.settings)
    return ("error" not in result), result.get("error", ""), None


def sla_work(ctx: Office, name: str, year: int, final: bool) -> Outcome:
    """The SLA of year N: a final (legal officers) into out/, or a draft (coordinators) into .drafts/."""
    out = ctx.ws.root / (OUT if final else DRAFTS)
    return _document(ctx, "sla", (ctx.ws.spec_path(name), year, out, not final))


def amendment_work(ctx: Office, name: str, signed_name: str, number: int, when: dt.date | None) -> Outcome:
    paid = recorded_paid(ctx.record.statuses(), signed_name)  # marked paid in the calendar: paid, whatever its due
    args = (ctx.ws.spec_path(signed_name), ctx.ws.spec_path(name), ctx.ws.root / OUT, number, when, paid)
    return _document(ctx, "amendment", args)
