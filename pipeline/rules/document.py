"""What the document itself needs (SPEC §2): personal data said in full, the required sections' data, clause
choices that name real clauses; warnings on a signing date and on mixed languages."""

from __future__ import annotations

import re

from pipeline import values
from pipeline.library.clauses import Clause, Library
from pipeline.spec.model import Party, Spec, Supporter
from pipeline.spec.settings import Settings

from .facts import Add, delegator_amount, section_status, waits_for_final

_DIGIT = re.compile(r"[0-9๐-๙]")
# A period: a number (digits, or Thai or English words up to twelve) and a unit of time. "ตามที่กฎหมายกำหนด" alone is not.
_PERIOD = re.compile(
    r"([0-9๐-๙]+|หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve)\s*(ปี|เดือน|วัน|years?|months?|days?)",
    re.I,
)


def warnings(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    if spec.signed and spec.signed.date != spec.signing.date:
        add(
            ("signed", "date"),
            f"บันทึกข้อตกลงระบุว่าทำเมื่อ {values.date(spec.signing.date, 'th')} (signing.date) แต่ signed.date เป็น "
            f"{values.date(spec.signed.date, 'th')} เอกสารที่อ้างถึงบันทึกข้อตกลงจะใช้วันที่ตามบันทึกข้อตกลง",
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


def payment_warnings(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    """SPEC §2's warnings on who is paid and by what: an account for a partner the delegator pays; an authority that
    names its number or date; in `performance`, money kept for the final results."""
    p = spec.parties
    if delegator_amount(spec) > 0 and p.partner.account is None and spec.instalments:
        add(
            ("parties", "partner", "account"),
            "ผู้มอบภารกิจจ่ายเงินให้ผู้รับมอบภารกิจ ควรระบุบัญชีเงินฝากที่รับเงิน (account: ธนาคาร สาขา ชื่อบัญชี เลขที่บัญชี)",
            "the delegator pays the partner: give the account the money goes to (account: bank, branch, name, number)",
            warning=True,
        )
    whos: list[tuple[tuple[str | int, ...], Party | Supporter]] = [
        (("parties", "delegator"), p.delegator),
        (("parties", "partner"), p.partner),
    ]
    whos += [(("parties", "supporters", k), s) for k, s in enumerate(p.supporters)]
    for path, who in whos:
        if who.authority and not _DIGIT.search(who.authority):
            add(
                path + ("authority",),
                f"อำนาจของผู้ลงนาม ({who.authority[:60]}) ควรระบุเลขที่หรือวันที่ของมติ คำสั่ง หรือหนังสือมอบอำนาจ",
                f"the authority ('{who.authority[:60]}') should name the number or date of the resolution, order or "
                f"power of attorney",
                warning=True,
            )
    if spec.model == "performance" and spec.instalments and not waits_for_final(spec.instalments[-1]):
        k = len(spec.instalments) - 1
        add(
            ("instalments", k, "after"),
            f"งวดสุดท้าย (งวดที่ {k + 1}) ไม่รอการประเมินผลหลังสิ้นสุด ผู้มอบภารกิจจึงไม่มีเงินคงไว้สำหรับผลงานขั้นสุดท้าย",
            f"the last instalment ({k + 1}) does not wait for the final evaluation: the delegator keeps no money for the "
            f"final results",
            warning=True,
        )


def personal_data(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    pd = spec.personal_data
    if pd and pd.involved:
        if not pd.categories:
            add(
                ("personal_data", "categories"),
                "ต้องระบุประเภทข้อมูลส่วนบุคคล",
                "personal_data.categories is required when personal data is involved",
            )
        if pd.retention and not _PERIOD.search(pd.retention):
            add(
                ("personal_data", "retention"),
                "ระยะเวลาการเก็บรักษาข้อมูลต้องเป็นระยะเวลา (ปี เดือน หรือวัน) หรือระยะเวลานับแต่เหตุการณ์ใด เช่น "
                "๕ ปีนับแต่สิ้นสุดบันทึกข้อตกลง ไม่ใช่เพียง “ตามที่กฎหมายกำหนด”",
                "the retention must be a period (years, months or days), or a period after an event (e.g. five years "
                "after the agreement ends), never only 'as the law requires'",
            )
        for key, th in (("purpose", "วัตถุประสงค์"), ("retention", "ระยะเวลาการเก็บรักษา")):
            if not getattr(pd, key):
                add(
                    ("personal_data", key),
                    f"ต้องระบุ{th}ของการใช้ข้อมูลส่วนบุคคล",
                    f"personal_data.{key} is required when personal data is involved",
                )


def sections(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
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


def _only_clause(library: Library, clause: Clause, model: str) -> bool:
    return [c.id for c in library.clauses.values() if c.section == clause.section and model in c.models] == [clause.id]
