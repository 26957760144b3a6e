"""The rules of SPEC.md §2 and the required sections of §3, checked on a typed spec; each failure names its field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from . import thai
from .library import Library
from .settings import Settings
from .spec import Spec
from .thai import arabic_digits, fiscal_year, money_figures, months_between, number, to_money
from .yamlsource import dotted


@dataclass(frozen=True)
class Finding:
    path: tuple
    th: str
    en: str
    warning: bool = False  # a warning does not stop a build (unless --strict)


def delegator_amount(spec: Spec) -> Decimal:
    return sum((s.amount for s in spec.budget.sources if s.provider == "delegator"), Decimal(0))


def instalment_amounts(spec: Spec) -> list[Decimal]:
    """What each instalment pays, in baht: its amount, or its percent of the delegator's money."""
    base = delegator_amount(spec)
    return [i.amount if i.amount is not None else to_money(base * (i.percent or 0) / 100) for i in spec.instalments]


def sla_required(spec: Spec, settings: Settings) -> bool:
    """The manual gives SLAs (NHS practice) in the performance model: required there for a long, large enough one."""
    return (
        spec.model == "performance"
        and months_between(spec.term.start, spec.term.end) >= settings.sla_min_term_months
        and spec.budget.total >= settings.sla_threshold
    )


def section_status(library: Library, section_id: str, model: str) -> str | None:
    return library.section(section_id).models.get(model)


# Evaluations a free-text condition may name, in Thai and English: the `after` value each stands for.
_NAMED = (
    (
        re.compile(
            r"ประเมินผล(?:การดำเนินงาน)?ระยะกลาง(?:\s*ครั้งที่\s*([0-9๐-๙]+))?|mid-?term evaluation(?:\s+(?:no\.?\s*)?([0-9]+))?",
            re.I,
        ),
        "midterm",
    ),
    (
        re.compile(
            r"ประเมินผล(?:การดำเนินงาน)?ประจำปี(?:\s*(?:ที่|ครั้งที่)\s*([0-9๐-๙]+))?|(?:yearly|annual) evaluation(?:\s+(?:no\.?\s*)?([0-9]+))?",
            re.I,
        ),
        "yearly",
    ),
    (re.compile(r"ประเมินผล(?:การดำเนินงาน)?หลังสิ้นสุด|final evaluation", re.I), "final"),
)


def named_evaluations(text: str | None) -> list[str]:
    """The evaluations a condition names, as `after` values: "เมื่อผ่านการประเมินผลประจำปีที่ ๑" -> ["yearly 1"]."""
    out = []
    for pattern, kind in _NAMED:
        for m in pattern.finditer(text or ""):
            n = next((g for g in m.groups() if g), None)
            out.append(f"{kind} {arabic_digits(n)}" if n else kind)
    return out


def evaluation_date(spec: Spec, after: str) -> dt.date | None:
    """The date of the evaluation an `after` value names, or None when the spec does not schedule it."""
    ev = spec.evaluation
    kind, _, n = after.partition(" ")
    if kind == "signing":
        return spec.signing.date
    if kind == "final":
        return ev.final
    dates = ev.midterms if kind == "midterm" else ev.yearly
    index = int(n) - 1 if n else 0
    return dates[index] if 0 <= index < len(dates) else None


def payment_years(spec: Spec) -> dict[int, Decimal]:
    """The delegator's instalments by the Thai fiscal year they fall due in."""
    out: dict[int, Decimal] = {}
    for inst, amount in zip(spec.instalments, instalment_amounts(spec)):
        year = fiscal_year(inst.due)
        out[year] = out.get(year, Decimal(0)) + amount
    return out


def later_fiscal_years(spec: Spec) -> list[int]:
    """The fiscal years after the signing's in which the delegator pays (an instalment falls due, or its money is
    named for that year): those payments depend on a later allocation, and the agreement says so."""
    signed = fiscal_year(spec.signing.date)
    years = {fiscal_year(i.due) for i in spec.instalments}
    for s in spec.budget.sources:
        if s.provider == "delegator":
            years |= set(s.fiscal_years or ()) | ({s.fiscal_year} if s.fiscal_year is not None else set())
    return sorted(y for y in years if y > signed)


def unit_cost_exact(spec: Spec) -> bool:
    uc = spec.budget.unit_cost
    return uc is None or uc.amount * uc.quantity == spec.budget.total


_EVAL_TH = {
    "midterm": "การประเมินผลระยะกลาง",
    "yearly": "การประเมินผลประจำปี",
    "final": "การประเมินผลหลังสิ้นสุด",
    "signing": "การลงนาม",
}
_EVAL_EN = {
    "midterm": "mid-term evaluation",
    "yearly": "yearly evaluation",
    "final": "final evaluation",
    "signing": "signing",
}


def _eval_words(after: str) -> tuple[str, str]:
    kind, _, n = after.partition(" ")
    return _EVAL_TH[kind] + (f" ครั้งที่ {n}" if n else ""), _EVAL_EN[kind] + (f" {n}" if n else "")


def check(spec: Spec, settings: Settings, library: Library) -> list[Finding]:
    """Every rule, every failure: nothing stops at the first. Warnings are Findings with warning=True."""
    out: list[Finding] = []
    add = lambda path, th, en, warning=False: out.append(Finding(tuple(path), th, en, warning))  # noqa: E731
    term = spec.term
    in_term = lambda d: term.start <= d <= term.end  # noqa: E731
    span_th = "ระยะเวลาดำเนินการ"
    ev = spec.evaluation

    # Dates.
    if term.start >= term.end:
        add(("term", "end"), "วันสิ้นสุดต้องอยู่หลังวันเริ่มต้นของระยะเวลาดำเนินการ", "term.end must be after term.start")
    if spec.signing.date > term.start:
        add(
            ("signing", "date"),
            "วันลงนามต้องไม่อยู่หลังวันเริ่มต้นของระยะเวลาดำเนินการ",
            "the signing date must not be after term.start",
        )
    for i, inst in enumerate(spec.instalments):
        if not in_term(inst.due):
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
    midterms = ev.midterms
    scheduled = [
        (("evaluation", "midterm") + ((k,) if isinstance(ev.midterm, list) else ()), d) for k, d in enumerate(midterms)
    ]
    scheduled += [(("evaluation", "yearly", k), d) for k, d in enumerate(ev.yearly)] + [
        (("evaluation", "final"), ev.final)
    ]
    for path, d in scheduled:
        if not in_term(d):
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
    for i, act in enumerate(spec.action_plan):
        for key in ("start", "end"):
            if not in_term(getattr(act, key)):
                add(
                    ("action_plan", i, key),
                    f"กิจกรรมในแผนปฏิบัติการต้องอยู่ใน{span_th}",
                    f"action_plan {key} must lie within the term",
                )
        if act.start > act.end:
            add(("action_plan", i, "end"), "วันสิ้นสุดกิจกรรมต้องไม่อยู่ก่อนวันเริ่มต้น", "an activity must not end before it starts")

    # Money.
    total = spec.budget.total
    sources = sum((s.amount for s in spec.budget.sources), Decimal(0))
    if sources != total:
        add(
            ("budget", "sources"),
            f"แหล่งงบประมาณรวมกันได้ {money_figures(sources)} บาท ไม่เท่ากับงบประมาณรวม {money_figures(total)} บาท",
            f"the budget sources add up to {money_figures(sources)}, not to budget.total {money_figures(total)}",
        )
    if spec.instalments:
        percents = [i.percent for i in spec.instalments]
        amounts = [i.amount for i in spec.instalments]
        for i, inst in enumerate(spec.instalments):
            if (inst.percent is None) == (inst.amount is None):
                add(
                    ("instalments", i),
                    "แต่ละงวดต้องระบุอย่างใดอย่างหนึ่ง ระหว่างร้อยละ (percent) หรือจำนวนเงิน (amount)",
                    "each instalment needs exactly one of percent or amount",
                )
        if all(p is not None for p in percents) and sum(percents) != 100:
            add(
                ("instalments",),
                f"ร้อยละของงวดเงินรวมกันได้ {sum(percents)} ต้องเท่ากับ 100",
                f"the instalment percentages add up to {sum(percents)}, not 100",
            )
        elif all(a is not None for a in amounts):
            paid, owed = sum(amounts), delegator_amount(spec)
            if paid != owed:
                add(
                    ("instalments",),
                    f"เงินงวดรวมกันได้ {money_figures(paid)} บาท ไม่เท่ากับเงินที่ผู้มอบภารกิจสนับสนุน {money_figures(owed)} บาท",
                    f"the instalments add up to {money_figures(paid)}, not to the {money_figures(owed)} the delegator provides",
                )
        elif any(p is not None for p in percents) and any(a is not None for a in amounts):
            add(
                ("instalments",),
                "งวดเงินต้องระบุเป็นร้อยละทั้งหมดหรือเป็นจำนวนเงินทั้งหมด",
                "instalments must all use percent or all use amount",
            )
    _check_fiscal_years(spec, add)
    uc = spec.budget.unit_cost
    if uc is not None and not unit_cost_exact(spec):
        product = uc.amount * uc.quantity
        # Exact within rounding: the unit amount, rounded to the satang, explains the total (the text says เฉลี่ย).
        if abs(product - total) > uc.quantity * Decimal("0.005") or uc.quantity == 0:
            add(
                ("budget", "unit_cost"),
                f"ต้นทุนต่อหน่วย {money_figures(uc.amount)} บาท × {number(uc.quantity)} {uc.unit} = {money_figures(product)} บาท ไม่เท่ากับงบประมาณรวม {money_figures(total)} บาท",
                f"the unit cost {money_figures(uc.amount)} x {number(uc.quantity)} = {money_figures(product)}, not budget.total {money_figures(total)}",
            )

    # What each payment waits for: an evaluation the spec schedules, on or before the payment falls due.
    for i, inst in enumerate(spec.instalments):
        waits = ([inst.after] if inst.after else []) + named_evaluations(inst.condition)
        for after in waits:
            when = evaluation_date(spec, after)
            th, en = _eval_words(after)
            field = ("instalments", i, "after" if after == inst.after else "condition")
            if when is None:
                add(
                    field,
                    f"งวดที่ {i + 1} รอ{th} แต่ evaluation ไม่ได้กำหนด{th} ไว้",
                    f"instalment {i + 1} waits for the {en}, which evaluation does not schedule",
                )
            elif when > inst.due:
                add(
                    field,
                    f"งวดที่ {i + 1} ครบกำหนด {thai.date(inst.due, 'th')} ก่อน{th} ({thai.date(when, 'th')})",
                    f"instalment {i + 1} falls due on {inst.due}, before the {en} ({when})",
                )

    # Copies: one per signatory, and a keeper named for every other.
    signatories, copies = spec.signatories(), spec.copy_count()
    if copies < signatories:
        add(
            ("copies",),
            f"จำนวนฉบับ ({copies}) ต้องไม่น้อยกว่าจำนวนผู้ลงนาม ({signatories})",
            f"copies ({copies}) must be at least the number of signatories ({signatories})",
        )
    elif copies - signatories != len(spec.copies_kept_by):
        extra = copies - signatories
        add(
            ("copies_kept_by",) if spec.copies_kept_by else ("copies",),
            f"บันทึกข้อตกลงทำ {copies} ฉบับ แต่มีผู้ลงนาม {signatories} ฝ่าย ต้องระบุผู้เก็บรักษาฉบับที่เหลือ {extra} ฉบับใน copies_kept_by (ระบุไว้ {len(spec.copies_kept_by)})",
            f"{copies} copies for {signatories} signatories: copies_kept_by must name the keeper of each of the {extra} other copies (it names {len(spec.copies_kept_by)})",
        )

    _check_supporters(spec, add)

    # Models.
    if spec.model == "performance":
        if len(spec.instalments) < 2:
            add(
                ("instalments",),
                "รูปแบบการทำสัญญาข้อตกลงต้องมีงวดเงินอย่างน้อย ๒ งวด",
                "the performance model needs at least two instalments",
            )
        if not midterms:
            add(
                ("evaluation", "midterm"),
                "รูปแบบการทำสัญญาข้อตกลงต้องมีการประเมินผลระยะกลาง",
                "the performance model needs a mid-term evaluation",
            )
        for i, inst in enumerate(spec.instalments[1:], 1):
            waits = ([inst.after] if inst.after and inst.after != "signing" else []) + named_evaluations(inst.condition)
            if not waits:
                add(
                    ("instalments", i, "after"),
                    f"งวดที่ {i + 1} ต้องจ่ายหลังผลการประเมิน (ระบุว่าจ่ายหลังการประเมินครั้งใด)",
                    f"instalment {i + 1} must wait for an evaluation (after: midterm, yearly N or final): a later instalment is tied to an evaluation",
                )
    if spec.model == "commissioning" and spec.joint_committee:
        members = spec.joint_committee.members
        parties = {m.party for m in members}
        roles = {m.role for m in members}
        for party, th in (("delegator", "ผู้มอบภารกิจ"), ("partner", "ผู้รับมอบภารกิจ")):
            if party not in parties:
                add(
                    ("joint_committee", "members"),
                    f"คณะกรรมการร่วมต้องมีกรรมการจากฝ่าย{th}",
                    f"the joint committee needs a member from the {party}",
                )
        for role, th in (("chair", "ประธานกรรมการ"), ("secretary", "เลขานุการ")):
            if role not in roles:
                add(("joint_committee", "members"), f"คณะกรรมการร่วมต้องมี{th}", f"the joint committee needs a {role}")

    # The SLA (NHS practice: a multi-year agreement with a yearly SLA).
    if sla_required(spec, settings) and spec.sla is None:
        add(
            ("sla",),
            f"ต้องมีข้อตกลงระดับการให้บริการ (SLA) เพราะระยะเวลาตั้งแต่ {settings.sla_min_term_months} เดือนและงบประมาณตั้งแต่ {money_figures(settings.sla_threshold)} บาท",
            f"an SLA is required: the term is at least {settings.sla_min_term_months} months and the total at least {money_figures(settings.sla_threshold)} baht",
        )
    for path, sla in ([(("sla",), spec.sla)] if spec.sla else []) + [
        (("sla_renewals", k), s) for k, s in enumerate(spec.sla_renewals)
    ]:
        if spec.model == "grant":
            add(
                path,
                "รูปแบบการให้เงินอุดหนุนไม่มีข้อตกลงระดับการให้บริการ (SLA) ซึ่งใช้กับรูปแบบการทำสัญญาข้อตกลง (และอาจใช้กับรูปแบบกลไกขับเคลื่อนงาน)",
                "a grant carries no SLA: SLAs belong to the performance model (and a commissioning agreement may carry one)",
            )
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

    # The yearly SLAs follow each other: year 2 starts the day after year 1 ends, and so on (no gap, no overlap).
    previous = spec.sla
    for k, renewal in enumerate(spec.sla_renewals):
        path = ("sla_renewals", k)
        if previous is None:
            add(path, "SLA ปีต่อไปต้องมี SLA ปีที่ 1 (sla) ก่อน", "sla_renewals need the first year's SLA (sla) first")
            break
        expected = previous.end + dt.timedelta(days=1)
        if renewal.start != expected:
            kind_th, kind_en = ("เว้นช่วง", "a gap") if renewal.start > expected else ("ซ้อนกับปีก่อน", "an overlap")
            add(
                path + ("start",),
                f"SLA ปีที่ {k + 2} ต้องเริ่มวันที่ {thai.date(expected, 'th')} ต่อจากปีที่ {k + 1} ทันที (ตอนนี้{kind_th})",
                f"the year-{k + 2} SLA must start on {expected.isoformat()}, the day after year {k + 1} ends ({kind_en} now)",
            )
        previous = renewal

    if spec.signed and spec.signed.date != spec.signing.date:
        add(
            ("signed", "date"),
            f"บันทึกข้อตกลงระบุว่าทำเมื่อ {thai.date(spec.signing.date, 'th')} (signing.date) แต่ signed.date เป็น "
            f"{thai.date(spec.signed.date, 'th')} เอกสารที่อ้างถึงบันทึกข้อตกลงจะใช้วันที่ตามบันทึกข้อตกลง",
            f"the agreement says it was made on {spec.signing.date.isoformat()} (signing.date) but signed.date is "
            f"{spec.signed.date.isoformat()}: documents that refer to it use the agreement's own date",
            warning=True,
        )
    if spec.language == "en" and any(
        re.search(r"[\u0e00-\u0e7f]", text or "")
        for text in (spec.title, spec.parties.delegator.name, spec.parties.partner.name)
    ):
        add(
            ("language",),
            "บันทึกข้อตกลงภาษาอังกฤษแต่ชื่อเรื่องหรือชื่อคู่ภาคีเป็นภาษาไทย เอกสารจะมีสองภาษาปนกัน",
            "an English agreement whose title or party names are in Thai: the document will mix the two languages",
            warning=True,
        )

    # Personal data.
    pd = spec.personal_data
    if pd and pd.involved:
        if not pd.categories:
            add(
                ("personal_data", "categories"),
                "ต้องระบุประเภทข้อมูลส่วนบุคคล",
                "personal_data.categories is required when personal data is involved",
            )
        for key, th in (("purpose", "วัตถุประสงค์"), ("retention", "ระยะเวลาการเก็บรักษา")):
            if not getattr(pd, key):
                add(
                    ("personal_data", key),
                    f"ต้องระบุ{th}ของการใช้ข้อมูลส่วนบุคคล",
                    f"personal_data.{key} is required when personal data is involved",
                )

    # Required sections need their data; clause choices must name real clauses and spare required ones.
    for section in library.sections.sections:
        if section_status(library, section.id, spec.model) == "required" and section.data:
            value = getattr(spec, section.data, None)
            if value in (None, [], ""):
                add(
                    (section.data,),
                    f"{section.th} เป็นหมวดที่ต้องมีในแบบนี้ ต้องระบุ {section.data}",
                    f"the {spec.model} model requires the section '{section.en}': {section.data} is missing",
                )
    for i, cid in enumerate(spec.clauses.include):
        clause = library.clauses.get(cid)
        if clause is None:
            add(("clauses", "include", i), f"ไม่มีข้อสัญญา '{cid}' ในคลังข้อสัญญา", f"no clause '{cid}' in the clause library")
        elif spec.model not in clause.models:
            add(
                ("clauses", "include", i),
                f"ข้อสัญญา '{cid}' ไม่ใช้กับแบบนี้",
                f"clause '{cid}' does not apply to the {spec.model} model",
            )
    for i, cid in enumerate(spec.clauses.exclude):
        clause = library.clauses.get(cid)
        if clause is None:
            add(("clauses", "exclude", i), f"ไม่มีข้อสัญญา '{cid}' ในคลังข้อสัญญา", f"no clause '{cid}' in the clause library")
        elif (
            clause.required
            or section_status(library, clause.section, spec.model) == "required"
            and _only_clause(library, clause, spec.model)
        ):
            add(
                ("clauses", "exclude", i),
                f"ตัดข้อสัญญา '{cid}' ไม่ได้ เพราะเป็นส่วนที่ต้องมี",
                f"clause '{cid}' cannot be excluded: it is required",
            )
    return out


def _only_clause(library: Library, clause, model: str) -> bool:
    return [c.id for c in library.clauses.values() if c.section == clause.section and model in c.models] == [clause.id]


def _check_fiscal_years(spec: Spec, add) -> None:
    """Money over time: a source's years add up to it, and the delegator pays in each fiscal year no more than it has."""
    for k, s in enumerate(spec.budget.sources):
        path = ("budget", "sources", k)
        if s.fiscal_year is not None and s.fiscal_years:
            add(
                path + ("fiscal_years",),
                "ระบุได้อย่างใดอย่างหนึ่ง ระหว่าง fiscal_year หรือ fiscal_years",
                "give fiscal_year or fiscal_years, not both",
            )
        for year in ([s.fiscal_year] if s.fiscal_year is not None else []) + list(s.fiscal_years or {}):
            if not 2500 <= year <= 2743:
                add(
                    path + (("fiscal_years", year) if s.fiscal_years and year in s.fiscal_years else ("fiscal_year",)),
                    f"ปีงบประมาณ {year} ต้องเป็นปีพุทธศักราช เช่น 2568",
                    f"the fiscal year {year} must be a Buddhist-Era year, e.g. 2568 (= 2024-10-01 to 2025-09-30)",
                )
        if s.fiscal_years and sum(s.fiscal_years.values()) != s.amount:
            add(
                path + ("fiscal_years",),
                f"เงินรายปีงบประมาณรวมกันได้ {money_figures(sum(s.fiscal_years.values()))} บาท ไม่เท่ากับจำนวนเงินของแหล่งนี้ {money_figures(s.amount)} บาท",
                f"fiscal_years add up to {money_figures(sum(s.fiscal_years.values()))}, not to the source's amount {money_figures(s.amount)}",
            )
    delegator = [s for s in spec.budget.sources if s.provider == "delegator"]
    if not spec.instalments or not delegator:
        return
    per_year: dict[int, Decimal] = {}
    free = Decimal(0)  # delegator money tied to no year: it may pay in any
    for s in delegator:
        years = s.fiscal_years or ({s.fiscal_year: s.amount} if s.fiscal_year is not None else None)
        if years is None:
            free += s.amount
            continue
        for y, amount in years.items():
            per_year[y] = per_year.get(y, Decimal(0)) + amount
    paid = payment_years(spec)
    if not per_year:
        if len(paid) > 1:
            add(
                ("budget", "sources"),
                "เงินงวดครบกำหนดในหลายปีงบประมาณ ควรระบุเงินของผู้มอบภารกิจแยกตามปีงบประมาณ (fiscal_years)",
                "the instalments fall due in several fiscal years: name the delegator's money per fiscal year (fiscal_years)",
                True,
            )
        return
    for i, inst in enumerate(spec.instalments):
        year = fiscal_year(inst.due)
        if paid.get(year, Decimal(0)) > per_year.get(year, Decimal(0)) + free:
            has = per_year.get(year, Decimal(0)) + free
            add(
                ("instalments", i, "due"),
                f"งวดที่ {i + 1} ครบกำหนดในปีงบประมาณ พ.ศ. {year} ซึ่งมีเงินงวดรวม {money_figures(paid[year])} บาท แต่ผู้มอบภารกิจมีงบประมาณปีนั้น {money_figures(has)} บาท",
                f"instalment {i + 1} falls due in fiscal year {year} (B.E.), where the instalments total {money_figures(paid[year])} but the delegator's money for that year is {money_figures(has)}",
            )
            paid[year] = Decimal(0)  # reported once per year


def _check_supporters(spec: Spec, add) -> None:
    """Every `supporters` reference names a supporter that exists; who signs has a representative; warnings for authority."""
    sup = spec.parties.supporters
    names = [s.name for s in sup]
    refs = [(("budget", "sources", k), s.provider, s.supporter) for k, s in enumerate(spec.budget.sources)]
    refs += [
        (("joint_committee", "members", k), m.party, m.supporter)
        for k, m in enumerate(spec.joint_committee.members if spec.joint_committee else [])
    ]
    refs += [(("indicators", k), x.responsible, x.supporter) for k, x in enumerate(spec.indicators)]
    refs += [(("action_plan", k), x.responsible, x.supporter) for k, x in enumerate(spec.action_plan)]
    refs += [(("witnesses", k), w.party, w.supporter) for k, w in enumerate(spec.witnesses)]
    for path, who, name in refs:
        if who != "supporters":
            if name is not None:
                add(
                    path + ("supporter",),
                    "ระบุ supporter ได้เฉพาะเมื่อฝ่ายคือ supporters",
                    "supporter is given only beside supporters",
                )
            continue
        if not sup:
            add(
                path,
                "อ้างถึงภาคส่วนอื่นสนับสนุน แต่ parties.supporters ไม่มีรายชื่อ",
                "names the supporters, but parties.supporters lists none",
            )
        elif name is None and len(sup) > 1:
            add(
                path,
                f"มีภาคส่วนอื่นสนับสนุน {len(sup)} ราย ต้องระบุ supporter ว่าหมายถึงรายใด",
                f"there are {len(sup)} supporters: say which with supporter",
            )
        elif name is not None and name not in names:
            add(path + ("supporter",), f"ไม่มี '{name}' ใน parties.supporters", f"'{name}' is not in parties.supporters")
    roles = spec.roles.supporters
    if isinstance(roles, dict):
        for name in roles:
            if name not in names:
                add(
                    ("roles", "supporters", name),
                    f"ไม่มี '{name}' ใน parties.supporters",
                    f"'{name}' is not in parties.supporters",
                )
    elif roles and len(sup) > 1:
        add(
            ("roles", "supporters"),
            "มีภาคส่วนอื่นสนับสนุนหลายราย ต้องระบุบทบาทแยกตามชื่อแต่ละราย",
            "with several supporters, give their duties per supporter name",
        )
    elif roles and not sup:
        add(
            ("roles", "supporters"),
            "ระบุบทบาทของภาคส่วนอื่นสนับสนุน แต่ parties.supporters ไม่มีรายชื่อ",
            "roles for supporters, but parties.supporters lists none",
        )
    if len(set(names)) != len(names):
        add(("parties", "supporters"), "ชื่อภาคส่วนอื่นสนับสนุนต้องไม่ซ้ำกัน", "supporter names must be unique")
    funders = {
        s.supporter or (names[0] if len(names) == 1 else None)
        for s in spec.budget.sources
        if s.provider == "supporters"
    }
    for k, s in enumerate(sup):
        path = ("parties", "supporters", k)
        if s.signs and s.representative is None:
            add(
                path + ("representative",),
                "ภาคส่วนอื่นสนับสนุนที่ลงนามต้องระบุผู้แทน (representative)",
                "a supporter that signs needs a representative",
            )
        if s.signs and not s.authority:
            add(
                path,
                f"{s.name} ลงนามโดยไม่ได้ระบุอำนาจของผู้ลงนาม (authority)",
                f"{s.name} signs, but no authority says who empowers its representative",
                True,
            )
        if s.name in funders and not s.signs:
            add(
                path,
                f"{s.name} สนับสนุนเงินแต่ไม่ได้ลงนาม บันทึกข้อตกลงจะระบุว่าการสนับสนุนไม่มีผลผูกพันทางกฎหมาย",
                f"{s.name} provides money but does not sign: the agreement will say its support is not binding",
                True,
            )
    partner = spec.parties.partner
    if partner.kind != "government" and not partner.authority:
        add(
            ("parties", "partner"),
            "ผู้รับมอบภารกิจไม่ใช่หน่วยงานรัฐ ควรระบุอำนาจของผู้ลงนาม (authority) เช่น ข้อบังคับหรือมติคณะกรรมการ",
            "the partner is not a government body: give the authority that empowers its representative (regulations, a resolution)",
            True,
        )
