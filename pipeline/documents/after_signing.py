"""The documents an agreement has after it is signed: the SLA of each later year (`mou sla`), and amendments
(`mou amend`). Each is assembled into the same Agreement shape as the agreement itself, so it renders through the same
Word template, converts through the same LibreOffice and carries provenance like any agreement."""

from __future__ import annotations

from typing import Any

import yaml

from pipeline.documents.agreement import blocks_of, context
from pipeline.documents.rendering import Words, clause_env
from pipeline.documents.signatures import bound_name, keep_with_signatures, signature_roles
from pipeline.errors import LibraryError, Message, MouError
from pipeline.library.clauses import Library
from pipeline.render import thai
from pipeline.render.document import Agreement, Block, BlockRow, Section, Table, block_starts
from pipeline.spec.model import Spec
from pipeline.spec.settings import Settings

SLA_FILE = "_sla.yaml"


def _library_text(library: Library, file: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """One of the library's document texts (`_sla.yaml`, `_amendment.yaml`), with the keys it must have."""
    path = library.root / "clauses" / file
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, RecursionError) as exc:
        raise LibraryError(Message(f"อ่าน {path} ไม่ได้", f"could not read {path}: {exc}")) from exc
    if not isinstance(data, dict) or any(k not in data for k in keys):
        raise LibraryError(Message(f"{path}: ต้องมี {', '.join(keys)}", f"needs {', '.join(keys)}"))
    return data


def sla_text(library: Library) -> dict[str, Any]:
    return _library_text(library, SLA_FILE, ("title", "refers", "sections"))


def sla_document(spec: Spec, year: int, settings: Settings, library: Library, draft: bool = False) -> Agreement:
    """The SLA of year `year` (2, 3 …: `sla_renewals[year - 2]`) as a document of its own that names the agreement."""
    lang = spec.language
    if year < 2:
        raise MouError(
            Message(
                "ข้อตกลงระดับการให้บริการปีที่ ๑ เป็นภาคผนวกของบันทึกข้อตกลง (สร้างด้วย mou build)",
                "the year-1 SLA is an annex of the agreement itself (mou build); --year starts at 2",
            )
        )
    if spec.signed is None:
        raise MouError(
            Message(
                "ข้อตกลงระดับการให้บริการรายปีทำสำหรับบันทึกข้อตกลงที่ลงนามแล้ว ให้บันทึก signed: {date: …} ในข้อกำหนดก่อน",
                "yearly SLAs are made for a signed agreement: record `signed: {date: …}` in the spec first",
            )
        )
    if year - 2 >= len(spec.sla_renewals):
        have = len(spec.sla_renewals) + 1
        raise MouError(
            Message(
                f"ยังไม่มีข้อมูล SLA ปีที่ {year} ใน sla_renewals (มีถึงปีที่ {have}) เพิ่มปีต่อจากปีที่ {have} ตามลำดับก่อน",
                f"sla_renewals holds no year {year} (it goes up to year {have}): add the years after {have}, in order, first",
            )
        )
    sla = spec.sla_renewals[year - 2]
    text = sla_text(library)
    env = clause_env(lang, library.labels)
    ctx = {name: getattr(spec, name) for name in type(spec).model_fields}
    # made: the date the agreement says it was made; one copy per signatory of the agreement
    ctx.update(sla=sla, year=year, made=spec.signing.date, lang=lang, signatories=spec.signatories())
    ctx["bound"] = lambda who: bound_name(who, lang)  # a unit with part_of: "X โดย Y", as in the agreement
    digits: Words = lambda s: thai.localise_digits(s, lang, settings.digits)  # noqa: E731
    local: Words = lambda s: thai.keep_together(digits(s))  # noqa: E731

    def render(template: str) -> str:
        try:
            return env.from_string(template).render(**ctx)
        except Exception as exc:  # the library's text: never a traceback, always the file to fix
            raise LibraryError(
                f"{library.root / 'clauses' / SLA_FILE}: แสดงผลไม่ได้ / failed to render: {type(exc).__name__}: {exc}"
            ) from exc

    sections = []
    numbering = getattr(library.sections.numbering, lang)
    for n, sdef in enumerate(text["sections"], 1):
        sid = "signatures" if sdef.get("table") == "signatures" else sdef["id"]
        blocks = [Block(b.kind, local(b.text)) for b in blocks_of(render(sdef["text"][lang]))]
        if sdef.get("table") == "services":
            heads = (
                ("บริการ", "รายละเอียด", "มาตรฐานการให้บริการ") if lang == "th" else ("Service", "Description", "Standard")
            )
            rows = tuple((local(s.name), local(s.description or "-"), local(s.standard)) for s in sla.services)
            _with_table(blocks, Table("grid", heads, (1.0, 1.6, 1.4), rows))
        elif sdef.get("table") == "signatures":  # the agreement's signatories (supporters that sign too) and witnesses
            signing = context(spec, settings, library)
            with_signatures(blocks, signing["signature_rows"], signing["witness_rows"], local)
        heading = sdef[lang] if sid == "signatures" else numbering.format(n=n, title=sdef[lang])
        sections.append(Section(sid, "closing" if sid == "signatures" else "body", digits(heading), tuple(blocks)))
    keep_with_signatures(sections)
    front = title_block(
        spec, digits(render(text["title"][lang])), digits(render(text["refers"][lang])), digits, library, draft
    )
    return Agreement(
        lang,
        spec.model,
        front,
        tuple(sections),
        {"_sla": int(text.get("version", 1))},
        tuple(s.id for s in sections),
        draft,
        {"document": "sla", "year": year},
        signature_roles(spec),
    )


def _with_table(blocks: list[Block], table: Table) -> None:
    """A table after the paragraph that introduces it, which is kept on the table's page (as the agreement does)."""
    if blocks and blocks[-1].kind == "para":
        blocks[-1] = Block("lead", blocks[-1].text)
    blocks.append(Block("table", table=table))


def with_signatures(
    blocks: list[Block], signature_rows: list[BlockRow], witness_rows: list[BlockRow], local: Words
) -> None:
    """The signature blocks, then the witnesses', after the closing sentence: never a signature page of its own."""
    for rows in (signature_rows, witness_rows):
        if rows:
            cells = tuple(tuple(local(c) for c in r) for r in rows)
            _with_table(blocks, Table("signatures", ("", ""), (1.0, 1.0), cells, starts=block_starts(rows)))


def title_block(spec: Spec, title: str, refers: str, digits: Words, library: Library, draft: bool) -> dict[str, str]:
    """The title block of a document that belongs to an agreement: its own title, then the agreement's."""
    return {
        "doc_title": title,
        "model_label": refers,
        "subject": digits(spec.title.replace("\n", " ")),
        "delegator": digits(spec.parties.delegator.name),
        "partner": digits(spec.parties.partner.name),
        "reference_no": digits(spec.reference_no or ""),
        "draft_mark": library.labels["document"]["draft"][spec.language] if draft else "",
    }


def required_headings(library: Library, document: str, lang: str) -> list[tuple[str, str]]:
    """(section id, heading) a document of this kind must hold: the SLA's from `_sla.yaml`."""
    if document == "sla":
        return [
            ("signatures" if s.get("table") == "signatures" else s["id"], s[lang])
            for s in sla_text(library)["sections"]
        ]
    if document == "amendment":
        text = amendment_text(library)
        return [
            ("amend_preamble", text["headings"]["preamble"][lang]),
            ("amend_rest", text["rest"]["heading"][lang]),
            ("signatures", library.heading("signatures", lang)),
        ]
    return []


# -- amendments ---------------------------------------------------------------------------------------------------------

AMEND_FILE = "_amendment.yaml"


def amendment_text(library: Library) -> dict[str, Any]:
    return _library_text(
        library,
        AMEND_FILE,
        (
            "title",
            "refers",
            "preamble",
            "replace",
            "add",
            "remove",
            "replace_annex",
            "replace_preamble",
            "rest",
            "closing",
            "headings",
        ),
    )
