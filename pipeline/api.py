"""The public functions the front ends (cli/, web/) call: the recipe of one agreement (settings -> spec -> assembled
agreement -> DOCX -> PDF, checked, written atomically), and the checks and documents after signing they reach
through here, never by importing documents/ or rules/ themselves."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.errors import Message, MouError, Problem

if TYPE_CHECKING:
    from pipeline.library.clauses import Library
    from pipeline.render.document import Agreement
    from pipeline.render.pdf import Converter
    from pipeline.spec.model import Spec
    from pipeline.spec.settings import Settings

# Each public name and the module it comes from, imported on first use (PEP 562): `mou verify` loads pyHanko and not
# the documents, `mou obligations` the obligations and not pyHanko, `mou --help` neither.
_FROM = {
    "Agreement": "pipeline.documents.agreement",
    "assemble": "pipeline.documents.agreement",
    "amendment_problems": "pipeline.documents.amendment",
    "recorded_paid": "pipeline.documents.amendment",
    "amendment_redline": "pipeline.documents.amendment",
    "check_document": "pipeline.documents.check",
    "check_spec": "pipeline.documents.check",
    "missing_sections_error": "pipeline.documents.check",
    "text_layer_missing": "pipeline.documents.check",
    "warning_lines": "pipeline.documents.check",
    "Obligation": "pipeline.documents.obligations",
    "calendar": "pipeline.documents.obligations",
    "money_by_fiscal_year": "pipeline.documents.obligations",
    "obligation_event": "pipeline.documents.obligations",
    "obligation_line": "pipeline.documents.obligations",
    "Library": "pipeline.library.clauses",
    "load_library": "pipeline.library.clauses",
    "render_docx": "pipeline.render.docx",
    "Converter": "pipeline.render.pdf",
    "sign_pdf": "pipeline.signing.sign",
    "SigningKey": "pipeline.signing.sign",
    "archive_pdf": "pipeline.signing.archive",
    "report_lines": "pipeline.signing.verify",
    "verify_pdf": "pipeline.signing.verify",
    "Spec": "pipeline.spec.model",
    "spec_hash": "pipeline.spec.model",
    "Settings": "pipeline.spec.settings",
    "remove_stale_temps": "pipeline.store.files",
    "write_atomically": "pipeline.store.files",
}


def __getattr__(name: str):
    if name not in _FROM:
        raise AttributeError(f"module 'pipeline.api' has no attribute '{name}'")
    value = getattr(importlib.import_module(_FROM[name]), name)
    globals()[name] = value
    return value


__all__ = ["Built", "build", "build_sla", "build_amendment", *_FROM]


@dataclass(frozen=True)
class Built:
    name: str
    docx: Path
    pdf: Path | None
    provenance: dict
    agreement: Agreement
    warnings: list[Problem]


def provenance(raw: bytes, spec: Spec, agreement: Agreement, library: Library) -> dict:
    from pipeline.spec.model import spec_hash

    return {
        "spec_hash": spec_hash(raw),
        "model": spec.model,
        "language": spec.language,
        "clauses": ",".join(f"{cid}@v{v}" for cid, v in agreement.clauses.items()),
        "template": f"{spec.language}/mou.docx@{library.template_hash(spec.language)[:12]}",
        "pipeline": __version__,
        "required": ",".join(agreement.required),
        "draft": "yes" if agreement.draft else "no",
    }


def pdf_metadata(agreement: Agreement, prov: dict) -> dict:
    meta = {
        "Title": agreement.front["subject"],
        "Subject": agreement.front["model_label"],
        "Author": "mou-pipeline",
        "Keywords": f"MOU; {agreement.model}" + ("; DRAFT" if agreement.draft else ""),
    }
    return meta | _provenance_metadata(prov)


def _provenance_metadata(prov: dict) -> dict:
    """The provenance as PDF document information: spec_hash as MouSpecHash, and so on."""
    return {"Mou" + k.title().replace("_", ""): v for k, v in prov.items()}


def _write(
    doc: Agreement,
    prov: dict,
    name: str,
    out_dir: Path,
    library: Library,
    converter: Converter | None,
    when: dt.date,
    meta: dict,
) -> tuple[Path, Path | None]:
    """The one output step of every document (an agreement, the SLA of a year, an amendment): the DOCX rendered and
    checked for its required parts, the PDF converted and checked again, both written atomically only when both
    passed. `documents/` assembles; only this writes."""
    from pipeline.documents.check import check_document, missing_sections_error
    from pipeline.render.docx import render_docx
    from pipeline.store.files import remove_stale_temps, write_atomically

    docx = render_docx(doc, library, prov, when)
    docx_path, pdf_path = out_dir / f"{name}.docx", None
    files = {docx_path: docx}
    report = check_document(docx, library)
    if report.missing:
        raise missing_sections_error(report, library)
    if converter is not None:
        pdf = converter.convert(docx, meta, () if doc.draft else doc.signers, native=doc.lang == "th")
        report = check_document(pdf, library)
        if report.missing:
            raise missing_sections_error(report, library)
        pdf_path = out_dir / f"{name}.pdf"
        files[pdf_path] = pdf
    remove_stale_temps(out_dir, tuple(p.name for p in files))  # what a killed build of these files left behind
    write_atomically(files)
    return docx_path, pdf_path


def build(
    spec_path: Path,
    out_dir: Path,
    library: Library,
    settings: Settings,
    converter: Converter | None,
    *,
    draft: bool = False,
    strict: bool = False,
    force: bool = False,
) -> Built:
    """Validate, assemble, render and check one agreement; outputs are written only when everything passed. A signed
    agreement's outputs are not overwritten unless forced."""
    from pipeline.documents.agreement import assemble
    from pipeline.documents.check import check_spec

    checked = check_spec(spec_path, settings, library, strict)
    raw, spec = checked.raw, checked.spec
    name = spec_path.stem
    if spec.signed and not force and not draft:
        there = [p for p in (out_dir / f"{name}.docx", out_dir / f"{name}.pdf") if p.exists()]
        if there:
            raise MouError(
                Message(
                    f"บันทึกข้อตกลงนี้ลงนามแล้วเมื่อ {spec.signed.date} จึงไม่เขียนทับ {there[0]} การแก้ไขหลังลงนามให้ทำบันทึกข้อตกลงแก้ไขเพิ่มเติม "
                    f"(mou amend) หรือใช้ --force เพื่อสร้างทับ",
                    f"this agreement was signed on {spec.signed.date}: {there[0]} is not "
                    f"overwritten; changes after signing go through an amendment (mou amend), or use --force to rebuild it",
                )
            )
    agreement = assemble(spec, settings, library, draft=draft)
    prov = provenance(raw, spec, agreement, library)
    meta = pdf_metadata(agreement, prov)
    docx_path, pdf_path = _write(agreement, prov, name, out_dir, library, converter, spec.signing.date, meta)
    return Built(name, docx_path, pdf_path, prov, agreement, checked.warnings)


def build_sla(
    spec_path: Path,
    year: int,
    out_dir: Path,
    library: Library,
    settings: Settings,
    converter: Converter | None,
    *,
    draft: bool = False,
) -> list[Path]:
    """NAME.sla-N.docx (and .pdf): checked for its parts, with provenance, written atomically."""
    from pipeline.documents.after_signing import sla_document
    from pipeline.documents.check import check_spec
    from pipeline.spec.model import spec_hash

    checked = check_spec(spec_path, settings, library)
    spec = checked.spec
    doc = sla_document(spec, year, settings, library, draft)  # refused there unless the agreement is signed
    assert spec.signed is not None
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
    meta = _after_signing_metadata(doc, prov, f"SLA; {spec.model}; year {year}")
    written = _write(doc, prov, f"{spec_path.stem}.sla-{year}", out_dir, library, converter, spec.signed.date, meta)
    return [p for p in written if p is not None]


def build_amendment(
    signed_path: Path,
    new_path: Path,
    out_dir: Path,
    library: Library,
    settings: Settings,
    converter: Converter | None,
    number: int = 1,
    when: dt.date | None = None,
    paid: dict[int, dt.date] | None = None,
) -> list[Path]:
    """NAME.amendment-N.docx (and .pdf), NAME being the signed spec's: checked, with provenance, written atomically;
    `paid`: the instalments the office's record marks as paid. The new spec gains the `amends:` line that names the
    agreement it amends, if it lacks one."""
    from pipeline.documents.amendment import amendment_document
    from pipeline.documents.check import check_spec
    from pipeline.spec.model import spec_hash
    from pipeline.store.files import write_atomically

    old = check_spec(signed_path, settings, library)
    new = check_spec(new_path, settings, library)
    if new.spec.amends is not None and new.spec.amends != signed_path.stem:
        raise MouError(
            Message(
                f"{new_path}: amends: ข้อกำหนดนี้แก้ไขบันทึกข้อตกลง '{new.spec.amends}' ไม่ใช่ '{signed_path.stem}'",
                f"this spec amends '{new.spec.amends}', not '{signed_path.stem}'",
            )
        )
    doc = amendment_document(
        old.spec, new.spec, settings, library, number, when, paid=paid
    )  # refused before anything is written
    if new.spec.amends is None:  # the new spec says which agreement it amends (SPEC §1), written as the user wrote it
        text = new.raw.decode("utf-8").rstrip("\n")
        note = f"\n# the signed agreement this spec amends (mou amend)\namends: {signed_path.stem}\n"
        write_atomically({new_path: (text + note).encode("utf-8")})
        new = check_spec(new_path, settings, library)  # its hash, for the provenance, with the line it now has
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
        "agreement_signed": str(old.spec.signed.date) if old.spec.signed else "",
    }
    meta = _after_signing_metadata(doc, prov, f"amendment; {new.spec.model}")
    name = f"{signed_path.stem}.amendment-{number}"
    written = _write(doc, prov, name, out_dir, library, converter, when or dt.date.today(), meta)
    return [p for p in written if p is not None]


def _after_signing_metadata(doc: Agreement, prov: dict, keywords: str) -> dict:
    """The PDF document information of a document made after signing (an SLA, an amendment)."""
    meta = {
        "Title": doc.front["doc_title"] + " — " + doc.front["subject"],
        "Author": "mou-pipeline",
        "Keywords": keywords,
    }
    return meta | _provenance_metadata(prov)
