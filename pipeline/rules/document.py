"""What the document itself needs (SPEC §2): personal data said in full, the required sections' data, clause
choices that name real clauses; warnings on a signing date and on mixed languages."""

from __future__ import annotations

import re

from pipeline.library.clauses import Library
from pipeline.render import thai

from .facts import section_status


def warnings(spec, settings, library, add) -> None:
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


def personal_data(spec, settings, library, add) -> None:
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


def sections(spec, settings, library, add) -> None:
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


def _only_clause(library: Library, clause, model: str) -> bool:
    return [c.id for c in library.clauses.values() if c.section == clause.section and model in c.models] == [clause.id]
