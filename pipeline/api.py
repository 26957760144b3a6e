"""The public functions the front ends (cli/, web/) call: the recipe of one agreement (settings -> spec -> assembled
agreement -> DOCX -> PDF, checked, written atomically), and the checks and documents after signing they reach
through here, never by importing documents/ or rules/ themselves."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.errors import MouError, Problem

if TYPE_CHECKING:
    from pipeline.documents.agreement import Agreement
    from pipeline.library.clauses import Library
    from pipeline.render.pdf import Converter
    from pipeline.spec.model import Spec
    from pipeline.spec.settings import Settings

# Each public name and the module it comes from, imported on first use (PEP 562): `mou verify` loads pyHanko and not
# the documents, `mou obligations` the obligations and not pyHanko, `mou --help` neither.
_FROM = {
    "build_sla": "pipeline.documents.after_signing",
    "Agreement": "pipeline.documents.agreement",
    "assemble": "pipeline.documents.agreement",
    "amendment_problems": "pipeline.documents.amendment",
    "recorded_paid": "pipeline.documents.amendment",
    "amendment_redline": "pipeline.documents.amendment",
    "build_amendment": "pipeline.documents.amendment",
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


__all__ = ["Built", "build", *_FROM]


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
    meta.update({"Mou" + k.title().replace("_", ""): v for k, v in prov.items()})
    return meta


def build(
    spec_path: Path,
    out_dir: Path,
    library: Library,
    settings: Settings,
    converter: Converter | None,
    draft: bool = False,
    strict: bool = False,
    force: bool = False,
) -> Built:
    """Validate, assemble, render and check one agreement; outputs are written only when everything passed. A signed
    agreement's outputs are not overwritten unless forced."""
    from pipeline.documents.agreement import assemble
    from pipeline.documents.check import check_document, check_spec, missing_sections_error
    from pipeline.render.docx import render_docx
    from pipeline.store.files import remove_stale_temps, write_atomically

    checked = check_spec(spec_path, settings, library, strict)
    raw, spec = checked.raw, checked.spec
    name = spec_path.stem
    if spec.signed and not force and not draft:
        there = [p for p in (out_dir / f"{name}.docx", out_dir / f"{name}.pdf") if p.exists()]
        if there:
            raise MouError(
                f"บันทึกข้อตกลงนี้ลงนามแล้วเมื่อ {spec.signed.date} จึงไม่เขียนทับ {there[0]} การแก้ไขหลังลงนามให้ทำบันทึกข้อตกลงแก้ไขเพิ่มเติม "
                f"(mou amend) หรือใช้ --force เพื่อสร้างทับ\nthis agreement was signed on {spec.signed.date}: {there[0]} is not "
                f"overwritten; changes after signing go through an amendment (mou amend), or use --force to rebuild it"
            )
    agreement = assemble(spec, settings, library, draft=draft)
    prov = provenance(raw, spec, agreement, library)
    docx = render_docx(agreement, library, prov, spec.signing.date)
    files = {out_dir / f"{name}.docx": docx}
    report = check_document(docx, library)
    if report.missing:
        raise missing_sections_error(report, library)
    pdf_path = None
    if converter is not None:
        pdf = converter.convert(docx, pdf_metadata(agreement, prov), () if draft else agreement.signers)
        pdf_path = out_dir / f"{name}.pdf"
        report = check_document(pdf, library)
        if report.missing:
            raise missing_sections_error(report, library)
        files[pdf_path] = pdf
    remove_stale_temps(out_dir, tuple(p.name for p in files))  # what a killed build of these files left behind
    write_atomically(files)
    return Built(name, out_dir / f"{name}.docx", pdf_path, prov, agreement, checked.warnings)
