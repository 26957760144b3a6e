"""Render an assembled agreement into DOCX bytes with docxtpl, from the Word template of its language."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm
from docxcompose.properties import CustomProperties
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from lxml import etree

from pipeline.errors import LibraryError
from pipeline.library.clauses import Library
from pipeline.library.sandbox import LimitedSandbox, RenderLimit, guard_filters
from pipeline.render.document import Agreement, Table

TEMPLATE_SECONDS = 30.0
TEMPLATE_OUTPUT = 50_000_000  # characters of one part's XML: a long agreement's document.xml is about 1 MB
MAX_PROPERTY = 255  # Word's limit on a core document property (python-docx enforces it)


def _template_env() -> LimitedSandbox:
    """The Word template renders in the clauses' sandbox: a library's template is code from outside too."""
    env = LimitedSandbox(autoescape=True, seconds=TEMPLATE_SECONDS, max_output=TEMPLATE_OUTPUT)
    guard_filters(env)
    return env


_MARK = re.compile("[\u0300-\u036f\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")  # marks that belong to the letter before


def short_property(text: str) -> str:
    """A core property within Word's 255 characters (the document keeps the whole title): cut at a space where there
    is one near the end, never between a Thai letter and its marks, and marked with an ellipsis."""
    if len(text) <= MAX_PROPERTY:
        return text
    end = MAX_PROPERTY - 1
    space = text.rfind(" ", 0, end)
    if space > MAX_PROPERTY * 2 // 3:
        end = space
    while end > 0 and _MARK.match(text[end]):  # the next character is a mark of the last letter kept: keep neither
        end -= 1
    return text[:end].rstrip() + "…"


TEXT_WIDTH_CM = 16.0  # A4 (21 cm) less the 3 cm left and 2 cm right margins
PROPERTY_PREFIX = "mou."
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class _RawXml(str):
    """Table XML the template inserts as it is (`{{p b.subdoc }}`); Jinja's autoescape leaves __html__ alone."""

    def __html__(self) -> str:
        return str(self)


_ALIGN = {"left": None, "centre": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
SIGNATURE_LINES = 4  # a signature block: the line to sign on, the name, the position, the role


def _keep_next(paragraph: Any) -> None:
    paragraph.paragraph_format.keep_with_next = True


TABLE_STYLES = (
    "Normal Table",
    "Table Grid",
    "MOU Signature",
    "MOU Signature Line",
    "MOU Table Text",
    "MOU Table Header",
    "MOU Table Total",
)


def _style_ids(sub: Any) -> dict[str, str]:
    """The ids of the styles tables use, looked up once per render: python-docx scans every style of the document on
    each lookup by name (and on each `paragraph.style = …`), so ids are set on w:pStyle / w:tblStyle directly."""
    return {name: sub.styles[name].style_id for name in TABLE_STYLES}


def _table(sub: Any, table: Table, ids: dict[str, str]) -> _RawXml:
    """The XML of one annex table, built in the render's scratch subdocument (which shares the template's styles),
    then taken out of it: one subdocument per render, not one per table (each costs a parse of a whole DOCX)."""
    signatures = table.style == "signatures"
    header = not signatures and any(table.headers)
    grid = sub.add_table(rows=0, cols=len(table.widths))
    grid._tbl.tblStyle_val = ids["Normal Table" if signatures else "Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    scale = TEXT_WIDTH_CM / sum(table.widths)
    widths = [Cm(w * scale) for w in table.widths]
    aligns = [_ALIGN[a] for a in (table.aligns or ("left",) * len(table.widths))]
    text_style = ids["MOU Signature" if signatures else "MOU Table Text"]
    rows = [(table.headers, ids["MOU Table Header"], True)] if header else []
    for n, cells in enumerate(table.rows):
        first_line = signatures and (n in table.starts if table.starts else n % SIGNATURE_LINES == 0)
        rows.append((cells, ids["MOU Signature Line"] if first_line else text_style, False))
    if table.total:
        rows.append((table.total, ids["MOU Table Total"], False))
    for cells, style, is_header in rows:
        row = grid.add_row()
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if is_header:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeated on every page the table spans
        # Signature blocks stay on one page with the closing before them and the witnesses after them.
        keep = signatures
        for cell, text, width, align in zip(row.cells, cells, widths, aligns):
            cell.width = width
            lines = text.split("\n") or [""]
            paragraphs = [cell.paragraphs[0]] + [cell.add_paragraph() for _ in lines[1:]]
            for paragraph, line in zip(paragraphs, lines):
                paragraph.text = line
                paragraph._p.style = style
                if align is not None and not is_header:
                    paragraph.alignment = align
                if keep:
                    _keep_next(paragraph)
    for col, width in zip(grid.columns, widths):
        col.width = width
    xml = _RawXml(etree.tostring(grid._tbl, encoding="unicode"))
    grid._tbl.getparent().remove(grid._tbl)
    return xml


def render_docx(agreement: Agreement, library: Library, provenance: dict[str, str], when: dt.date) -> bytes:
    """The DOCX of an agreement; identical inputs give identical bytes (fixed times in the file and the zip)."""
    tpl = DocxTemplate(str(library.templates[agreement.lang]))
    scratch = tpl.new_subdoc()
    ids = _style_ids(scratch)
    sections = [
        {
            "part": s.part,
            "heading": s.heading,
            "blocks": [
                {"kind": "table", "subdoc": _table(scratch, b.table, ids)}
                if b.table is not None
                else {"kind": b.kind, "text": b.text}
                for b in s.blocks
            ],
        }
        for s in agreement.sections
    ]
    try:
        tpl.render({"front": agreement.front, "sections": sections}, jinja_env=_template_env(), autoescape=True)
    except (TemplateError, RenderLimit) as exc:
        raise LibraryError(
            f"แม่แบบเอกสารผิดพลาด / the template {library.templates[agreement.lang]} failed to render: {exc}"
        ) from exc
    except (ValueError, TypeError, ArithmeticError, LookupError, RecursionError, MemoryError) as exc:
        raise LibraryError(
            f"แม่แบบเอกสารผิดพลาด / the template {library.templates[agreement.lang]} failed to render: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    doc = tpl.docx
    core = doc.core_properties
    core.title = short_property(agreement.front["subject"])
    core.subject = agreement.front["model_label"]
    core.category = agreement.model
    core.keywords = f"MOU; {agreement.model}; {agreement.lang}"
    core.author = core.last_modified_by = "mou-pipeline"
    core.comments = "ร่าง / DRAFT" if agreement.draft else ""
    core.language = "th-TH" if agreement.lang == "th" else "en-GB"
    stamp = dt.datetime(when.year, when.month, when.day)
    core.created = core.modified = stamp
    core.last_printed = stamp
    core.revision = 1
    props = CustomProperties(doc)
    for key, value in provenance.items():
        props.add(PROPERTY_PREFIX + key, str(value))
    buf = io.BytesIO()
    tpl.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite the zip with a fixed timestamp on every entry, so the bytes depend on the content only."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def read_properties(docx: Any) -> dict[str, str]:
    """The mou.* provenance properties of a DOCX (bytes, a path, or a python-docx Document already open)."""
    from docx import Document

    doc = docx if hasattr(docx, "part") else Document(docx if not isinstance(docx, bytes) else io.BytesIO(docx))
    props = CustomProperties(doc)
    return {k[len(PROPERTY_PREFIX) :]: props.get(k) for k in props.keys() if k.startswith(PROPERTY_PREFIX)}
