"""The batch for legal officers: rebuild every agreement of the workspace, and the last report."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from pipeline.run.manifest import REPORT_NAME
from pipeline.run.report import report_text
from pipeline.store.workspace import OUT
from pipeline.web.builds import run_here
from pipeline.web.context import legal_only, office
from pipeline.web.strings import UI as STATUS
from pipeline.web.strings import t

bp = Blueprint("batch", __name__)


@bp.post("/batch")
def batch():
    legal_only()
    result, message = run_here(only=None)
    text = report_text(result) if result is not None else message
    ws = office().ws
    rows = [
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
    return render_template("report.html", report=text, rows=rows)


@bp.get("/report")
def last_report():
    ws = office().ws
    legal_only()
    path = ws.root / OUT / REPORT_NAME
    return render_template("report.html", report=path.read_text(encoding="utf-8") if path.is_file() else "")
