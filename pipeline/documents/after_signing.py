"""The documents an agreement has after it is signed: the SLA of each later year (`mou sla`), and amendments
(`mou amend`). Each is assembled into the same Agreement shape as the agreement itself, so it renders through the same
Word template, converts through the same LibreOffice and carries provenance like any agreement."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from pipeline import __version__
from pipeline.documents.agreement import (
    Agreement,
    Block,
    Section,
    Signer,
    Table,
    blocks_of,
    clause_env,
    context,
    keep_with_signatures,
    signature_lines,
)
from pipeline.documents.check import check_document, check_spec, missing_sections_error
from pipeline.errors import LibraryError, MouError
from pipeline.library.clauses import Library
from pipeline.render import thai
from pipeline.render.docx import render_docx
from pipeline.render.pdf import Converter
from pipeline.spec.model import Spec, spec_hash
from pipeline.spec.settings import Settings
from pipeline.store.files import remove_stale_temps, write_atomically

SLA_FILE = "_sla.yaml"


def _library_text(library: Library, file: str, keys: tuple[str, ...]) -> dict:
    """One of the library's document texts (`_sla.yaml`, `_amendment.yaml`), with the keys it must have."""
    path = library.root / "clauses" / file
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, RecursionError) as exc:
        raise LibraryError(f"อ่าน {path} ไม่ได้ / could not read {path}: {exc}") from exc
    if not isinstance(data, dict) or any(k not in data for k in keys):
        raise LibraryError(f"{path}: ต้องมี {', '.join(keys)} / needs {', '.join(keys)}")
    return data


def sla_text(library: Library) -> dict:
    return _library_text(library, SLA_FILE, ("title", "refers", "sections"))


def sla_document(spec: Spec, year: int, settings: Settings, library: Library, draft: bool = False) -> Agreement:
    """The SLA of year `year` (2, 3 …: `sla_renewals[year - 2]`) as a document of its own that names the agreement."""
    lang = spec.language
    if year < 2:
        raise MouError(
            "ข้อตกลงระดับการให้บริการปีที่ ๑ เป็นภาคผนวกของบันทึกข้อตกลง (สร้างด้วย mou build) / "
            "the year-1 SLA is an annex of the agreement itself (mou build); --year starts at 2"
        )
    if spec.signed is None:
        raise MouError(
            "ข้อตกลงระดับการให้บริการรายปีทำสำหรับบันทึกข้อตกลงที่ลงนามแล้ว ให้บันทึก signed: {date: …} ในข้อกำหนดก่อน / "
            "yearly SLAs are made for a signed agreement: record `signed: {date: …}` in the spec first"
        )
    if year - 2 >= len(spec.sla_renewals):
        have = len(spec.sla_renewals) + 1
        raise MouError(
            f"ยังไม่มีข้อมูล SLA ปีที่ {year} ใน sla_renewals (มีถึงปีที่ {have}) เพิ่มปีต่อจากปีที่ {have} ตามลำดับก่อน / "
            f"sla_renewals holds no year {year} (it goes up to year {have}): add the years after {have}, in order, first"
        )
    sla = spec.sla_renewals[year - 2]
    text = sla_text(library)
    env = clause_env(lang, library.labels)
    ctx = {name: getattr(spec, name) for name in type(spec).model_fields}
    ctx.update(sla=sla, year=year, made=spec.signing.date, lang=lang)  # the date the agreement says it was made
    digits = lambda s: thai.localise_digits(s, lang, settings.digits)  # noqa: E731
    local = lambda s: thai.keep_together(digits(s))  # noqa: E731

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
        elif sdef.get("table") == "signatures":
            p = spec.parties
            party = lambda key: library.labels["party"][key][lang]  # noqa: E731
            signers = [
                Signer(p.delegator.representative.name, p.delegator.representative.position, party("delegator")),
                Signer(p.partner.representative.name, p.partner.representative.position, party("partner")),
            ]
            # the agreement's witnesses, as in its own closing
            _with_signatures(
                blocks,
                signature_lines(signers, library, lang),
                context(spec, settings, library)["witness_rows"],
                local,
            )
        heading = sdef[lang] if sid == "signatures" else numbering.format(n=n, title=sdef[lang])
        sections.append(Section(sid, "closing" if sid == "signatures" else "body", digits(heading), tuple(blocks)))
    keep_with_signatures(sections)
    front = _front(
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
    )


def _with_table(blocks: list, table: Table) -> None:
    """A table after the paragraph that introduces it, which is kept on the table's page (as the agreement does)."""
    if blocks and blocks[-1].kind == "para":
        blocks[-1] = Block("lead", blocks[-1].text)
    blocks.append(Block("table", table=table))


def _with_signatures(blocks: list, signature_rows: list, witness_rows: list, local) -> None:
    """The signature blocks, then the witnesses', after the closing sentence: never a signature page of its own."""
    for rows in (signature_rows, witness_rows):
        if rows:
            _with_table(
                blocks, Table("signatures", ("", ""), (1.0, 1.0), tuple(tuple(local(c) for c in r) for r in rows))
            )


def _front(spec: Spec, title: str, refers: str, digits, library: Library, draft: bool) -> dict:
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


def build_sla(
    spec_path: Path,
    year: int,
    out_dir: Path,
    library: Library,
    settings: Settings,
    converter: Converter | None,
    draft: bool = False,
) -> list[Path]:
    """NAME.sla-N.docx (and .pdf): checked for its parts, with provenance, written atomically."""
    checked = check_spec(spec_path, settings, library)
    spec = checked.spec
    doc = sla_document(spec, year, settings, library, draft)
    prov = {
        "spec_hash": spec_hash(checked.raw),
        "model": spec.model,
        "language": spec.language,
        "document": "sla",
        "year": str(year),
        "clauses": f"_sla@v{doc.clauses['_sla']}",
        "template": f"{spec.language}/mou.docx@{library.template_hash(spec.language)[:12]}",
        "pipeline": __version__,
        "required": ",".join(doc.required),
        "draft": "yes" if draft else "no",
        "agreement_signed": str(spec.signed.date),
    }
    return write_document(
        doc,
        prov,
        f"{spec_path.stem}.sla-{year}",
        out_dir,
        library,
        converter,
        spec.signed.date,
        f"SLA; {spec.model}; year {year}",
    )


def write_document(
    doc: Agreement,
    prov: dict,
    name: str,
    out_dir: Path,
    library: Library,
    converter: Converter | None,
    when: dt.date,
    keywords: str,
) -> list[Path]:
    """Render, check for its parts (DOCX, then PDF), and write NAME.docx and NAME.pdf atomically."""
    docx = render_docx(doc, library, prov, when)
    files = {out_dir / f"{name}.docx": docx}
    report = check_document(docx, library)
    if report.missing:
        raise missing_sections_error(report, library)
    if converter is not None:
        meta = {
            "Title": doc.front["doc_title"] + " — " + doc.front["subject"],
            "Author": "mou-pipeline",
            "Keywords": keywords,
            **{"Mou" + k.title().replace("_", ""): v for k, v in prov.items()},
        }
        pdf = converter.convert(docx, meta)
        report = check_document(pdf, library)
        if report.missing:
            raise missing_sections_error(report, library)
        files[out_dir / f"{name}.pdf"] = pdf
    remove_stale_temps(out_dir, tuple(p.name for p in files))
    write_atomically(files)
    return list(files)


# -- amendments ---------------------------------------------------------------------------------------------------------

AMEND_FILE = "_amendment.yaml"
_CLAUSE_NO = re.compile(r"^(ข้อ|Clause)\s*([๐-๙0-9]+)\.?\s*")


def amendment_text(library: Library) -> dict:
    return _library_text(
        library,
        AMEND_FILE,
        ("title", "refers", "preamble", "replace", "add", "remove", "replace_annex", "rest", "closing", "headings"),
    )


def _key(section: Section) -> tuple:
    """What a section is, whatever its number: its id, and the title of a custom clause (several share the id)."""
    return (section.id, _CLAUSE_NO.sub("", section.heading)) if section.id == "extra" else (section.id,)


def _number(section: Section) -> str:
    m = _CLAUSE_NO.match(section.heading)
    return m.group(2) if m else ""


def _content(section: Section) -> list:
    """A section's words with its own clause number taken out of its sub-clause numbers (๕.๑ -> #.๑), so a clause that
    only moved is not a change."""
    n = _number(section)
    out = [_CLAUSE_NO.sub("", section.heading)]
    for b in section.blocks:
        if b.kind == "table":
            out.append(("table", b.table.headers, b.table.rows, b.table.total))
        else:
            out.append((b.kind, re.sub(rf"^{re.escape(n)}\.", "#.", b.text) if n else b.text))
    return out


def _renumbered(section: Section, old: str, heading_prefix: str) -> list[Block]:
    """The new text of a clause, as it will read in the signed agreement: its heading and sub-clauses under the old
    number, quoted as Thai amendments quote the replacing text."""
    n = _number(section)
    title = _CLAUSE_NO.sub("", section.heading)
    blocks = [Block("para", f"“{heading_prefix}{old} {title}".rstrip())]
    for b in section.blocks:
        if b.kind == "table":
            blocks.append(b)
        else:
            text = re.sub(rf"^{re.escape(n)}\.", f"{old}.", b.text) if n and old else b.text
            blocks.append(Block(b.kind, text))  # a lead-in stays with what it introduces
    last = next((i for i in range(len(blocks) - 1, -1, -1) if blocks[i].kind != "table"), None)
    if last is not None:
        blocks[last] = Block(blocks[last].kind, blocks[last].text + "”")
    return blocks


def _changes(old_parts: dict, new_parts: list, word: str) -> list:
    """What the amendment does, clause by clause: (kind, words for the heading and the sentence, the new blocks) for
    each clause added (numbered after the clause it follows: ข้อ ๕/๑), replaced, or removed."""
    changes = []
    previous_old = ""
    added_after: dict[str, int] = {}
    for s in new_parts:
        before = old_parts.get(_key(s))
        title = _CLAUSE_NO.sub("", s.heading)
        if before is None:
            base = previous_old or "0"
            added_after[base] = added_after.get(base, 0) + 1
            label_no = f"{word}{base}/{added_after[base]}" if s.part == "body" else title
            changes.append(
                ("add", {"new": label_no, "label": title}, _renumbered(s, f"{base}/{added_after[base]}", word))
            )
            continue
        old_no = _number(before)
        previous_old = old_no or previous_old
        if _content(before) != _content(s):
            if s.part == "annex":
                changes.append(
                    (
                        "replace_annex",
                        {"old": title, "label": title},
                        [Block("para", f"“{s.heading}”")] + list(s.blocks),
                    )
                )
            else:
                changes.append(("replace", {"old": f"{word}{old_no}", "label": title}, _renumbered(s, old_no, word)))
    kept = {_key(s) for s in new_parts}
    for key, s in old_parts.items():
        if key not in kept:
            changes.append(
                (
                    "remove",
                    {
                        "old": f"{word}{_number(s)}" if s.part == "body" else s.heading,
                        "label": _CLAUSE_NO.sub("", s.heading),
                    },
                    [],
                )
            )
    return changes


def _amendable(signed: Spec, new: Spec) -> None:
    """An amendment amends a signed agreement, in its model and language."""
    if signed.signed is None:
        raise MouError(
            "ข้อกำหนดแรกต้องเป็นของบันทึกข้อตกลงที่ลงนามแล้ว (มี signed: {date: …}) / "
            "the first spec must be the signed agreement's (with `signed: {date: …}`)"
        )
    if (signed.model, signed.language) != (new.model, new.language):
        raise MouError(
            "การเปลี่ยนรูปแบบหรือภาษาเป็นการทำบันทึกข้อตกลงใหม่ ไม่ใช่การแก้ไขเพิ่มเติม / "
            "a change of model or language is a new agreement, not an amendment"
        )


def amendment_document(
    signed: Spec,
    new: Spec,
    settings: Settings,
    library: Library,
    number: int = 1,
    when: dt.date | None = None,
    draft: bool = False,
) -> Agreement:
    """The amendment that turns what `signed` assembles to into what `new` assembles to, clause by clause."""
    from pipeline.documents.agreement import assemble

    _amendable(signed, new)
    lang = signed.language
    old_doc, new_doc = assemble(signed, settings, library), assemble(new, settings, library)
    word = "ข้อ " if lang == "th" else "Clause "
    old_parts = {_key(s): s for s in old_doc.sections if s.part in ("body", "annex")}
    new_parts = [s for s in new_doc.sections if s.part in ("body", "annex")]
    text = amendment_text(library)
    env = clause_env(lang, library.labels)
    ctx = {name: getattr(signed, name) for name in type(signed).model_fields}
    ctx.update(
        number=number,
        made=signed.signing.date,
        when=when or dt.date.today(),
        place=new.signing.place,
        copies=new.copy_count(),
        lang=lang,
    )
    digits = lambda s: thai.localise_digits(s, lang, settings.digits)  # noqa: E731
    local = lambda s: thai.keep_together(digits(s))  # noqa: E731

    def render(template: str, **more) -> str:
        try:
            return env.from_string(template).render(**ctx, **more)
        except Exception as exc:
            raise LibraryError(
                f"{library.root / 'clauses' / AMEND_FILE}: แสดงผลไม่ได้ / failed to render: {type(exc).__name__}: {exc}"
            ) from exc

    changes = _changes(old_parts, new_parts, word)
    if not changes:
        raise MouError(
            "ข้อกำหนดทั้งสองประกอบเป็นบันทึกข้อตกลงเดียวกัน ไม่มีข้อใดต้องแก้ไข / "
            "the two specs assemble to the same agreement: there is nothing to amend"
        )

    numbering = getattr(library.sections.numbering, lang)
    sections = [
        Section(
            "amend_preamble",
            "preamble",
            text["headings"]["preamble"][lang],
            tuple(Block(b.kind, local(b.text)) for b in blocks_of(render(text["preamble"][lang]))),
        )
    ]
    for i, (kind, words, blocks) in enumerate(changes, 1):
        head = render(text["headings"][kind][lang], **words)
        lead = render(text[kind][lang], **words)
        body = [Block("lead" if blocks else "para", local(lead))] + [
            b if b.kind == "table" else Block(b.kind, local(b.text)) for b in blocks
        ]
        sections.append(Section(f"amend_{i}", "body", digits(numbering.format(n=i, title=head)), tuple(body)))
    rest = text["rest"]
    sections.append(
        Section(
            "amend_rest",
            "body",
            digits(numbering.format(n=len(changes) + 1, title=rest["heading"][lang])),
            tuple(Block(b.kind, local(b.text)) for b in blocks_of(render(rest[lang]))),
        )
    )
    signing = context(new, settings, library)
    closing = [Block("para", local(render(text["closing"][lang])))]
    _with_signatures(closing, signing["signature_rows"], signing["witness_rows"], local)
    sections.append(Section("signatures", "closing", library.heading("signatures", lang), tuple(closing)))
    keep_with_signatures(sections)
    front = _front(
        signed, digits(render(text["title"][lang])), digits(render(text["refers"][lang])), digits, library, draft
    )
    front["reference_no"] = (
        ""  # the original's number is in the line that names it: under the parties it would read as this one's
    )
    return Agreement(
        lang,
        new.model,
        front,
        tuple(sections),
        {"_amendment": int(text.get("version", 1))},
        ("amend_preamble", "amend_rest", "signatures"),
        draft,
        {"document": "amendment", "changes": len(changes)},
    )


def build_amendment(
    signed_path: Path,
    new_path: Path,
    out_dir: Path,
    library: Library,
    settings: Settings,
    converter: Converter | None,
    number: int = 1,
    when: dt.date | None = None,
) -> list[Path]:
    """NAME.amendment-N.docx (and .pdf), NAME being the signed spec's: checked, with provenance, written atomically."""
    old = check_spec(signed_path, settings, library)
    new = check_spec(new_path, settings, library)
    doc = amendment_document(old.spec, new.spec, settings, library, number, when)
    prov = {
        "spec_hash": spec_hash(new.raw),
        "amends": spec_hash(old.raw),
        "model": new.spec.model,
        "language": new.spec.language,
        "document": "amendment",
        "number": str(number),
        "clauses": f"_amendment@v{doc.clauses['_amendment']}",
        "template": f"{new.spec.language}/mou.docx@{library.template_hash(new.spec.language)[:12]}",
        "pipeline": __version__,
        "required": ",".join(doc.required),
        "draft": "no",
        "agreement_signed": str(old.spec.signed.date),
    }
    return write_document(
        doc,
        prov,
        f"{signed_path.stem}.amendment-{number}",
        out_dir,
        library,
        converter,
        when or dt.date.today(),
        f"amendment; {new.spec.model}",
    )
