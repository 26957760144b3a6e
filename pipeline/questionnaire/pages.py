"""The questionnaire as a whole, for both front ends: its pages (as the browser shows them and the terminal announces
them), the questions that apply, what is still missing, what the rules of `mou build` say about the answers, and the
answers written as a spec file."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from pipeline.errors import Problem
from pipeline.questionnaire.answers import Q, _Dumper, default_of, get, plain_data
from pipeline.questionnaire.questions import QUESTIONS, SCREENING
from pipeline.rules import check
from pipeline.spec.settings import Settings
from pipeline.spec.source import parse
from pipeline.spec.typed import typed

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
    "clauses": "ข้อสัญญาที่เลือกเพิ่มหรือไม่ใช้ และข้อเพิ่มเติม",
}


def to_yaml(answers: dict) -> str:
    """The answers as a spec file, commented in Thai, keys in the spec's order."""
    a = dict(answers)
    if isinstance(a.get("background"), str):
        a["background"] = "\n".join(p.strip() for p in a["background"].split("|")) + "\n"
    out = ["# บันทึกข้อตกลงที่สร้างจากแบบสอบถาม (mou interview) — แก้ไขได้แล้วสร้างใหม่ด้วย mou build", ""]
    for key in ORDER + [k for k in a if k not in ORDER]:
        if key in a:
            out.append(f"# {COMMENTS.get(key, key)}")
            out.append(
                yaml.dump(
                    {key: plain_data(a[key])}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000
                ).rstrip()
            )
    return "\n".join(out) + "\n"


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
    Page("instalments", "งวดเงิน", "Instalments", ("instalments", "budget.carry_over")),
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
    exact = next((p for p in PAGES if any(path == x or path.startswith(x + ".") for x in p.prefixes if "." in x)), None)
    if exact is not None:  # a dotted prefix (budget.carry_over) places one field on another page than its group's
        return exact
    top = re.split(r"[.\[]", path, maxsplit=1)[0]
    return next((p for p in PAGES if top in p.prefixes), PAGES[-1])


def page_questions(page: Page, answers: dict, settings: Settings) -> list[Q]:
    """The questions of a page that apply to these answers, in the questionnaire's order."""
    if page.id == "screening":
        return list(SCREENING)
    return [q for q in QUESTIONS if page_of(q.path) is page and q.when(answers, settings)]


def all_page_questions(page: Page) -> list[Q]:
    """Every question a page may ask, whatever the answers (those that do not apply yet included)."""
    if page.id == "screening":
        return list(SCREENING)
    return [q for q in QUESTIONS if page_of(q.path) is page]


def applicable(answers: dict, settings: Settings) -> list[Q]:
    """The questions these answers call for (an SLA only when the SLA rule applies, a committee only in commissioning)."""
    return [q for q in QUESTIONS if q.when(answers, settings)]


def missing(answers: dict, settings: Settings) -> list[Q]:
    """The questions still without an answer (and without a default that stands in for one)."""
    out = []
    for q in applicable(answers, settings):
        value = get(answers, q.path)
        if value is None and (q.needed(answers) or (q.kind in ("list", "records") and q.minimum(answers) > 0)):
            if default_of(q, answers) is None or q.kind in ("list", "records"):
                out.append(q)
    return out


def problems(answers: dict, settings: Settings, library) -> list[Problem]:
    """The same rules as `mou build`: the answers as a spec text, typed and checked (warnings are the build's to print)."""
    src = parse(to_yaml(answers), "<answers>")
    spec, found = typed(src)
    if spec is not None:
        found = [
            Problem(src.name, src.line(f.path), ".".join(str(p) for p in f.path), f.th, f.en, f.rule)
            for f in check(spec, settings, library)
            if not f.warning
        ]
    return found
