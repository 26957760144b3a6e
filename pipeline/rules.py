"""The rules of SPEC.md §2 and the required sections of §3, checked on a typed spec; each failure names its field."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .library import Library
from .settings import Settings
from .spec import Spec
from .thai import money_figures, months_between


@dataclass(frozen=True)
class Finding:
    path: tuple
    th: str
    en: str


def delegator_amount(spec: Spec) -> Decimal:
    return sum((s.amount for s in spec.budget.sources if s.provider == "delegator"), Decimal(0))


def sla_required(spec: Spec, settings: Settings) -> bool:
    return (
        spec.model in ("performance", "commissioning")
        and months_between(spec.term.start, spec.term.end) >= settings.sla_min_term_months
        and spec.budget.total >= settings.sla_threshold
    )


def section_status(library: Library, section_id: str, model: str) -> str | None:
    return library.section(section_id).models.get(model)


def check(spec: Spec, settings: Settings, library: Library) -> list[Finding]:
    """Every rule, every failure: nothing stops at the first."""
    out: list[Finding] = []
    add = lambda path, th, en: out.append(Finding(tuple(path), th, en))  # noqa: E731
    term = spec.term
    in_term = lambda d: term.start <= d <= term.end  # noqa: E731
    span_th = "ระยะเวลาดำเนินการ"

    # Dates.
    if term.start >= term.end:
        add(("term", "end"), "วันสิ้นสุดต้องอยู่หลังวันเริ่มต้นของระยะเวลาดำเนินการ", "term.end must be after term.start")
    if spec.signing.date > term.start:
        add(("signing", "date"), "วันลงนามต้องไม่อยู่หลังวันเริ่มต้นของระยะเวลาดำเนินการ", "the signing date must not be after term.start")
    for i, inst in enumerate(spec.instalments):
        if not in_term(inst.due):
            add(("instalments", i, "due"), f"วันครบกำหนดจ่ายเงินงวดต้องอยู่ใน{span_th}", "the instalment due date must lie within the term")
        if i and inst.due < spec.instalments[i - 1].due:
            add(("instalments", i, "due"), "งวดเงินต้องเรียงตามวันครบกำหนด", "instalments must be in order of their due dates")
    for key in ("midterm", "final"):
        d = getattr(spec.evaluation, key)
        if d is not None and not in_term(d):
            add(("evaluation", key), f"วันประเมินผลต้องอยู่ใน{span_th}", f"evaluation.{key} must lie within the term")
    if spec.evaluation.midterm and spec.evaluation.midterm >= spec.evaluation.final:
        add(("evaluation", "midterm"), "การประเมินผลระยะกลางต้องอยู่ก่อนการประเมินผลหลังสิ้นสุด", "the mid-term evaluation must come before the final one")
    for i, act in enumerate(spec.action_plan):
        for key in ("start", "end"):
            if not in_term(getattr(act, key)):
                add(("action_plan", i, key), f"กิจกรรมในแผนปฏิบัติการต้องอยู่ใน{span_th}", f"action_plan {key} must lie within the term")
        if act.start > act.end:
            add(("action_plan", i, "end"), "วันสิ้นสุดกิจกรรมต้องไม่อยู่ก่อนวันเริ่มต้น", "an activity must not end before it starts")

    # Money.
    total = spec.budget.total
    sources = sum((s.amount for s in spec.budget.sources), Decimal(0))
    if sources != total:
        add(("budget", "sources"), f"แหล่งงบประมาณรวมกันได้ {money_figures(sources)} บาท ไม่เท่ากับงบประมาณรวม {money_figures(total)} บาท",
            f"the budget sources add up to {money_figures(sources)}, not to budget.total {money_figures(total)}")
    if spec.instalments:
        percents = [i.percent for i in spec.instalments]
        amounts = [i.amount for i in spec.instalments]
        for i, inst in enumerate(spec.instalments):
            if (inst.percent is None) == (inst.amount is None):
                add(("instalments", i), "แต่ละงวดต้องระบุอย่างใดอย่างหนึ่ง ระหว่างร้อยละ (percent) หรือจำนวนเงิน (amount)", "each instalment needs exactly one of percent or amount")
        if all(p is not None for p in percents) and sum(percents) != 100:
            add(("instalments",), f"ร้อยละของงวดเงินรวมกันได้ {sum(percents)} ต้องเท่ากับ 100", f"the instalment percentages add up to {sum(percents)}, not 100")
        elif all(a is not None for a in amounts):
            paid, owed = sum(amounts), delegator_amount(spec)
            if paid != owed:
                add(("instalments",), f"เงินงวดรวมกันได้ {money_figures(paid)} บาท ไม่เท่ากับเงินที่ผู้มอบภารกิจสนับสนุน {money_figures(owed)} บาท",
                    f"the instalments add up to {money_figures(paid)}, not to the {money_figures(owed)} the delegator provides")
        elif any(p is not None for p in percents) and any(a is not None for a in amounts):
            add(("instalments",), "งวดเงินต้องระบุเป็นร้อยละทั้งหมดหรือเป็นจำนวนเงินทั้งหมด", "instalments must all use percent or all use amount")

    # Models.
    if spec.model == "performance":
        if len(spec.instalments) < 2:
            add(("instalments",), "รูปแบบการทำสัญญาข้อตกลงต้องมีงวดเงินอย่างน้อย ๒ งวด", "the performance model needs at least two instalments")
        if spec.evaluation.midterm is None:
            add(("evaluation", "midterm"), "รูปแบบการทำสัญญาข้อตกลงต้องมีการประเมินผลระยะกลาง", "the performance model needs a mid-term evaluation")
        elif len(spec.instalments) >= 2 and not any(i.due >= spec.evaluation.midterm for i in spec.instalments[1:]):
            add(("instalments",), "งวดเงินงวดหลังต้องผูกกับผลการประเมิน (ครบกำหนดหลังวันประเมินผลระยะกลาง)",
                "a later instalment must be tied to an evaluation (due on or after evaluation.midterm)")
    if spec.model == "commissioning" and spec.joint_committee:
        members = spec.joint_committee.members
        parties = {m.party for m in members}
        roles = {m.role for m in members}
        for party, th in (("delegator", "ผู้มอบภารกิจ"), ("partner", "ผู้รับมอบภารกิจ")):
            if party not in parties:
                add(("joint_committee", "members"), f"คณะกรรมการร่วมต้องมีกรรมการจากฝ่าย{th}", f"the joint committee needs a member from the {party}")
        for role, th in (("chair", "ประธานกรรมการ"), ("secretary", "เลขานุการ")):
            if role not in roles:
                add(("joint_committee", "members"), f"คณะกรรมการร่วมต้องมี{th}", f"the joint committee needs a {role}")

    # The SLA (NHS practice: a multi-year agreement with a yearly SLA).
    if sla_required(spec, settings) and spec.sla is None:
        add(("sla",), f"ต้องมีข้อตกลงระดับการให้บริการ (SLA) เพราะระยะเวลาตั้งแต่ {settings.sla_min_term_months} เดือนและงบประมาณตั้งแต่ {money_figures(settings.sla_threshold)} บาท",
            f"an SLA is required: the term is at least {settings.sla_min_term_months} months and the total at least {money_figures(settings.sla_threshold)} baht")
    if spec.sla:
        sla = spec.sla
        if spec.model == "grant":
            add(("sla",), "ข้อตกลงระดับการให้บริการใช้กับรูปแบบการทำสัญญาข้อตกลงและรูปแบบกลไกขับเคลื่อนงานเท่านั้น", "an SLA annex belongs to the performance and commissioning models only")
        if sla.start >= sla.end:
            add(("sla", "end"), "วันสิ้นสุดของ SLA ต้องอยู่หลังวันเริ่มต้น", "sla.end must be after sla.start")
        for key in ("start", "end"):
            if not in_term(getattr(sla, key)):
                add(("sla", key), f"ช่วงเวลาของ SLA ต้องอยู่ใน{span_th}", f"sla.{key} must lie within the term")
        if months_between(sla.start, sla.end) > settings.sla_max_months:
            add(("sla", "end"), f"SLA แต่ละฉบับมีอายุได้ไม่เกิน {settings.sla_max_months} เดือน แล้วทบทวนและต่ออายุเป็นรายปี",
                f"an SLA lasts at most {settings.sla_max_months} months and is renewed yearly")

    # Personal data.
    pd = spec.personal_data
    if pd and pd.involved:
        if not pd.categories:
            add(("personal_data", "categories"), "ต้องระบุประเภทข้อมูลส่วนบุคคล", "personal_data.categories is required when personal data is involved")
        for key, th in (("purpose", "วัตถุประสงค์"), ("retention", "ระยะเวลาการเก็บรักษา")):
            if not getattr(pd, key):
                add(("personal_data", key), f"ต้องระบุ{th}ของการใช้ข้อมูลส่วนบุคคล", f"personal_data.{key} is required when personal data is involved")

    # Required sections need their data; clause choices must name real clauses and spare required ones.
    for section in library.sections.sections:
        if section_status(library, section.id, spec.model) == "required" and section.data:
            value = getattr(spec, section.data, None)
            if value in (None, [], ""):
                add((section.data,), f"{section.th} เป็นหมวดที่ต้องมีในแบบนี้ ต้องระบุ {section.data}",
                    f"the {spec.model} model requires the section '{section.en}': {section.data} is missing")
    for i, cid in enumerate(spec.clauses.include):
        clause = library.clauses.get(cid)
        if clause is None:
            add(("clauses", "include", i), f"ไม่มีข้อสัญญา '{cid}' ในคลังข้อสัญญา", f"no clause '{cid}' in the clause library")
        elif spec.model not in clause.models:
            add(("clauses", "include", i), f"ข้อสัญญา '{cid}' ไม่ใช้กับแบบนี้", f"clause '{cid}' does not apply to the {spec.model} model")
    for i, cid in enumerate(spec.clauses.exclude):
        clause = library.clauses.get(cid)
        if clause is None:
            add(("clauses", "exclude", i), f"ไม่มีข้อสัญญา '{cid}' ในคลังข้อสัญญา", f"no clause '{cid}' in the clause library")
        elif clause.required or section_status(library, clause.section, spec.model) == "required" and _only_clause(library, clause, spec.model):
            add(("clauses", "exclude", i), f"ตัดข้อสัญญา '{cid}' ไม่ได้ เพราะเป็นส่วนที่ต้องมี", f"clause '{cid}' cannot be excluded: it is required")
    return out


def _only_clause(library: Library, clause, model: str) -> bool:
    return [c.id for c in library.clauses.values() if c.section == clause.section and model in c.models] == [clause.id]
