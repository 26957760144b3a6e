"""The documents an agreement has after it is signed: the SLA of each later year (`mou sla`), and amendments
(`mou amend`). Each is assembled into the same Agreement shape as the agreement itself, so it renders through the same
Word template, converts through the same LibreOffice and carries provenance like any agreement."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from . import __version__, thai
from .assemble import Agreement, Block, Section, Table, _env, _keep_with_signatures, _lines, _signature_lines, _Signer, context
from .errors import LibraryError, MouError
from .files import remove_stale_temps, write_atomically
from .library import Library
from .pdf import Converter
from .render import render_docx
from .settings import Settings
from .spec import Spec, spec_hash
from .validate import check_document, check_spec, missing_sections_error

SLA_FILE = "_sla.yaml"


def sla_text(library: Library) -> dict:
    path = library.root / "clauses" / SLA_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, RecursionError) as exc:
        raise LibraryError(f"อ่าน {path} ไม่ได้ / could not read {path}: {exc}")
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise LibraryError(f"{path}: ต้องมี title, refers และ sections / needs title, refers and sections")
    return data


def sla_document(spec: Spec, year: int, settings: Settings, library: Library, draft: bool = False) -> Agreement:
    """The SLA of year `year` (2, 3 …: `sla_renewals[year - 2]`) as a document of its own that names the agreement."""
    lang = spec.language
    if year < 2:
        raise MouError("ข้อตกลงระดับการให้บริการปีที่ ๑ เป็นภาคผนวกของบันทึกข้อตกลง (สร้างด้วย mou build) / "
                       "the year-1 SLA is an annex of the agreement itself (mou build); --year starts at 2")
    if spec.signed is None:
        raise MouError("ข้อตกลงระดับการให้บริการรายปีทำสำหรับบันทึกข้อตกลงที่ลงนามแล้ว ให้บันทึก signed: {date: …} ในข้อกำหนดก่อน / "
                       "yearly SLAs are made for a signed agreement: record `signed: {date: …}` in the spec first")
    if year - 2 >= len(spec.sla_renewals):
        have = len(spec.sla_renewals) + 1
        raise MouError(f"ยังไม่มีข้อมูล SLA ปีที่ {year} ใน sla_renewals (มีถึงปีที่ {have}) เพิ่มปีต่อจากปีที่ {have} ตามลำดับก่อน / "
                       f"sla_renewals holds no year {year} (it goes up to year {have}): add the years after {have}, in order, first")
    sla = spec.sla_renewals[year - 2]
    text = sla_text(library)
    env = _env(lang, library.labels)
    ctx = {name: getattr(spec, name) for name in type(spec).model_fields}
    ctx.update(sla=sla, year=year, signed=spec.signed.date, lang=lang)
    digits = lambda s: thai.localise_digits(s, lang, settings.digits)  # noqa: E731
    local = lambda s: thai.keep_together(digits(s))  # noqa: E731

    def render(template: str) -> str:
        try:
            return env.from_string(template).render(**ctx)
        except Exception as exc:  # the library's text: never a traceback, always the file to fix
            raise LibraryError(f"{library.root / 'clauses' / SLA_FILE}: แสดงผลไม่ได้ / failed to render: {type(exc).__name__}: {exc}")

    sections = []
    numbering = getattr(library.sections.numbering, lang)
    for n, sdef in enumerate(text["sections"], 1):
        sid = "signatures" if sdef.get("table") == "signatures" else sdef["id"]
        blocks = [Block(b.kind if b.kind != "item" else "item", local(b.text)) for b in _lines(render(sdef["text"][lang]))]
        if sdef.get("table") == "services":
            heads = (("บริการ", "รายละเอียด", "มาตรฐานการให้บริการ") if lang == "th" else ("Service", "Description", "Standard"))
            rows = tuple((local(s.name), local(s.description or "-"), local(s.standard)) for s in sla.services)
            if blocks and blocks[-1].kind == "para":
                blocks[-1] = Block("lead", blocks[-1].text)
            blocks.append(Block("table", table=Table("grid", heads, (1.0, 1.6, 1.4), rows)))
        elif sdef.get("table") == "signatures":
            p = spec.parties
            party = lambda key: library.labels["party"][key][lang]  # noqa: E731
            signers = [_Signer(p.delegator.representative.name, p.delegator.representative.position, party("delegator")),
                       _Signer(p.partner.representative.name, p.partner.representative.position, party("partner"))]
            rows = tuple(tuple(local(c) for c in r) for r in _signature_lines(signers, library, lang))
            blocks.append(Block("table", table=Table("signatures", ("", ""), (1.0, 1.0), rows)))
            witnesses = context(spec, settings, library)["witness_rows"]  # the agreement's witnesses, as in its own closing
            if witnesses:
                blocks.append(Block("table", table=Table("signatures", ("", ""), (1.0, 1.0),
                                                         tuple(tuple(local(c) for c in r) for r in witnesses))))
        heading = sdef[lang] if sid == "signatures" else numbering.format(n=n, title=sdef[lang])
        sections.append(Section(sid, "closing" if sid == "signatures" else "body", digits(heading), tuple(blocks)))
    _keep_with_signatures(sections)
    front = {
        "doc_title": digits(render(text["title"][lang])),
        "model_label": digits(render(text["refers"][lang])),
        "subject": digits(spec.title.replace("\n", " ")),
        "delegator": digits(spec.parties.delegator.name),
        "partner": digits(spec.parties.partner.name),
        "reference_no": digits(spec.reference_no or ""),
        "draft_mark": library.labels["document"]["draft"][lang] if draft else "",
    }
    return Agreement(lang, spec.model, front, tuple(sections), {"_sla": int(text.get("version", 1))},
                     tuple(s.id for s in sections), draft, {"document": "sla", "year": year})


def required_headings(library: Library, document: str, lang: str) -> list[tuple[str, str]]:
    """(section id, heading) a document of this kind must hold: the SLA's from `_sla.yaml`."""
    if document == "sla":
        return [("signatures" if s.get("table") == "signatures" else s["id"], s[lang]) for s in sla_text(library)["sections"]]
    return []


def build_sla(spec_path: Path, year: int, out_dir: Path, library: Library, settings: Settings, converter: Converter | None,
              draft: bool = False) -> list[Path]:
    """NAME.sla-N.docx (and .pdf): checked for its parts, with provenance, written atomically."""
    checked = check_spec(spec_path, settings, library)
    spec = checked.spec
    doc = sla_document(spec, year, settings, library, draft)
    prov = {
        "spec_hash": spec_hash(checked.raw), "model": spec.model, "language": spec.language, "document": "sla",
        "year": str(year), "clauses": f"_sla@v{doc.clauses['_sla']}",
        "template": f"{spec.language}/mou.docx@{library.template_hash(spec.language)[:12]}", "pipeline": __version__,
        "required": ",".join(doc.required), "draft": "yes" if draft else "no",
        "agreement_signed": str(spec.signed.date),
    }
    docx = render_docx(doc, library, prov, spec.signed.date if isinstance(spec.signed.date, dt.date) else spec.signing.date)
    name = f"{spec_path.stem}.sla-{year}"
    files = {out_dir / f"{name}.docx": docx}
    for data in [docx]:
        report = check_document(data, library)
        if report.missing:
            raise missing_sections_error(report, library)
    if converter is not None:
        meta = {"Title": doc.front["doc_title"] + " — " + doc.front["subject"], "Author": "mou-pipeline",
                "Keywords": f"SLA; {spec.model}; year {year}", **{"Mou" + k.title().replace("_", ""): v for k, v in prov.items()}}
        pdf = converter.convert(docx, meta)
        report = check_document(pdf, library)
        if report.missing:
            raise missing_sections_error(report, library)
        files[out_dir / f"{name}.pdf"] = pdf
    remove_stale_temps(out_dir, tuple(p.name for p in files))
    write_atomically(files)
    return list(files)
