"""The batch for legal officers: rebuild every agreement of the workspace, and the last report."""

from __future__ import annotations

from flask import Blueprint, render_template

from pipeline.run.manifest import REPORT_NAME
from pipeline.run.report import report_text
from pipeline.store.workspace import OUT
from pipeline.web.builds import run_here
from pipeline.web.context import legal_only, office

bp = Blueprint("batch", __name__)


@bp.post("/batch")
def batch():
    legal_only()
    result, message = run_here(only=None)
    text = report_text(result) if result is not None else message
    return render_template("report.html", report=text)


@bp.get("/report")
def last_report():
    ws = office().ws
    legal_only()
    path = ws.root / OUT / REPORT_NAME
    return render_template("report.html", report=path.read_text(encoding="utf-8") if path.is_file() else "")
