"""Dates (SPEC §2): the term in order, the signing before it, every dated item inside it and in order."""

from __future__ import annotations

import datetime as dt

from pipeline import values
from pipeline.library.clauses import Library
from pipeline.spec.model import Spec
from pipeline.spec.settings import Settings
from pipeline.spec.source import dotted

from .facts import FINAL_LATE_DAYS, Add, final_report_due, waits_for_final

SPAN_TH = "ระยะเวลาดำเนินการ"


def check(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    """The term, then the instalments, the evaluations and the action plan, in that order."""
    _term(spec, add)
    _instalments(spec, add)
    _evaluations(spec, add)
    _action_plan(spec, add)


def _in_term(spec: Spec, d: dt.date) -> bool:
    return bool(spec.term.start <= d <= spec.term.end)


def _term(spec: Spec, add: Add) -> None:
    term = spec.term
    if term.start >= term.end:
        add(("term", "end"), "วันสิ้นสุดต้องอยู่หลังวันเริ่มต้นของระยะเวลาดำเนินการ", "term.end must be after term.start")
    if spec.signing.date > term.start:
        add(
            ("signing", "date"),
            "วันลงนามต้องไม่อยู่หลังวันเริ่มต้นของระยะเวลาดำเนินการ",
            "the signing date must not be after term.start",
        )


def _instalments(spec: Spec, add: Add) -> None:
    term, span_th = spec.term, SPAN_TH
    report_due = final_report_due(spec)
    for i, inst in enumerate(spec.instalments):
        if inst.due > term.end and waits_for_final(inst):
            if inst.due <= report_due:
                add(
                    ("instalments", i, "due"),
                    f"งวดที่ {i + 1} รอการประเมินผลหลังสิ้นสุดและครบกำหนดหลังสิ้นสุด{span_th} จึงต้องครบกำหนดหลังวันส่งรายงานฉบับสมบูรณ์ "
                    f"({values.date(report_due, 'th')})",
                    f"instalment {i + 1} waits for the final evaluation after the term, so it must fall due after the "
                    f"final report is due ({report_due})",
                )
        elif not _in_term(spec, inst.due):
            add(
                ("instalments", i, "due"),
                f"วันครบกำหนดจ่ายเงินงวดต้องอยู่ใน{span_th}",
                "the instalment due date must lie within the term",
            )
        if i and inst.due < spec.instalments[i - 1].due:
            add(
                ("instalments", i, "due"),
                "งวดเงินต้องเรียงตามวันครบกำหนด",
                "instalments must be in order of their due dates",
            )


def _evaluations(spec: Spec, add: Add) -> None:
    term, ev, span_th = spec.term, spec.evaluation, SPAN_TH
    midterms = ev.midterms
    scheduled = [
        (("evaluation", "midterm") + ((k,) if isinstance(ev.midterm, list) else ()), d) for k, d in enumerate(midterms)
    ]
    scheduled += [(("evaluation", "yearly", k), d) for k, d in enumerate(ev.yearly)] + [
        (("evaluation", "final"), ev.final)
    ]
    late = (ev.final - term.end).days
    if late > FINAL_LATE_DAYS:
        add(
            ("evaluation", "final"),
            f"การประเมินผลหลังสิ้นสุดต้องอยู่ภายใน {FINAL_LATE_DAYS} วันนับแต่สิ้นสุด{span_th} "
            f"(ไม่เกิน {values.date(term.end + dt.timedelta(days=FINAL_LATE_DAYS), 'th')})",
            f"the final evaluation must lie within {FINAL_LATE_DAYS} days after the term "
            f"(by {term.end + dt.timedelta(days=FINAL_LATE_DAYS)})",
        )
    elif ev.final < term.start:
        add(("evaluation", "final"), f"วันประเมินผลต้องอยู่ใน{span_th}", "evaluation.final must lie within the term")
    for path, d in scheduled[:-1]:
        if not _in_term(spec, d):
            add(path, f"วันประเมินผลต้องอยู่ใน{span_th}", f"{dotted(path)} must lie within the term")
    for path, d in scheduled[:-1]:
        if d >= ev.final:
            add(
                path,
                "การประเมินผลระยะกลางและประจำปีต้องอยู่ก่อนการประเมินผลหลังสิ้นสุด",
                "mid-term and yearly evaluations must come before the final one",
            )
    for name, dates in (("midterm", midterms), ("yearly", ev.yearly)):
        if any(b <= a for a, b in zip(dates, dates[1:])):
            add(("evaluation", name), "วันประเมินผลต้องเรียงตามลำดับเวลา", f"evaluation.{name} dates must be in order")


def _action_plan(spec: Spec, add: Add) -> None:
    span_th = SPAN_TH
    for i, act in enumerate(spec.action_plan):
        for key in ("start", "end"):
            if not _in_term(spec, getattr(act, key)):
                add(
                    ("action_plan", i, key),
                    f"กิจกรรมในแผนปฏิบัติการต้องอยู่ใน{span_th}",
                    f"action_plan {key} must lie within the term",
                )
        if act.start > act.end:
            add(("action_plan", i, "end"), "วันสิ้นสุดกิจกรรมต้องไม่อยู่ก่อนวันเริ่มต้น", "an activity must not end before it starts")
