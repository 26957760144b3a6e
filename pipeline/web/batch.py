"""The batch for legal officers: rebuild every agreement of the workspace, and the last report."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, session, url_for

from pipeline.run.manifest import REPORT_NAME
from pipeline.run.report import BatchResult, report_text
from pipeline.store.workspace import OUT
from pipeline.web.builds import batch_work
from pipeline.web.context import ask, legal_officers_only, office
from pipeline.web.jobs import REFRESH
from pipeline.web.strings import UI as STATUS
from pipeline.web.strings import t

bp = Blueprint("batch", __name__)


@bp.post("/batch")
@legal_officers_only
def batch():
    """The whole workspace rebuilt: queued (one batch at a time), its report shown once it has run."""
    ctx = office()
    session["notice"] = ask("batch", lambda: batch_work(ctx))
    return redirect(url_for("batch.last_report"))


@bp.get("/report")
@legal_officers_only
def last_report():
    """The batch running (the page reloads itself), the table of the batch just run, or the last report's text."""
    ws = office().ws
    job = office().jobs.get("batch")
    if job is not None and job.state.active:
        return render_template("building.html", message=t("building_now").format(what=t("batch")), refresh=REFRESH)
    notice = session.pop("notice", None) if job is None else None
    if job is not None:
        office().jobs.take("batch")
        result = job.result
        text = report_text(result) if isinstance(result, BatchResult) else job.message
        return render_template("report.html", report=text, rows=_rows(ws, result))
    path = ws.root / OUT / REPORT_NAME
    return render_template(
        "report.html", report=path.read_text(encoding="utf-8") if path.is_file() else "", rows=[], message=notice
    )


def _rows(ws, result) -> list[dict]:
    return [
        {
            "name": o.name,
            "status": t(f"batch_{o.status}") if f"batch_{o.status}" in STATUS else o.status,
            "status_id": o.status,
            "why": "; ".join(th if g.lang == "th" else en for th, en in o.reasons) or o.detail.split("\n")[0],
            "pdf": (ws.root / OUT / f"{o.name}.pdf").is_file() and ws.exists(o.name),
            "review": ws.exists(o.name),
        }
        for o in (result.outcomes if result is not None else [])
    ]
