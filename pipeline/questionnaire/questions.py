"""The questionnaire itself, read by both front ends: the terminal (`mou interview`) and the browser (`mou serve`).

The questions, their order, the pages they are grouped in, their conditions, defaults and per-answer checks, and
the conversion of what a user types, live here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from pipeline.render.thai import ShortYear, months_between, parse_user_amount, parse_user_date
from pipeline.render.thai import date as fmt_date
from pipeline.spec.model import count_signatories
from pipeline.spec.settings import Settings


@dataclass(frozen=True)
class Q:
    path: str
    th: str
    en: str
    kind: str = "text"  # text | date | amount | int | choice | bool | list | records
    choices: tuple = ()  # (value, th, en)
    default: object = None  # a value, or a function of the answers
    when: Callable = lambda a, settings: True  # (answers, settings) -> does the question apply
    required: bool = True
    fields: tuple = ()  # the fields of one record (kind "records")
    minimum: Callable = lambda a: 1  # fewest items of a list
    check: Callable | None = None  # (value, answers) -> (th, en) when wrong


# -- answers as a nested dict ----------------------------------------------------------------------------------
def get(a: dict, path: str, default=None):
    for part in path.split("."):
        if not isinstance(a, dict) or part not in a:
            return default
        a = a[part]
    return a


def put(a: dict, path: str, value) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        if not isinstance(a.get(part), dict):  # an answers file may hold a text where a group belongs
            a[part] = {}
        a = a[part]
    if value is None or value == "" or value == []:
        a.pop(parts[-1], None)
    else:
        a[parts[-1]] = value


def drop(a: dict, path: str) -> None:
    put(a, path, None)


def model(a):
    return a.get("model")


def _date(a, path):
    """An answer as a date, None when it is not one yet (an answers file may hold anything: the rules then say so)."""
    v = get(a, path)
    if isinstance(v, str):
        try:
            return parse_user_date(v)
        except ValueError:
            return None
    return v if isinstance(v, dt.date) else None


def _in_term(value, a):
    s, e = _date(a, "term.start"), _date(a, "term.end")
    if s and e and not (s <= value <= e):
        return (
            f"วันที่ต้องอยู่ระหว่าง {fmt_date(s, 'th')} ถึง {fmt_date(e, 'th')} (ระยะเวลาดำเนินการ)",
            f"the date must lie within the term, {fmt_date(s, 'en')} to {fmt_date(e, 'en')}",
        )
    return None


def _term_end(value, a):
    s = _date(a, "term.start")
    return ("วันสิ้นสุดต้องอยู่หลังวันเริ่มต้น", "the end must come after the start") if s and value <= s else None


def _term_start(value, a):
    s = _date(a, "signing.date")
    return ("วันเริ่มต้นต้องไม่อยู่ก่อนวันลงนาม", "the term must not start before the signing date") if s and value < s else None


def answer_amount(value) -> Decimal:
    """An answer as an amount, 0 when it is not one (the full rule check then names it)."""
    try:
        return parse_user_amount(value) if value is not None else Decimal(0)
    except (ValueError, TypeError, ArithmeticError):
        return Decimal(0)


def _sources_sum(items, a):
    total = answer_amount(get(a, "budget.total"))
    got = sum((answer_amount(i.get("amount")) for i in items), Decimal(0))
    return (
        None
        if got == total
        else (
            f"แหล่งงบประมาณรวมกันได้ {got:,} บาท ไม่เท่ากับงบประมาณรวม {total:,} บาท",
            f"the sources add up to {got:,}, not to the total {total:,}",
        )
    )


def _instalments_sum(items, a):
    got = sum((answer_amount(i.get("percent")) for i in items), Decimal(0))
    return (
        None
        if got == 100
        else (f"ร้อยละของงวดเงินรวมกันได้ {got} ต้องเท่ากับ 100", f"the percentages add up to {got}, not 100")
    )


def _sla_end(value, a):
    s = _date(a, "sla.start")
    if s and months_between(s, value) > 12:
        return ("SLA แต่ละฉบับมีอายุได้ไม่เกิน 12 เดือน", "an SLA lasts at most 12 months")
    return _in_term(value, a)


def _sla_needed(a, settings: Settings):
    """The SLA rule of rules.sla_required, on answers that may still be incomplete."""
    if model(a) not in ("performance", "commissioning"):
        return False
    s, e = _date(a, "term.start"), _date(a, "term.end")
    return bool(
        s
        and e
        and months_between(s, e) >= settings.sla_min_term_months
        and answer_amount(get(a, "budget.total")) >= settings.sla_threshold
    )


def _extra_copies(a) -> int:
    """Copies beyond one per signatory (delegator, partner, supporters that sign): each needs a named keeper."""
    try:
        copies = int(a.get("copies") or 0)
    except (TypeError, ValueError):
        return 0
    supporters = get(a, "parties.supporters")
    supporters = supporters if isinstance(supporters, list) else []
    return copies - count_signatories(s.get("signs") for s in supporters if isinstance(s, dict))


def _year_later(a):
    s, e = _date(a, "sla.start") or _date(a, "term.start"), _date(a, "term.end")
    if not s:
        return None
    try:
        end = s.replace(year=s.year + 1) - dt.timedelta(days=1)
    except ValueError:
        end = s.replace(year=s.year + 1, day=28)
    return min(end, e) if e else end


# The choices show the very words the documents print: clauses/_labels.yaml, one table for both (a library given with
# --library has its own labels for its documents; the questions keep the project's).
_LABELS = yaml.safe_load((Path(__file__).resolve().parents[2] / "clauses" / "_labels.yaml").read_text(encoding="utf-8"))


def _choices(group: str, values: tuple[str, ...] | None = None) -> tuple:
    """(value, Thai, English) for each value of a label group, in the file's order (or the order given)."""
    table = _LABELS[group]
    return tuple((v, table[v]["th"], table[v]["en"]) for v in (values or tuple(table)))


KINDS = _choices("kind")
PARTIES = _choices("party", ("delegator", "partner", "supporters"))
FREQ = _choices("frequency")
MODELS = _choices("model")
SOURCES = _choices("source")
ROLES = _choices("role")
METHODS = "internal, external, field_visit, service_user_feedback"
_EVAL = _LABELS["evaluation"]
AFTER = (
    ("signing", _EVAL["signing"]["th"], _EVAL["signing"]["en"]),
    ("midterm", _EVAL["midterm_one"]["th"], _EVAL["midterm_one"]["en"]),
    *((f"yearly {n}", _EVAL["yearly"]["th"].format(n=n), _EVAL["yearly"]["en"].format(n=n)) for n in (1, 2)),
    ("final", _EVAL["final"]["th"], _EVAL["final"]["en"]),
)
not_grant = lambda a, settings=None: model(a) != "grant"  # noqa: E731
is_comm = lambda a, settings=None: model(a) == "commissioning"  # noqa: E731
personal = lambda a, settings=None: bool(get(a, "personal_data.involved"))  # noqa: E731

SCREENING = (
    Q(
        "screening.mission",
        "ภารกิจนี้เป็นแบบใด",
        "What kind of mission is it",
        "choice",
        (
            (
                "project",
                "โครงการที่มีกรอบเวลาชัดเจน (เช่น ระบบฐานข้อมูล การสำรวจ การอบรม)",
                "a project with a clear time frame (database, survey, training)",
            ),
            (
                "service",
                "บริการต่อเนื่องหรืองานประจำ (เช่น ศูนย์ดูแล สถานคุ้มครอง การรับเรื่องร้องเรียน)",
                "a continuing or routine service (care centre, shelter, complaints)",
            ),
            (
                "portfolio",
                "หลายภารกิจภายใต้นโยบายเดียว ระยะยาว (เช่น คณะกรรมการคุ้มครองเด็กจังหวัด)",
                "several missions under one policy, long-term (a provincial committee)",
            ),
        ),
    ),
    Q("screening.time_bound", "มีกรอบระยะเวลาสิ้นสุดชัดเจนหรือไม่", "Does it have a clear end date", "bool", required=False),
    Q(
        "screening.routine",
        "เป็นงานประจำที่หน่วยงานต้องจัดให้อย่างต่อเนื่องหรือไม่",
        "Is it routine work the agency must keep providing",
        "bool",
        required=False,
    ),
    Q(
        "screening.capacity_gap",
        "หน่วยงานขาดศักยภาพหรืออัตรากำลังที่จะทำเองหรือไม่",
        "Does the agency lack the capacity to do it itself",
        "bool",
        required=False,
    ),
    Q(
        "screening.joint_structure",
        "จะดำเนินการผ่านคณะกรรมการร่วมที่เป็นทางการหรือไม่",
        "Will a formal joint committee run it",
        "bool",
        required=False,
    ),
)

RECORD_ACTIVITY = (
    Q("name", "ชื่อกิจกรรม", "Activity"),
    Q("description", "รายละเอียด (Enter เพื่อข้าม)", "Description (Enter to skip)", required=False),
)
QUESTIONS = (
    Q("title", "ชื่อโครงการหรือภารกิจ (เรื่อง)", "Title of the project or mission"),
    Q("background", "หลักการและเหตุผล (หลายย่อหน้าคั่นด้วย | )", "Background (separate paragraphs with | )"),
    Q("reference_no", "เลขที่บันทึกข้อตกลง (Enter เพื่อข้าม)", "Reference number (Enter to skip)", required=False),
    Q("signing.place", "สถานที่ลงนาม", "Place of signing"),
    Q("signing.date", "วันที่ลงนาม (เช่น ๒๒/๔/๒๕๖๗)", "Date of signing (e.g. 22/4/2024)", "date"),
    Q("term.start", "วันเริ่มต้นดำเนินการ", "Start of the term", "date", check=_term_start),
    Q("term.end", "วันสิ้นสุดดำเนินการ", "End of the term", "date", check=_term_end),
    Q("parties.delegator.name", "ชื่อหน่วยงานผู้มอบภารกิจ", "Delegator (agency)"),
    Q("parties.delegator.kind", "ประเภทของผู้มอบภารกิจ", "Kind of delegator", "choice", KINDS, default="government"),
    Q("parties.delegator.address", "ที่ตั้งของผู้มอบภารกิจ", "Delegator's address"),
    Q("parties.delegator.representative.name", "ชื่อผู้ลงนามฝ่ายผู้มอบภารกิจ", "Delegator's signatory"),
    Q("parties.delegator.representative.position", "ตำแหน่งผู้ลงนามฝ่ายผู้มอบภารกิจ", "Delegator signatory's position"),
    Q("parties.partner.name", "ชื่อหน่วยงานผู้รับมอบภารกิจ", "Partner"),
    Q("parties.partner.kind", "ประเภทของผู้รับมอบภารกิจ", "Kind of partner", "choice", KINDS[1:], default="cso"),
    Q("parties.partner.address", "ที่ตั้งของผู้รับมอบภารกิจ", "Partner's address"),
    Q("parties.partner.representative.name", "ชื่อผู้ลงนามฝ่ายผู้รับมอบภารกิจ", "Partner's signatory"),
    Q("parties.partner.representative.position", "ตำแหน่งผู้ลงนามฝ่ายผู้รับมอบภารกิจ", "Partner signatory's position"),
    Q(
        "parties.partner.authority",
        "มติหรือการมอบอำนาจให้ผู้ลงนาม (Enter เพื่อข้าม)",
        "Resolution or delegation empowering the signatory (Enter to skip)",
        required=False,
    ),
    Q(
        "legal_basis",
        "กฎหมายที่ให้อำนาจ (ทีละรายการ)",
        "Laws giving the authority (one at a time)",
        "list",
        required=False,
        minimum=lambda a: 1 if is_comm(a) else 0,
    ),
    Q("objectives", "วัตถุประสงค์ (ทีละข้อ)", "Objectives (one at a time)", "list"),
    Q("scope.target_group", "กลุ่มเป้าหมาย", "Target group"),
    Q("scope.area", "พื้นที่ดำเนินการ", "Area"),
    Q("scope.activities", "กิจกรรม", "Activities", "records", fields=RECORD_ACTIVITY),
    Q("deliverables", "ผลผลิตที่ส่งมอบ (ทีละรายการ)", "Deliverables (one at a time)", "list"),
    Q("roles.delegator", "บทบาทหน้าที่ของผู้มอบภารกิจ (ทีละข้อ)", "Roles of the delegator (one at a time)", "list"),
    Q("roles.partner", "บทบาทหน้าที่ของผู้รับมอบภารกิจ (ทีละข้อ)", "Roles of the partner (one at a time)", "list"),
    Q("budget.total", "งบประมาณรวม (บาท)", "Total budget (baht)", "amount"),
    Q(
        "budget.sources",
        "แหล่งงบประมาณ",
        "Budget sources",
        "records",
        check=_sources_sum,
        fields=(
            Q("type", "ประเภทแหล่งเงิน", "Type", "choice", SOURCES, default="state_budget"),
            Q(
                "amount",
                "จำนวนเงิน (บาท)",
                "Amount (baht)",
                "amount",
                default=lambda a: get(a, "budget.total") if not get(a, "budget.sources") else None,
            ),
            Q("provider", "ผู้สนับสนุนเงิน", "Provided by", "choice", PARTIES, default="delegator"),
            Q(
                "fiscal_year",
                "ปีงบประมาณ พ.ศ. (Enter เพื่อข้าม)",
                "Fiscal year B.E. (Enter to skip)",
                "int",
                required=False,
            ),
        ),
    ),
    Q(
        "instalments",
        "งวดเงิน",
        "Instalments",
        "records",
        check=_instalments_sum,
        minimum=lambda a: 2 if model(a) == "performance" else 1,
        fields=(
            Q(
                "percent",
                "ร้อยละของเงินที่ผู้มอบภารกิจจ่าย",
                "Percent of the delegator's money",
                "amount",
                default=lambda a: 100 if model(a) == "grant" and not a.get("instalments") else None,
            ),
            Q(
                "due",
                "กำหนดจ่าย",
                "Due date",
                "date",
                check=_in_term,
                default=lambda a: get(a, "term.start") if not a.get("instalments") else None,
            ),
            Q(
                "after",
                "จ่ายหลัง",
                "Paid after",
                "choice",
                AFTER,
                default=lambda a: "signing" if not a.get("instalments") else "midterm",
            ),
            Q("condition", "เงื่อนไขเพิ่มเติม (Enter เพื่อข้าม)", "Further condition (Enter to skip)", required=False),
        ),
    ),
    Q("evaluation.midterm", "วันประเมินผลระยะกลาง", "Mid-term evaluation date", "date", check=_in_term, when=not_grant),
    Q(
        "evaluation.final",
        "วันประเมินผลหลังสิ้นสุด",
        "Final evaluation date",
        "date",
        check=_in_term,
        default=lambda a: get(a, "term.end"),
    ),
    Q(
        "evaluation.methods",
        f"วิธีประเมินผล (คั่นด้วยจุลภาค: {METHODS})",
        f"Evaluation methods (comma-separated: {METHODS})",
        "methods",
        default=lambda a: {"grant": "internal", "performance": "internal, external, field_visit"}.get(
            model(a), "internal, external, service_user_feedback"
        ),
    ),
    Q(
        "indicators",
        "ตัวชี้วัดความสำเร็จ",
        "Performance indicators",
        "records",
        minimum=lambda a: 0 if model(a) == "grant" else 1,
        required=False,
        fields=(
            Q("name", "ชื่อตัวชี้วัด", "Indicator"),
            Q("unit", "หน่วยนับ", "Unit"),
            Q("baseline", "ค่าฐาน (Enter เพื่อข้าม)", "Baseline (Enter to skip)", "amount", required=False),
            Q("target", "ค่าเป้าหมาย", "Target", "amount"),
            Q("frequency", "ความถี่ในการวัด", "Frequency", "choice", FREQ, default="quarterly"),
            Q("data_source", "แหล่งข้อมูล", "Data source"),
            Q("responsible", "ผู้รับผิดชอบ", "Responsible", "choice", PARTIES, default="partner"),
        ),
    ),
    Q("joint_committee.name", "ชื่อคณะกรรมการร่วม", "Name of the joint committee", when=is_comm),
    Q(
        "joint_committee.members",
        "กรรมการ (ต้องมีกรรมการและเลขานุการหนึ่งคน)",
        "Members (one of them the secretary)",
        "records",
        when=is_comm,
        minimum=lambda a: 2,
        fields=(
            Q("position", "ตำแหน่ง", "Position"),
            Q("party", "ฝ่าย", "Party", "choice", PARTIES),
            Q("role", "บทบาทในคณะกรรมการ", "Role", "choice", ROLES, default="member"),
        ),
    ),
    Q(
        "joint_committee.duties",
        "อำนาจหน้าที่ของคณะกรรมการร่วม (ทีละข้อ)",
        "Duties of the committee (one at a time)",
        "list",
        when=is_comm,
    ),
    Q("joint_committee.meetings", "ความถี่การประชุม", "Meetings", "choice", FREQ[:4], default="quarterly", when=is_comm),
    Q("joint_committee.secretariat", "สำนักงานเลขานุการร่วม (ตั้งอยู่ที่ใด)", "Joint secretariat (where)", when=is_comm),
    Q(
        "action_plan",
        "แผนปฏิบัติการ",
        "Action plan",
        "records",
        when=is_comm,
        fields=(
            Q("activity", "กิจกรรม", "Activity"),
            Q("start", "วันเริ่ม", "Start", "date", check=_in_term),
            Q("end", "วันสิ้นสุด", "End", "date", check=_in_term),
            Q("responsible", "ผู้รับผิดชอบ", "Responsible", "choice", PARTIES, default="partner"),
            Q("budget", "งบประมาณ (Enter เพื่อข้าม)", "Budget (Enter to skip)", "amount", required=False),
        ),
    ),
    Q(
        "sla.start",
        "วันเริ่มต้นข้อตกลงระดับการให้บริการ (SLA)",
        "SLA start",
        "date",
        check=_in_term,
        when=_sla_needed,
        default=lambda a: get(a, "term.start"),
    ),
    Q(
        "sla.end",
        "วันสิ้นสุด SLA (ไม่เกิน 12 เดือน)",
        "SLA end (at most 12 months)",
        "date",
        check=_sla_end,
        when=_sla_needed,
        default=_year_later,
    ),
    Q("sla.review", "ความถี่ในการทบทวน SLA", "SLA review", "choice", FREQ[:4], default="quarterly", when=_sla_needed),
    Q("sla.leads.delegator", "ผู้ประสานงานหลักฝ่ายผู้มอบภารกิจ", "Delegator's SLA lead", when=_sla_needed),
    Q("sla.leads.partner", "ผู้ประสานงานหลักฝ่ายผู้รับมอบภารกิจ", "Partner's SLA lead", when=_sla_needed),
    Q(
        "sla.services",
        "บริการและมาตรฐาน",
        "Services and standards",
        "records",
        when=_sla_needed,
        fields=(
            Q("name", "ชื่อบริการ", "Service"),
            Q("description", "รายละเอียด (Enter เพื่อข้าม)", "Description (Enter to skip)", required=False),
            Q("standard", "มาตรฐานการให้บริการ", "Standard"),
        ),
    ),
    Q("sla.escalation", "ขั้นตอนการยกระดับปัญหา (ทีละขั้น)", "Escalation steps (one at a time)", "list", when=_sla_needed),
    Q("sla.remedy", "มาตรการเยียวยา", "Remedy", when=_sla_needed),
    Q("personal_data.involved", "มีการใช้ข้อมูลส่วนบุคคลหรือไม่", "Is personal data involved", "bool", default=False),
    Q(
        "personal_data.categories",
        "ประเภทข้อมูลส่วนบุคคล (ทีละรายการ)",
        "Personal data categories (one at a time)",
        "list",
        when=personal,
    ),
    Q("personal_data.purpose", "วัตถุประสงค์ของการใช้ข้อมูล", "Purpose", when=personal),
    Q("personal_data.retention", "ระยะเวลาการเก็บรักษา", "Retention", when=personal),
    Q(
        "witnesses",
        "พยาน",
        "Witnesses",
        "records",
        required=False,
        minimum=lambda a: 0,
        fields=(
            Q("name", "ชื่อพยาน", "Name"),
            Q("position", "ตำแหน่ง", "Position"),
            Q("party", "ฝ่าย", "Party", "choice", PARTIES[:2]),
        ),
    ),
    Q("copies", "จำนวนฉบับ", "Number of copies", "int", default=2),
    Q(
        "copies_kept_by",
        "ผู้เก็บรักษาฉบับที่เกินจำนวนผู้ลงนาม (ทีละราย)",
        "Who keeps each copy beyond one per signatory (one at a time)",
        "list",
        when=lambda a, s: _extra_copies(a) > 0,
    ),
)
ORDER = ["spec_version", "model", "language", "screening"] + list(
    dict.fromkeys(q.path.split(".")[0] for q in QUESTIONS)
)
COMMENTS = {
    "spec_version": "รุ่นของรูปแบบไฟล์",
    "model": "รูปแบบความร่วมมือ (grant / performance / commissioning)",
    "language": "ภาษาของบันทึกข้อตกลง",
    "screening": "คำตอบคัดกรองเพื่อเลือกรูปแบบ",
    "title": "เรื่อง",
    "background": "หลักการและเหตุผล",
    "reference_no": "เลขที่",
    "signing": "สถานที่และวันที่ลงนาม",
    "term": "ระยะเวลาดำเนินการ",
    "parties": "คู่ภาคี",
    "legal_basis": "อำนาจหน้าที่ตามกฎหมาย",
    "objectives": "วัตถุประสงค์",
    "scope": "ขอบเขตความร่วมมือ",
    "deliverables": "ผลผลิต",
    "roles": "บทบาทหน้าที่",
    "budget": "งบประมาณและแหล่งที่มา",
    "instalments": "งวดเงิน",
    "evaluation": "การติดตามและประเมินผล",
    "indicators": "ตัวชี้วัดความสำเร็จ",
    "joint_committee": "คณะกรรมการร่วม",
    "action_plan": "แผนปฏิบัติการ",
    "sla": "ข้อตกลงระดับการให้บริการ",
    "personal_data": "ข้อมูลส่วนบุคคล",
    "witnesses": "พยาน",
    "copies": "จำนวนฉบับ",
    "copies_kept_by": "ผู้เก็บรักษาฉบับที่เหลือ",
}


class Invalid(ValueError):
    def __init__(self, th, en):
        super().__init__(en)
        self.th, self.en = th, en


def convert(q: Q, raw: str, a: dict):
    """Text typed by a user -> the value for the spec, or Invalid with a Thai and English message."""
    raw = raw.strip()
    if raw in ("", "-", "–", "—") and not q.required:  # a dash is how a form says "none"
        return None
    if raw == "":
        raise Invalid("ต้องตอบข้อนี้", "an answer is needed")
    try:
        if q.kind == "date":
            value = parse_user_date(raw)
        elif q.kind == "amount":
            value = parse_user_amount(raw)
            if value < 0:
                raise Invalid("ต้องไม่ติดลบ", "must not be negative")
        elif q.kind == "int":
            value = int(parse_user_amount(raw))
        elif q.kind == "bool":
            value = True if raw.lower() == "มี" else yes_or_no(raw)
            if value is None:
                raise Invalid("ตอบ ใช่ (y) หรือ ไม่ (n)", "answer y or n")
        elif q.kind == "choice":
            values = [c[0] for c in q.choices]
            if raw.isdigit() and 1 <= int(raw) <= len(values):
                value = values[int(raw) - 1]
            elif raw in values:
                value = raw
            else:
                raise Invalid(f"เลือกหมายเลข 1-{len(values)}", f"choose 1-{len(values)} or one of {', '.join(values)}")
        elif q.kind == "methods":
            value = [m.strip() for m in re.split(r"[,\s]+", raw) if m.strip()]
            bad = [m for m in value if m not in METHODS.split(", ")]
            if bad or not value:
                raise Invalid(f"ไม่รู้จักวิธี {', '.join(bad)}", f"unknown method(s) {', '.join(bad)}: use {METHODS}")
        else:
            value = raw
    except Invalid:
        raise
    except ShortYear as exc:
        m = exc.meant
        example = f"{m.day}/{m.month}/{m.year + 543}" if m else "1/3/2568"
        raise Invalid(
            f"พิมพ์ปี พ.ศ. ให้ครบสี่หลัก เช่น {example}" + (f" (หมายถึง {fmt_date(m, 'th')} หรือไม่)" if m else ""),
            f"type the year in full (four digits), e.g. {example} or {m.isoformat() if m else '2025-03-01'}"
            + (f": did you mean {fmt_date(m, 'en')}?" if m else ""),
        ) from exc
    except ValueError:
        what = {
            "date": ("วันที่ไม่ถูกต้อง พิมพ์เช่น ๒๒/๔/๒๕๖๗ หรือ 2024-04-22", "not a date: type e.g. 22/4/2567 or 2024-04-22"),
            "amount": (
                ("ต้องเป็นตัวเลข เช่น 1,250,000", "must be a number, e.g. 1,250,000")
                if "baht" in q.en.lower()
                else (
                    "ต้องเป็นตัวเลข เช่น 75 (เว้นว่างได้ถ้าไม่มี)" if not q.required else "ต้องเป็นตัวเลข เช่น 75",
                    "must be a number, e.g. 75" + ("" if q.required else " (or leave it empty)"),
                )
            ),
            "int": ("ต้องเป็นจำนวนเต็ม", "must be a whole number"),
        }.get(q.kind, ("ค่าไม่ถูกต้อง", "invalid value"))
        raise Invalid(*what) from None
    if q.check and value is not None:
        problem = q.check(value, a)
        if problem:
            raise Invalid(*problem)
    return value


def default_of(q: Q, a: dict):
    return q.default(a) if callable(q.default) else q.default


def shown(value, lang: str = "th") -> str:
    """An answer as the user reads it back, in the questionnaire's language (dates in words, amounts with commas)."""
    if isinstance(value, str) and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}", value
    ):  # a date as a resumed answers file holds it
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, dt.date):
        return fmt_date(value, lang)
    if isinstance(value, bool):
        return ("ใช่" if value else "ไม่") if lang == "th" else ("yes" if value else "no")
    if isinstance(value, (Decimal, int)):
        return f"{value:,}"
    if isinstance(value, list):
        return "; ".join(
            shown(v, lang) if not isinstance(v, dict) else ", ".join(shown(x, lang) for x in v.values()) for v in value
        )
    if isinstance(value, dict):
        return "; ".join(f"{k}: {shown(v, lang)}" for k, v in value.items())
    return str(value)


YES = ("y", "yes", "ใช่", "ครับ", "ค่ะ", "คะ", "จ้ะ", "ได้", "เพิ่ม", "1", "true")
NO = ("n", "no", "ไม่", "ไม่ใช่", "ไม่มี", "ไม่เพิ่ม", "พอ", "0", "false")


def yes_or_no(raw: str) -> bool | None:
    """True for a yes (y, ใช่, ครับ, ค่ะ), False for a no (n, ไม่, พอ), None for anything else: never a silent no."""
    low = raw.strip().lower()
    return True if low in YES else False if low in NO else None


def human_path(field: str, lang: str) -> str:
    """A field path as a user counts: `instalments[2].due` is item 3 of the instalments, not item 2."""
    word = "รายการที่" if lang == "th" else "item"
    return re.sub(r"\[(\d+)\]", lambda m: f" ({word} {int(m.group(1)) + 1})", field)


# -- pages: the questions grouped as the browser shows them (and as the terminal announces them) -----------------------


@dataclass(frozen=True)
class Page:
    id: str
    th: str
    en: str
    prefixes: tuple  # the top-level spec keys (or dotted paths) whose questions are on this page


PAGES = (
    Page("screening", "รูปแบบความร่วมมือ", "Partnership model", ("screening", "model", "language")),
    Page(
        "general",
        "เรื่อง การลงนาม และระยะเวลา",
        "Title, signing and term",
        ("title", "background", "reference_no", "signing", "term"),
    ),
    Page("parties", "คู่ภาคี", "Parties", ("parties",)),
    Page(
        "scope",
        "วัตถุประสงค์ ขอบเขต และบทบาท",
        "Objectives, scope and roles",
        ("legal_basis", "objectives", "scope", "deliverables", "roles"),
    ),
    Page("money", "งบประมาณ", "Budget", ("budget",)),
    Page("instalments", "งวดเงิน", "Instalments", ("instalments",)),
    Page("evaluation", "การประเมินผลและตัวชี้วัด", "Evaluation and indicators", ("evaluation", "indicators")),
    Page(
        "committee", "คณะกรรมการร่วมและแผนปฏิบัติการ", "Joint committee and action plan", ("joint_committee", "action_plan")
    ),
    Page("sla", "ข้อตกลงระดับการให้บริการ (SLA)", "Service-level agreement (SLA)", ("sla",)),
    Page(
        "closing",
        "ข้อมูลส่วนบุคคล พยาน และจำนวนฉบับ",
        "Personal data, witnesses and copies",
        ("personal_data", "witnesses", "copies", "copies_kept_by"),
    ),
)


def page_of(path: str) -> Page:
    """The page a question (or a spec field path such as `instalments[2].due`) belongs to."""
    top = re.split(r"[.\[]", path, maxsplit=1)[0]
    return next((p for p in PAGES if top in p.prefixes), PAGES[-1])


def page_questions(page: Page, answers: dict, settings: Settings) -> list[Q]:
    """The questions of a page that apply to these answers, in the questionnaire's order."""
    if page.id == "screening":
        return list(SCREENING)
    return [q for q in QUESTIONS if page_of(q.path) is page and q.when(answers, settings)]
