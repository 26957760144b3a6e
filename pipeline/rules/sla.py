"""The SLA (SPEC §2, NHS practice): required for a long and large performance agreement, never in a grant, at most
twelve months each, inside the term, the yearly SLAs end to start."""

from __future__ import annotations

import datetime as dt

from pipeline import values
from pipeline.library.clauses import Library
from pipeline.spec.model import Sla, Spec
from pipeline.spec.settings import Settings
from pipeline.spec.source import dotted
from pipeline.values import money_figures, months_between

from .facts import Add, sla_required


def check(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    if sla_required(spec, settings) and spec.sla is None:
        add(
            ("sla",),
            f"ต้องมีข้อตกลงระดับการให้บริการ (SLA) เพราะระยะเวลาตั้งแต่ {settings.sla_min_term_months} เดือนและงบประมาณตั้งแต่ {money_figures(settings.sla_threshold)} บาท",
            f"an SLA is required: the term is at least {settings.sla_min_term_months} months and the total at least {money_figures(settings.sla_threshold)} baht",
        )
    for path, _sla in _slas(spec):
        if spec.model == "grant":
            add(
                path,
                "รูปแบบการให้เงินอุดหนุนไม่มีข้อตกลงระดับการให้บริการ (SLA) ซึ่งใช้กับรูปแบบการทำสัญญาข้อตกลง (และอาจใช้กับรูปแบบกลไกขับเคลื่อนงาน)",
                "a grant carries no SLA: SLAs belong to the performance model (and a commissioning agreement may carry one)",
            )


def _slas(spec: Spec) -> list[tuple[tuple[str | int, ...], Sla]]:
    """(path, SLA) of the first year's SLA and of every later year's."""
    out: list[tuple[tuple[str | int, ...], Sla]] = [(("sla",), spec.sla)] if spec.sla else []
    return out + [(("sla_renewals", k), s) for k, s in enumerate(spec.sla_renewals)]


def periods(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    """Each SLA's period: after its start, within the term, at most a year — rules on dates, so a signed spec is held
    to them too (the next year's SLA is added to a signed agreement: SPEC §2)."""
    term = spec.term

    def in_term(d: dt.date) -> bool:
        return term.start <= d <= term.end

    span_th = "ระยะเวลาดำเนินการ"
    for path, sla in _slas(spec):
        if sla.start >= sla.end:
            add(path + ("end",), "วันสิ้นสุดของ SLA ต้องอยู่หลังวันเริ่มต้น", "sla.end must be after sla.start")
        for key in ("start", "end"):
            if not in_term(getattr(sla, key)):
                add(path + (key,), f"ช่วงเวลาของ SLA ต้องอยู่ใน{span_th}", f"{dotted(path)}.{key} must lie within the term")
        if months_between(sla.start, sla.end) > settings.sla_max_months:
            add(
                path + ("end",),
                f"SLA แต่ละฉบับมีอายุได้ไม่เกิน {settings.sla_max_months} เดือน แล้วทบทวนและต่ออายุเป็นรายปี",
                f"an SLA lasts at most {settings.sla_max_months} months and is renewed yearly",
            )


def renewals(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    # The yearly SLAs follow each other: year 2 starts the day after year 1 ends, and so on (no gap, no overlap).
    previous = spec.sla
    for k, renewal in enumerate(spec.sla_renewals):
        path = ("sla_renewals", k)
        if renewal.signing is not None and not spec.signing.date <= renewal.signing.date <= renewal.start:
            add(
                path + ("signing", "date"),
                f"SLA ปีที่ {k + 2} ต้องลงนามไม่ก่อนวันลงนามบันทึกข้อตกลงและไม่หลังวันเริ่มต้น ({values.date(renewal.start, 'th')})",
                f"the SLA of year {k + 2} is signed after the agreement and no later than its start ({values.date(renewal.start, 'en')})",
            )
        if previous is None:
            add(path, "SLA ปีต่อไปต้องมี SLA ปีที่ 1 (sla) ก่อน", "sla_renewals need the first year's SLA (sla) first")
            break
        expected = previous.end + dt.timedelta(days=1)
        if renewal.start != expected:
            kind_th, kind_en = ("เว้นช่วง", "a gap") if renewal.start > expected else ("ซ้อนกับปีก่อน", "an overlap")
            add(
                path + ("start",),
                f"SLA ปีที่ {k + 2} ต้องเริ่มวันที่ {values.date(expected, 'th')} ต่อจากปีที่ {k + 1} ทันที (ตอนนี้{kind_th})",
                f"the year-{k + 2} SLA must start on {expected.isoformat()}, the day after year {k + 1} ends ({kind_en} now)",
            )
        previous = renewal
