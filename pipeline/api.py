"""The public functions the front ends (cli/, web/) call: the recipe of one agreement (settings -> spec -> assembled
agreement -> DOCX -> PDF, checked, written atomically), and the checks and documents after signing they reach
through here, never by importing documents/ or rules/ themselves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__
from pipeline.documents.after_signing import build_sla
from pipeline.documents.agreement import Agreement, assemble
from pipeline.documents.amendment import amendment_problems, amendment_redline, build_amendment
from pipeline.documents.check import (
    check_document,
    check_spec,
    missing_sections_error,
    text_layer_missing,
    warning_lines,
)
from pipeline.documents.obligations import (
    Obligation,
    calendar,
    money_by_fiscal_year,
    obligation_event,
    obligation_line,
)
from pipeline.errors import MouError, Problem
from pipeline.library.clauses import Library, load_library
from pipeline.render.docx import render_docx
from pipeline.render.pdf import Converter
from pipeline.signing.sign import sign_pdf
from pipeline.signing.verify import report_lines, verify_pdf
from pipeline.spec.model import Spec, spec_hash
from pipeline.spec.settings import Settings
from pipeline.store.files import remove_stale_temps, write_atomically

__all__ = [
    "Built",
    "Converter",
    "Library",
    "build",
    "amendment_problems",
    "amendment_redline",
    "build_amendment",
    "build_sla",
    "check_document",
    "check_spec",
    "load_library",
    "missing_sections_error",
    "Obligation",
    "calendar",
    "money_by_fiscal_year",
    "obligation_event",
    "obligation_line",
    "report_lines",
    "sign_pdf",
    "verify_pdf",
    "text_layer_missing",
    "warning_lines",
]


@dataclass(frozen=True)
class Built:
    name: str
    docx: Path
    pdf: Path | None
    provenance: dict
    agreement: Agreement
    warnings: list[Problem]


def provenance(raw: bytes, spec: Spec, agreement: Agreement, library: Library, settings: Settings) -> dict:
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
    prov = provenance(raw, spec, agreement, library, settings)
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
