"""Validation: a spec against SPEC.md §2, and a rendered DOCX or PDF against the required sections of its model."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf.errors import PdfReadError

from pipeline.errors import DocumentError, Message, Problem, SpecError
from pipeline.library.clauses import Library
from pipeline.render.docx import read_properties
from pipeline.render.thai import strip_joiners
from pipeline.rules import check
from pipeline.spec.model import Spec, read_source
from pipeline.spec.settings import Settings
from pipeline.spec.source import dotted
from pipeline.spec.typed import typed

HEADING_STYLES = {"Heading 1", "MOU Annex Heading"}
_NUMBER = re.compile(r"^(ข้อ|clause)\s*[0-9๐-๙]+\s*\.?\s*", re.IGNORECASE)
# Thai above/below vowels and tone marks: PDF text extraction reorders, splits or mis-maps them with some fonts
# (สระอำ comes back as ํา, ุ under a tall consonant as ่), so headings are compared on their skeleton.
_SARA_AM = re.compile(r"(\u0e4d\u0e32|\u0e33\u0e32)")  # สระอำ extracted as nikhahit + sara aa, or with an extra aa
_MARKS = re.compile(r"[\u0e31\u0e33\u0e34-\u0e3a\u0e47-\u0e4e\s]")


_PAGE_NUMBER = re.compile(r"^\f?\s*-\s*[0-9๐-๙]+\s*-?\s+(?=\S)")
_ANNEX_LETTER = ((re.compile(r"^ภาคผนวก\s+[ก-ฮ](?=\s)"), "ภาคผนวก"), (re.compile(r"^Annex\s+[A-Z]\b:?"), "Annex:"))


def skeleton(text: str) -> str:
    text = unicodedata.normalize("NFC", strip_joiners(text)).strip()
    for pattern, plain in _ANNEX_LETTER:  # "ภาคผนวก ก ตัวชี้วัด…" is the section "ภาคผนวก ตัวชี้วัด…"
        text = pattern.sub(plain, text)
    text = _SARA_AM.sub("\u0e33", _NUMBER.sub("", text.strip()))
    return _MARKS.sub("", text).lower()


@dataclass(frozen=True)
class Checked:
    raw: bytes
    spec: Spec
    warnings: list[Problem]


def check_spec(path: Path, settings: Settings, library: Library, strict: bool = False) -> Checked:
    """A spec file checked against every rule; SpecError lists every problem with file, line and field. Warnings come
    back with the spec, or are errors too when strict."""
    raw, src = read_source(path)
    spec, problems = typed(src)
    warnings: list[Problem] = []
    if spec is not None:
        for f in check(spec, settings, library):
            p = Problem(src.name, src.line(f.path), dotted(f.path), f.th, f.en, f.rule)
            (warnings if f.warning and not strict else problems).append(p)
    if problems or spec is None:  # no typed spec comes without a problem saying why
        raise SpecError(problems)
    return Checked(raw, spec, warnings)


def load_spec(path: Path, settings: Settings, library: Library) -> tuple[bytes, Spec]:
    """check_spec for the callers that want the spec alone (warnings not shown)."""
    checked = check_spec(path, settings, library)
    return checked.raw, checked.spec


def warning_lines(warnings: list[Problem]) -> list[str]:
    return [f"คำเตือน / warning: {w.format()}" for w in warnings]


@dataclass(frozen=True)
class DocumentReport:
    path: str
    model: str
    lang: str
    found: list[str]
    missing: list[str]


def required_for(library: Library, model: str, declared: list[str] | None = None) -> list[str]:
    """The model's always-required sections, plus the conditional ones the document says it was built with."""
    always = [s.id for s in library.sections.sections if s.models.get(model) == "required"]
    extra = [s for s in (declared or []) if s not in always and any(x.id == s for x in library.sections.sections)]
    return always + extra


_DOCX_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_facts(data: bytes) -> tuple[dict[str, str], list[str]]:
    """The provenance and the heading lines of a DOCX, read with lxml from the parts that hold them (the body and the
    styles here, the custom properties in read_properties): a fifth of the time python-docx took to open it all."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        body = etree.fromstring(z.read("word/document.xml")).find(f"{_DOCX_W}body")
        styles = etree.fromstring(z.read("word/styles.xml")) if "word/styles.xml" in names else None
    wanted = {name.lower() for name in HEADING_STYLES}  # Word writes its built-in names in lower case: "heading 1"
    ids = {
        style.get(f"{_DOCX_W}styleId")
        for style in (styles.iter(f"{_DOCX_W}style") if styles is not None else ())
        if (style.find(f"{_DOCX_W}name") is not None)
        and str(style.find(f"{_DOCX_W}name").get(f"{_DOCX_W}val", "")).lower() in wanted
    }
    lines = []
    for p in body.iterchildren(f"{_DOCX_W}p") if body is not None else ():
        style = p.find(f"{_DOCX_W}pPr/{_DOCX_W}pStyle")
        if style is not None and style.get(f"{_DOCX_W}val") in ids:
            lines.append("".join(t.text or "" for t in p.iter(f"{_DOCX_W}t")))
    return read_properties(data), lines


_FACTS = ("document", "language", "model", "required")  # the provenance keys a check reads


def _pdf_facts(data: bytes) -> tuple[dict[str, str], list[str]]:
    """The provenance a check reads and the PDF's lines: its bookmarks when it has them (LibreOffice writes one per
    heading it laid out: exact Thai, and read without parsing a page, which matters in a batch of hundreds);
    otherwise the text of every page. Both from PDFium, in process."""
    from pipeline.render.pdftext import pdf_outline, read_pdf

    info, titles = pdf_outline(data, ["Mou" + key.title() for key in _FACTS])
    props = {_snake(k.removeprefix("Mou")): v for k, v in info.items()}
    if titles:
        return props, titles
    # the page number "- ๒ -" may share a line with the heading below it
    return props, [_PAGE_NUMBER.sub("", line) for page in read_pdf(data).pages for line in page.splitlines()]


def text_layer_missing(data: bytes) -> list[str]:
    """The headings a PDF lists in its outline that its text layer (as PDFium reads it) does not hold: a PDF whose
    text a search cannot find. Empty for a DOCX, or a PDF without an outline."""
    if not is_pdf(data):
        return []
    from pipeline.render.pdftext import pdf_outline, read_pdf

    def bare(text: str) -> str:  # no spaces, joiners or line breaks; marks kept: a mark out of place is not found
        return re.sub(r"\s+", "", unicodedata.normalize("NFC", strip_joiners(text)))

    titles = [strip_joiners(t) for t in pdf_outline(data, [])[1] if t.strip()]
    layer = bare(read_pdf(data).text)
    return [t for t in titles if bare(t) not in layer]


def is_pdf(data: bytes) -> bool:
    return data[:5] == b"%PDF-"


def document_provenance(data: bytes) -> dict[str, str]:
    """The provenance a DOCX (custom properties mou.*) or a PDF (metadata /Mou*) carries, under the same keys."""
    from pypdf import PdfReader

    return _pdf_provenance(PdfReader(io.BytesIO(data))) if is_pdf(data) else read_properties(data)


def _pdf_provenance(reader: Any) -> dict[str, str]:
    """/MouSpecHash, /MouClauses … of the PDF's metadata under the DOCX property names: spec_hash, clauses …"""
    from pipeline.render.pdfmeta import read_pdf_metadata

    return {_snake(k.removeprefix("Mou")): v for k, v in read_pdf_metadata(reader).items() if k.startswith("Mou")}


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


def check_document(path: Path | bytes, library: Library, model: str | None = None) -> DocumentReport:
    """Which required sections a DOCX (its headings) or PDF (its text lines) has and lacks."""
    data = path.read_bytes() if isinstance(path, Path) else path
    name = str(path) if isinstance(path, Path) else "<rendered document>"
    try:
        props, lines = _pdf_facts(data) if is_pdf(data) else _docx_facts(data)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise DocumentError(Message("อ่านเอกสารไม่ได้", f"could not read '{name}': {exc}")) from exc
    except Exception as exc:  # python-docx raises several types on a file that is not a DOCX
        raise DocumentError(Message("อ่านเอกสารไม่ได้", f"could not read '{name}' as DOCX or PDF: {exc}")) from exc
    if props.get("document") in ("sla", "amendment"):  # a yearly SLA or an amendment: the parts of its own kind
        from pipeline.documents.after_signing import required_headings

        lang = str(props.get("language")) if props.get("language") in ("th", "en") else "th"
        skeletons = {skeleton(line) for line in lines if line.strip()}
        found: list[str] = []
        missing: list[str] = []
        for sid, heading in required_headings(library, props["document"], lang):
            (found if skeleton(heading) in skeletons else missing).append(sid)
        return DocumentReport(name, props["document"], lang, found, missing)
    model = model or props.get("model") or _model_line(data, library)
    if model not in ("grant", "performance", "commissioning"):
        raise DocumentError(
            f"ไม่ทราบรูปแบบของเอกสาร '{name}' (ใช้ --model) / '{name}' does not say which model it follows: pass --model"
        )
    langs = [props["language"]] if props.get("language") in ("th", "en") else ["th", "en"]
    declared = [s for s in (props.get("required") or "").split(",") if s]
    skeletons = {skeleton(line) for line in lines if line.strip()}
    found, missing = [], []
    for sid in required_for(library, model, declared):
        section = library.section(sid)
        present = any(skeleton(getattr(section, lang)) in skeletons for lang in langs)
        (found if present else missing).append(sid)
    return DocumentReport(name, model, langs[0], found, missing)


def _model_line(data: bytes, library: Library) -> str | None:
    """The model a document names in its title block ("(รูปแบบการทำสัญญาข้อตกลง)"), for one saved without provenance
    (from Word, say): the first lines of the DOCX, or of the PDF's first page."""
    if is_pdf(data):
        from pipeline.render.pdftext import read_pdf

        lines = read_pdf(data).pages[0].splitlines()
    else:
        from docx import Document

        lines = [p.text for p in Document(io.BytesIO(data)).paragraphs[:12]]
    top = {skeleton(line.strip("() ")) for line in lines[:12] if line.strip()}
    for model, words in library.labels["model"].items():
        if any(skeleton(words[lang]) in top for lang in ("th", "en")):
            return str(model)
    return None


def missing_sections_error(report: DocumentReport, library: Library) -> DocumentError:
    def heading(sid: str, lang: str) -> str:
        if report.model in ("sla", "amendment"):
            from pipeline.documents.after_signing import required_headings

            return dict(required_headings(library, report.model, lang)).get(sid, sid)
        return str(getattr(library.section(sid), lang))

    problems = [
        Problem(report.path, None, sid, f"ไม่พบหมวด “{heading(sid, 'th')}”", f"missing section '{heading(sid, 'en')}'")
        for sid in report.missing
    ]
    return DocumentError(
        f"เอกสารขาดหมวดที่ต้องมี {len(problems)} หมวด / the document lacks {len(problems)} required section(s) of the {report.model} model",
        problems,
    )
