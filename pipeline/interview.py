"""The questionnaire: asks in Thai (or English), checks each answer when given, returns a complete spec as a dict.

Prompting only returns answers; saving and building are the caller's (cli) job, as in cookiecutter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

import click
import yaml

from .errors import Problem, SpecError, printable
from .recommend import recommend
from .rules import check
from .settings import Settings
from .spec import count_signatories, typed
from .thai import date as fmt_date, months_between, parse_user_amount, parse_user_date
from .yamlsource import parse


def _echo(message="") -> None:
    """Questions and answers as the terminal should show them: an answer's control characters written out."""
    click.echo(printable(str(message)))


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
        return ("วันที่ต้องอยู่ในระยะเวลาดำเนินการ", "the date must lie within the term")
    return None


def _term_end(value, a):
    s = _date(a, "term.start")
    return ("วันสิ้นสุดต้องอยู่หลังวันเริ่มต้น", "the end must come after the start") if s and value <= s else None


def _term_start(value, a):
    s = _date(a, "signing.date")
    return ("วันเริ่มต้นต้องไม่อยู่ก่อนวันลงนาม", "the term must not start before the signing date") if s and value < s else None


def _amount(value) -> Decimal:
    """An answer as an amount, 0 when it is not one (the full rule check then names it)."""
    try:
        return parse_user_amount(value) if value is not None else Decimal(0)
    except (ValueError, TypeError, ArithmeticError):
        return Decimal(0)


def _sources_sum(items, a):
    total = _amount(get(a, "budget.total"))
    got = sum((_amount(i.get("amount")) for i in items), Decimal(0))
    return None if got == total else (f"แหล่งงบประมาณรวมกันได้ {got:,} บาท ไม่เท่ากับงบประมาณรวม {total:,} บาท",
                                      f"the sources add up to {got:,}, not to the total {total:,}")


def _instalments_sum(items, a):
    got = sum((_amount(i.get("percent")) for i in items), Decimal(0))
    return None if got == 100 else (f"ร้อยละของงวดเงินรวมกันได้ {got} ต้องเท่ากับ 100", f"the percentages add up to {got}, not 100")


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
    return bool(s and e and months_between(s, e) >= settings.sla_min_term_months
                and _amount(get(a, "budget.total")) >= settings.sla_threshold)


def _extra_copies(a) -> int:
    """Copies beyond one per signatory (delegator, partner, supporters that sign): each needs a named keeper."""
    try:
        copies = int(a.get("copies") or 0)
    except (TypeError, ValueError):
        return 0
    supporters = get(a, "parties.supporters") or []
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


KINDS = (("government", "หน่วยงานรัฐส่วนกลาง", "central government"), ("lao", "องค์กรปกครองส่วนท้องถิ่น", "local government"),
         ("cso", "องค์กรภาคประชาสังคม", "civil-society organisation"), ("academic", "สถาบันวิชาการ", "academic institution"),
         ("private", "ภาคเอกชน", "private sector"))
PARTIES = (("delegator", "ผู้มอบภารกิจ", "delegator"), ("partner", "ผู้รับมอบภารกิจ", "partner"), ("supporters", "ภาคส่วนอื่นสนับสนุน", "supporters"))
FREQ = (("monthly", "รายเดือน", "monthly"), ("quarterly", "รายไตรมาส", "quarterly"), ("semiannual", "ทุกหกเดือน", "every six months"),
        ("annual", "รายปี", "annually"), ("once", "ครั้งเดียว", "once"))
MODELS = (("grant", "รูปแบบการให้เงินอุดหนุน", "grant"), ("performance", "รูปแบบการทำสัญญาข้อตกลง", "performance-based contracting"),
          ("commissioning", "รูปแบบกลไกขับเคลื่อนงานภายใต้สัญญาร่วม", "commissioning"))
SOURCES = (("state_budget", "งบประมาณแผ่นดิน", "state budget"), ("own_revenue", "เงินรายได้", "own revenue"),
           ("donation", "เงินบริจาค", "donations"), ("fund", "เงินกองทุน", "fund"), ("other", "แหล่งอื่น", "other"))
ROLES = (("chair", "ประธานกรรมการ", "chair"), ("vice_chair", "รองประธานกรรมการ", "vice-chair"), ("member", "กรรมการ", "member"),
         ("secretary", "กรรมการและเลขานุการ", "secretary"), ("assistant_secretary", "กรรมการและผู้ช่วยเลขานุการ", "assistant secretary"))
METHODS = "internal, external, field_visit, service_user_feedback"
not_grant = lambda a, settings=None: model(a) != "grant"  # noqa: E731
is_comm = lambda a, settings=None: model(a) == "commissioning"  # noqa: E731
personal = lambda a, settings=None: bool(get(a, "personal_data.involved"))  # noqa: E731

SCREENING = (
    Q("screening.mission", "ภารกิจนี้เป็นแบบใด", "What kind of mission is it", "choice",
      (("project", "โครงการที่มีกรอบเวลาชัดเจน (เช่น ระบบฐานข้อมูล การสำรวจ การอบรม)", "a project with a clear time frame (database, survey, training)"),
       ("service", "บริการต่อเนื่องหรืองานประจำ (เช่น ศูนย์ดูแล สถานคุ้มครอง การรับเรื่องร้องเรียน)", "a continuing or routine service (care centre, shelter, complaints)"),
       ("portfolio", "หลายภารกิจภายใต้นโยบายเดียว ระยะยาว (เช่น คณะกรรมการคุ้มครองเด็กจังหวัด)", "several missions under one policy, long-term (a provincial committee)"))),
    Q("screening.time_bound", "มีกรอบระยะเวลาสิ้นสุดชัดเจนหรือไม่", "Does it have a clear end date", "bool", required=False),
    Q("screening.routine", "เป็นงานประจำที่หน่วยงานต้องจัดให้อย่างต่อเนื่องหรือไม่", "Is it routine work the agency must keep providing", "bool", required=False),
    Q("screening.capacity_gap", "หน่วยงานขาดศักยภาพหรืออัตรากำลังที่จะทำเองหรือไม่", "Does the agency lack the capacity to do it itself", "bool", required=False),
    Q("screening.joint_structure", "จะดำเนินการผ่านคณะกรรมการร่วมที่เป็นทางการหรือไม่", "Will a formal joint committee run it", "bool", required=False),
)

RECORD_ACTIVITY = (Q("name", "ชื่อกิจกรรม", "Activity"), Q("description", "รายละเอียด (Enter เพื่อข้าม)", "Description (Enter to skip)", required=False))
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
    Q("parties.partner.authority", "มติหรือการมอบอำนาจให้ผู้ลงนาม (Enter เพื่อข้าม)", "Resolution or delegation empowering the signatory (Enter to skip)", required=False),
    Q("legal_basis", "กฎหมายที่ให้อำนาจ (ทีละรายการ)", "Laws giving the authority (one at a time)", "list", required=False, minimum=lambda a: 1 if is_comm(a) else 0),
    Q("objectives", "วัตถุประสงค์ (ทีละข้อ)", "Objectives (one at a time)", "list"),
    Q("scope.target_group", "กลุ่มเป้าหมาย", "Target group"),
    Q("scope.area", "พื้นที่ดำเนินการ", "Area"),
    Q("scope.activities", "กิจกรรม", "Activities", "records", fields=RECORD_ACTIVITY),
    Q("deliverables", "ผลผลิตที่ส่งมอบ (ทีละรายการ)", "Deliverables (one at a time)", "list"),
    Q("roles.delegator", "บทบาทหน้าที่ของผู้มอบภารกิจ (ทีละข้อ)", "Roles of the delegator (one at a time)", "list"),
    Q("roles.partner", "บทบาทหน้าที่ของผู้รับมอบภารกิจ (ทีละข้อ)", "Roles of the partner (one at a time)", "list"),
    Q("budget.total", "งบประมาณรวม (บาท)", "Total budget (baht)", "amount"),
    Q("budget.sources", "แหล่งงบประมาณ", "Budget sources", "records", check=_sources_sum, fields=(
        Q("type", "ประเภทแหล่งเงิน", "Type", "choice", SOURCES, default="state_budget"),
        Q("amount", "จำนวนเงิน (บาท)", "Amount (baht)", "amount", default=lambda a: get(a, "budget.total") if not get(a, "budget.sources") else None),
        Q("provider", "ผู้สนับสนุนเงิน", "Provided by", "choice", PARTIES, default="delegator"),
        Q("fiscal_year", "ปีงบประมาณ พ.ศ. (Enter เพื่อข้าม)", "Fiscal year B.E. (Enter to skip)", "int", required=False))),
    Q("instalments", "งวดเงิน", "Instalments", "records", check=_instalments_sum, minimum=lambda a: 2 if model(a) == "performance" else 1, fields=(
        Q("percent", "ร้อยละของเงินที่ผู้มอบภารกิจจ่าย", "Percent of the delegator's money", "amount", default=lambda a: 100 if model(a) == "grant" and not a.get("instalments") else None),
        Q("due", "กำหนดจ่าย", "Due date", "date", check=_in_term, default=lambda a: get(a, "term.start") if not a.get("instalments") else None),
        Q("condition", "เงื่อนไขการจ่าย", "Condition", default=lambda a: "เมื่อลงนามในบันทึกข้อตกลง" if not a.get("instalments") else "เมื่อผ่านการประเมินผลการดำเนินงานระยะกลาง"))),
    Q("evaluation.midterm", "วันประเมินผลระยะกลาง", "Mid-term evaluation date", "date", check=_in_term, when=not_grant),
    Q("evaluation.final", "วันประเมินผลหลังสิ้นสุด", "Final evaluation date", "date", check=_in_term, default=lambda a: get(a, "term.end")),
    Q("evaluation.methods", f"วิธีประเมินผล คั่นด้วยจุลภาค ({METHODS})", f"Evaluation methods, comma-separated ({METHODS})", "methods",
      default=lambda a: {"grant": "internal", "performance": "internal, external, field_visit"}.get(model(a), "internal, external, service_user_feedback")),
    Q("indicators", "ตัวชี้วัดความสำเร็จ", "Performance indicators", "records", minimum=lambda a: 0 if model(a) == "grant" else 1, required=False, fields=(
        Q("name", "ชื่อตัวชี้วัด", "Indicator"), Q("unit", "หน่วยนับ", "Unit"),
        Q("baseline", "ค่าฐาน (Enter เพื่อข้าม)", "Baseline (Enter to skip)", "amount", required=False),
        Q("target", "ค่าเป้าหมาย", "Target", "amount"), Q("frequency", "ความถี่ในการวัด", "Frequency", "choice", FREQ, default="quarterly"),
        Q("data_source", "แหล่งข้อมูล", "Data source"), Q("responsible", "ผู้รับผิดชอบ", "Responsible", "choice", PARTIES, default="partner"))),
    Q("joint_committee.name", "ชื่อคณะกรรมการร่วม", "Name of the joint committee", when=is_comm),
    Q("joint_committee.members", "กรรมการ", "Members", "records", when=is_comm, minimum=lambda a: 2, fields=(
        Q("position", "ตำแหน่ง", "Position"), Q("party", "ฝ่าย", "Party", "choice", PARTIES),
        Q("role", "บทบาทในคณะกรรมการ", "Role", "choice", ROLES, default="member"))),
    Q("joint_committee.duties", "อำนาจหน้าที่ของคณะกรรมการร่วม (ทีละข้อ)", "Duties of the committee (one at a time)", "list", when=is_comm),
    Q("joint_committee.meetings", "ความถี่การประชุม", "Meetings", "choice", FREQ[:4], default="quarterly", when=is_comm),
    Q("joint_committee.secretariat", "สำนักงานเลขานุการร่วม (ตั้งอยู่ที่ใด)", "Joint secretariat (where)", when=is_comm),
    Q("action_plan", "แผนปฏิบัติการ", "Action plan", "records", when=is_comm, fields=(
        Q("activity", "กิจกรรม", "Activity"), Q("start", "วันเริ่ม", "Start", "date", check=_in_term),
        Q("end", "วันสิ้นสุด", "End", "date", check=_in_term), Q("responsible", "ผู้รับผิดชอบ", "Responsible", "choice", PARTIES, default="partner"),
        Q("budget", "งบประมาณ (Enter เพื่อข้าม)", "Budget (Enter to skip)", "amount", required=False))),
    Q("sla.start", "วันเริ่มต้นข้อตกลงระดับการให้บริการ (SLA)", "SLA start", "date", check=_in_term, when=_sla_needed, default=lambda a: get(a, "term.start")),
    Q("sla.end", "วันสิ้นสุด SLA (ไม่เกิน 12 เดือน)", "SLA end (at most 12 months)", "date", check=_sla_end, when=_sla_needed, default=_year_later),
    Q("sla.review", "ความถี่ในการทบทวน SLA", "SLA review", "choice", FREQ[:4], default="quarterly", when=_sla_needed),
    Q("sla.leads.delegator", "ผู้ประสานงานหลักฝ่ายผู้มอบภารกิจ", "Delegator's SLA lead", when=_sla_needed),
    Q("sla.leads.partner", "ผู้ประสานงานหลักฝ่ายผู้รับมอบภารกิจ", "Partner's SLA lead", when=_sla_needed),
    Q("sla.services", "บริการและมาตรฐาน", "Services and standards", "records", when=_sla_needed, fields=(
        Q("name", "ชื่อบริการ", "Service"), Q("description", "รายละเอียด (Enter เพื่อข้าม)", "Description (Enter to skip)", required=False),
        Q("standard", "มาตรฐานการให้บริการ", "Standard"))),
    Q("sla.escalation", "ขั้นตอนการยกระดับปัญหา (ทีละขั้น)", "Escalation steps (one at a time)", "list", when=_sla_needed),
    Q("sla.remedy", "มาตรการเยียวยา", "Remedy", when=_sla_needed),
    Q("personal_data.involved", "มีการใช้ข้อมูลส่วนบุคคลหรือไม่", "Is personal data involved", "bool", default=False),
    Q("personal_data.categories", "ประเภทข้อมูลส่วนบุคคล (ทีละรายการ)", "Personal data categories (one at a time)", "list", when=personal),
    Q("personal_data.purpose", "วัตถุประสงค์ของการใช้ข้อมูล", "Purpose", when=personal),
    Q("personal_data.retention", "ระยะเวลาการเก็บรักษา", "Retention", when=personal),
    Q("witnesses", "พยาน", "Witnesses", "records", required=False, minimum=lambda a: 0, fields=(
        Q("name", "ชื่อพยาน", "Name"), Q("position", "ตำแหน่ง", "Position"), Q("party", "ฝ่าย", "Party", "choice", PARTIES[:2]))),
    Q("copies", "จำนวนฉบับ", "Number of copies", "int", default=2),
    Q("copies_kept_by", "ผู้เก็บรักษาฉบับที่เกินจำนวนผู้ลงนาม (ทีละราย)", "Who keeps each copy beyond one per signatory (one at a time)", "list",
      when=lambda a, s: _extra_copies(a) > 0),
)
ORDER = ["spec_version", "model", "language", "screening"] + list(dict.fromkeys(q.path.split(".")[0] for q in QUESTIONS))
COMMENTS = {
    "spec_version": "รุ่นของรูปแบบไฟล์", "model": "รูปแบบความร่วมมือ (grant / performance / commissioning)", "language": "ภาษาของบันทึกข้อตกลง",
    "screening": "คำตอบคัดกรองเพื่อเลือกรูปแบบ", "title": "เรื่อง", "background": "หลักการและเหตุผล", "reference_no": "เลขที่",
    "signing": "สถานที่และวันที่ลงนาม", "term": "ระยะเวลาดำเนินการ", "parties": "คู่ภาคี", "legal_basis": "อำนาจหน้าที่ตามกฎหมาย",
    "objectives": "วัตถุประสงค์", "scope": "ขอบเขตความร่วมมือ", "deliverables": "ผลผลิต", "roles": "บทบาทหน้าที่",
    "budget": "งบประมาณและแหล่งที่มา", "instalments": "งวดเงิน", "evaluation": "การติดตามและประเมินผล", "indicators": "ตัวชี้วัดความสำเร็จ",
    "joint_committee": "คณะกรรมการร่วม", "action_plan": "แผนปฏิบัติการ", "sla": "ข้อตกลงระดับการให้บริการ", "personal_data": "ข้อมูลส่วนบุคคล",
    "witnesses": "พยาน", "copies": "จำนวนฉบับ", "copies_kept_by": "ผู้เก็บรักษาฉบับที่เหลือ",
}


class Invalid(ValueError):
    def __init__(self, th, en):
        super().__init__(en)
        self.th, self.en = th, en


def convert(q: Q, raw: str, a: dict):
    """Text typed by a user -> the value for the spec, or Invalid with a Thai and English message."""
    raw = raw.strip()
    if raw == "" and not q.required:
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
            low = raw.lower()
            if low in ("y", "yes", "ใช่", "มี", "1", "true"):
                value = True
            elif low in ("n", "no", "ไม่", "ไม่ใช่", "ไม่มี", "0", "false"):
                value = False
            else:
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
    except ValueError:
        what = {"date": ("วันที่ไม่ถูกต้อง พิมพ์เช่น ๒๒/๔/๒๕๖๗ หรือ 2024-04-22", "not a date: type e.g. 22/4/2567 or 2024-04-22"),
                "amount": ("ต้องเป็นตัวเลข เช่น 1,250,000", "must be a number, e.g. 1,250,000"),
                "int": ("ต้องเป็นจำนวนเต็ม", "must be a whole number")}.get(q.kind, ("ค่าไม่ถูกต้อง", "invalid value"))
        raise Invalid(*what)
    if q.check and value is not None:
        problem = q.check(value, a)
        if problem:
            raise Invalid(*problem)
    return value


def default_of(q: Q, a: dict):
    return q.default(a) if callable(q.default) else q.default


def shown(value) -> str:
    if isinstance(value, dt.date):
        return fmt_date(value, "th")
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, bool):
        return "ใช่" if value else "ไม่"
    if isinstance(value, list):
        return "; ".join(shown(v) if not isinstance(v, dict) else ", ".join(shown(x) for x in v.values()) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {shown(v)}" for k, v in value.items())
    return str(value)


@dataclass
class Interview:
    lang: str = "th"
    answers: dict = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    library: object = None

    def say(self, th: str, en: str) -> None:
        _echo(th if self.lang == "th" else en)

    def text(self, q: Q) -> str:
        return q.th if self.lang == "th" else q.en

    def prompt(self, label: str, default=None) -> str:
        shown_default = None if default in (None, "") else (shown(default) if not isinstance(default, (int, str)) or isinstance(default, bool) else str(default))
        return click.prompt(label, default=shown_default if shown_default is not None else "", show_default=shown_default is not None)

    # -- one question --------------------------------------------------------------------------------------
    def ask_value(self, q: Q, context: dict):
        if q.kind == "choice":
            for i, (value, th, en) in enumerate(q.choices, 1):
                _echo(f"  {i}) {th if self.lang == 'th' else en} [{value}]")
        suffix = {"bool": " (y/n)" if q.required else self.say_text(" (y/n, Enter = ไม่แน่ใจ)", " (y/n, Enter = not sure)")}.get(q.kind, "")
        default = default_of(q, context)
        if q.kind == "choice" and default is not None:
            default = str([c[0] for c in q.choices].index(default) + 1)
        if q.kind == "bool" and default is not None:
            default = "y" if default else "n"
        if q.kind == "date" and isinstance(default, str):
            try:
                default = parse_user_date(default)
            except ValueError:
                pass
        if q.kind == "date" and isinstance(default, dt.date):  # as a Thai user types it: 1/2/2568
            default = f"{default.day}/{default.month}/{default.year + 543}" if self.lang == "th" else default.isoformat()
        while True:
            raw = self.prompt(self.text(q) + suffix, default)
            try:
                return convert(q, raw, context)
            except Invalid as exc:
                self.say(f"  ✗ {exc.th} — กรุณาตอบอีกครั้ง", f"  ✗ {exc.en} — please answer again")

    def ask_list(self, q: Q, a: dict):
        items, need = [], q.minimum(a)
        self.say(f"{q.th} — พิมพ์ทีละรายการ กด Enter ที่บรรทัดว่างเมื่อครบ", f"{q.en} — one per line, an empty line to finish")
        while True:
            raw = click.prompt(f"  {len(items) + 1}", default="", show_default=False).strip()
            if not raw:
                if len(items) >= need:
                    return items
                self.say(f"  ✗ ต้องมีอย่างน้อย {need} รายการ", f"  ✗ at least {need} item(s) needed")
                continue
            items.append(raw)

    def ask_records(self, q: Q, a: dict):
        need = q.minimum(a)
        while True:
            items: list = []
            while True:
                if len(items) >= need:
                    more = self.prompt(self.say_text(f"เพิ่ม{q.th} รายการที่ {len(items) + 1} หรือไม่ (y/n)", f"Add {q.en} item {len(items) + 1}? (y/n)"), "n")
                    if more.strip().lower() not in ("y", "yes", "ใช่"):
                        break
                self.say(f"— {q.th} รายการที่ {len(items) + 1}", f"— {q.en}, item {len(items) + 1}")
                record: dict = {}
                context = dict(a)
                put(context, q.path, items)
                for sub in q.fields:
                    value = self.ask_value(sub, context)
                    if value is not None:
                        record[sub.path] = value
                items.append(record)
            problem = q.check(items, a) if q.check else None
            if not problem:
                return items
            self.say(f"  ✗ {problem[0]} — กรอก{q.th}ใหม่", f"  ✗ {problem[1]} — enter the {q.en.lower()} again")

    def say_text(self, th, en):
        return th if self.lang == "th" else en

    def ask(self, q: Q) -> None:
        a = self.answers
        if q.kind == "list":
            put(a, q.path, self.ask_list(q, a))
        elif q.kind == "records":
            put(a, q.path, self.ask_records(q, a))
        else:
            value = self.ask_value(q, a)
            if value is None:
                drop(a, q.path)
            else:
                put(a, q.path, value)
        if q.path == "personal_data.involved" and not get(a, q.path):
            a.setdefault("personal_data", {})["involved"] = False

    # -- the whole interview -----------------------------------------------------------------------------
    def applicable(self) -> list[Q]:
        return [q for q in QUESTIONS if q.when(self.answers, self.settings)]

    def missing(self) -> list[Q]:
        out = []
        for q in self.applicable():
            value = get(self.answers, q.path)
            if value is None and (q.required or (q.kind in ("list", "records") and q.minimum(self.answers) > 0)):
                if default_of(q, self.answers) is None or q.kind in ("list", "records"):
                    out.append(q)
        return out

    def fill_defaults(self) -> None:
        for q in self.applicable():
            if get(self.answers, q.path) is None and q.kind not in ("list", "records"):
                d = default_of(q, self.answers)
                if d is not None:
                    put(self.answers, q.path, d if q.kind != "methods" else [m.strip() for m in d.split(",")])

    def choose_model(self, interactive: bool) -> None:
        a = self.answers
        a.setdefault("spec_version", 1)
        a.setdefault("language", self.lang)
        if a.get("model"):
            return
        if interactive:
            self.say("ขั้นที่ ๑ การเลือกรูปแบบความร่วมมือ", "Step 1: choosing the model")
            for q in SCREENING:
                if get(a, q.path) is None:
                    self.ask(q)
        rec = recommend(**(a.get("screening") or {}))
        if not interactive:
            a["model"] = rec.model
            return
        label = dict((m, th if self.lang == "th" else en) for m, th, en in MODELS)[rec.model]
        self.say(f"แนะนำ: {label} — {rec.th}", f"Recommended: {label} — {rec.en}")
        q = Q("model", "ยอมรับรูปแบบที่แนะนำ หรือเลือกรูปแบบอื่น", "Accept the recommendation or choose another", "choice", MODELS, default=rec.model)
        self.ask(q)

    def problems(self) -> list:
        """The same rules as `mou build`: the answers as a spec text, typed and checked."""
        text = to_yaml(self.answers)
        src = parse(text, "<answers>")
        spec, problems = typed(src)
        if spec is not None:
            problems = [Problem(src.name, src.line(f.path), ".".join(str(p) for p in f.path), f.th, f.en)
                        for f in check(spec, self.settings, self.library) if not f.warning]  # warnings: printed by the build
        return problems

    def question_for(self, field_path: str) -> Q | None:
        bare = re.sub(r"\[\d+\].*", "", field_path)
        candidates = [q for q in self.applicable() if bare == q.path or bare.startswith(q.path + ".") or q.path.startswith(bare + ".") or q.path == bare]
        return max(candidates, key=lambda q: len(q.path), default=None) if candidates else None

    def run(self) -> dict:
        self.choose_model(interactive=True)
        self.say("ขั้นที่ ๒ รายละเอียดของบันทึกข้อตกลง", "Step 2: the agreement")
        for q in self.applicable():
            if get(self.answers, q.path) is None:
                self.ask(q)
        while True:
            problems = self.problems()
            if problems:
                stuck = [Problem(p.file, None, p.field, p.th, p.en) for p in problems if self.question_for(p.field) is None]
                if stuck:  # e.g. an SLA for a grant in an answers file: no question here can mend it
                    raise SpecError(stuck, "answers (แก้ไขในไฟล์คำตอบ / fix them in the answers file)")
                for p in problems:
                    self.say(f"  ✗ {p.field}: {p.th}", f"  ✗ {p.field}: {p.en}")
                for q in dict.fromkeys(self.question_for(p.field) for p in problems):
                    self.say(f"แก้ไข: {q.th}", f"Fix: {q.en}")
                    self.ask(q)
                for later in self.missing():  # answers that now apply (a keeper for a copy beyond the signatories)
                    self.ask(later)
                continue
            if not self.review():
                return self.answers

    def review(self) -> bool:
        """Shows every answer; returns True when the user changed one (then everything is checked again)."""
        qs = [q for q in self.applicable() if get(self.answers, q.path) is not None]
        self.say("ขั้นที่ ๓ ตรวจทานคำตอบ", "Step 3: review your answers")
        for i, q in enumerate(qs, 1):
            _echo(f"  {i:>2}. {self.text(q)}: {shown(get(self.answers, q.path))}")
        raw = click.prompt(self.say_text("พิมพ์หมายเลขข้อที่ต้องการแก้ไข หรือ Enter เพื่อยืนยันและสร้างร่าง",
                                         "Number of an answer to change, or Enter to confirm and build the draft"),
                           default="", show_default=False).strip()
        if raw.isdigit() and 1 <= int(raw) <= len(qs):
            q = qs[int(raw) - 1]
            drop(self.answers, q.path)
            self.ask(q)
            for later in self.missing():  # answers that now apply and are missing (e.g. an SLA after a longer term)
                self.ask(later)
            return True
        return False


def plain_data(value):
    """Answers as YAML-safe data: Decimal amounts as int or float (their text stays exact)."""
    if isinstance(value, dict):
        return {k: plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_data(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None))


def to_yaml(answers: dict) -> str:
    """The answers as a spec file, commented in Thai, keys in the spec's order."""
    a = dict(answers)
    if isinstance(a.get("background"), str):
        a["background"] = "\n".join(p.strip() for p in a["background"].split("|")) + "\n"
    out = ["# บันทึกข้อตกลงที่สร้างจากแบบสอบถาม (mou interview) — แก้ไขได้แล้วสร้างใหม่ด้วย mou build", ""]
    for key in ORDER + [k for k in a if k not in ORDER]:
        if key in a:
            out.append(f"# {COMMENTS.get(key, key)}")
            out.append(yaml.dump({key: plain_data(a[key])}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000).rstrip())
    return "\n".join(out) + "\n"
