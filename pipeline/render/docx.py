"""Render an assembled agreement into DOCX bytes with docxtpl, from the Word template of its language."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

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


class _TemplateSandbox(LimitedSandbox):
    """The clauses' sandbox for the Word template, keeping what it compiled: docxtpl hands over the same patched XML
    of a template's parts on every render, and compiling it cost a fifth of a render."""

    KEEP = 16  # parts of the templates in use (body, headers, footers of each language and library)

    def __init__(self) -> None:
        super().__init__(autoescape=True, seconds=TEMPLATE_SECONDS, max_output=TEMPLATE_OUTPUT)
        guard_filters(self)
        self._compiled: dict[str, Any] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:  # noqa: A002
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self.KEEP:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


_ENV: list[_TemplateSandbox] = []


def _template_env() -> LimitedSandbox:
    """The Word template renders in the clauses' sandbox: a library's template is code from outside too. One per
    process (it holds no state of a render: the time limit is taken per render)."""
    if not _ENV:
        _ENV.append(_TemplateSandbox())
    return _ENV[0]


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


_ALIGN = {"left": None, "centre": "center", "right": "right"}
SIGNATURE_LINES = 4  # a signature block: the line to sign on, the name, the position, the role


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

TABLE_STYLES = (
    "Normal Table",
    "Table Grid",
    "MOU Signature",
    "MOU Signature Line",
    "MOU Table Text",
    "MOU Table Header",
    "MOU Table Total",
)


def _style_ids(doc: Any) -> dict[str, str]:
    """The ids of the styles tables use, looked up once per render (python-docx scans every style on each lookup)."""
    return {name: doc.styles[name].style_id for name in TABLE_STYLES}


def _child(parent: Any, tag: str, **attrs: str) -> Any:
    """A WordprocessingML element appended to parent, its attributes in the order given."""
    element = etree.SubElement(parent, _W + tag)
    for name, value in attrs.items():
        element.set(_W + name, value)
    return element


def _run(paragraph: Any, text: str) -> None:
    """A run holding text as Word does: a tab as w:tab, a carriage return as w:br, the rest in w:t (spaces at an end
    kept)."""
    run = _child(paragraph, "r")
    for i, piece in enumerate(re.split(r"([\t\r])", text)):
        if i % 2:
            _child(run, "tab" if piece == "\t" else "br")
        elif piece:
            t = _child(run, "t")
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(_XML_SPACE, "preserve")


def _table(table: Table, ids: dict[str, str]) -> _RawXml:
    """The XML of one annex table (a fixed grid of the text width, rows never split across pages, the header row
    repeated on each page), built directly with lxml."""
    signatures = table.style == "signatures"
    header = not signatures and any(table.headers)
    scale = TEXT_WIDTH_CM / sum(table.widths)
    widths = [str(Cm(w * scale).twips) for w in table.widths]
    aligns = [_ALIGN[a] for a in (table.aligns or ("left",) * len(table.widths))]
    text_style = ids["MOU Signature" if signatures else "MOU Table Text"]
    rows = [(table.headers, ids["MOU Table Header"], True)] if header else []
    for n, cells in enumerate(table.rows):
        first_line = signatures and (n in table.starts if table.starts else n % SIGNATURE_LINES == 0)
        rows.append((cells, ids["MOU Signature Line"] if first_line else text_style, False))
    if table.total:
        rows.append((table.total, ids["MOU Table Total"], False))
    grid = etree.Element(_W + "tbl", nsmap={"w": _W[1:-1]})
    props = _child(grid, "tblPr")
    _child(props, "tblStyle", val=ids["Normal Table" if signatures else "Table Grid"])
    _child(props, "tblW", type="auto", w="0")
    _child(props, "jc", val="center")
    _child(props, "tblLayout", type="fixed")
    _child(
        props,
        "tblLook",
        firstColumn="1",
        firstRow="1",
        lastColumn="0",
        lastRow="0",
        noHBand="0",
        noVBand="1",
        val="04A0",
    )
    columns = _child(grid, "tblGrid")
    for width in widths:
        _child(columns, "gridCol", w=width)
    for cells, style, is_header in rows:
        row = _child(grid, "tr")
        row_props = _child(row, "trPr")
        _child(row_props, "cantSplit")
        if is_header:
            _child(row_props, "tblHeader")  # repeated on every page the table spans
        for text, width, align in zip(cells, widths, aligns):
            cell = _child(row, "tc")
            _child(_child(cell, "tcPr"), "tcW", type="dxa", w=width)
            for line in text.split("\n"):
                paragraph = _child(cell, "p")
                paragraph_props = _child(paragraph, "pPr")
                _child(paragraph_props, "pStyle", val=style)
                if signatures:  # signature blocks stay on one page with the closing before and the witnesses after
                    _child(paragraph_props, "keepNext")
                if align is not None and not is_header:
                    _child(paragraph_props, "jc", val=align)
                _run(paragraph, line)
    return _RawXml(etree.tostring(grid, encoding="unicode"))


def render_docx(agreement: Agreement, library: Library, provenance: dict[str, str], when: dt.date) -> bytes:
    """The DOCX of an agreement; identical inputs give identical bytes (fixed times in the file and the zip)."""
    tpl = DocxTemplate(str(library.templates[agreement.lang]))
    tpl.init_docx()
    ids = _style_ids(tpl.docx)
    sections = [
        {
            "part": s.part,
            "heading": s.heading,
            "blocks": [
                {"kind": "table", "subdoc": _table(b.table, ids)}
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
    tpl.pre_processing()  # docxtpl's step before a save (pictures to replace: none here)
    return _package_bytes(doc)


class _FixedZip:
    """Where python-docx's package writer puts each part: deflated once, under a fixed time, so the bytes depend on
    the content only (saving through python-docx, then rewriting the zip, compressed the 0.8 MB of styles twice)."""

    def __init__(self, out: io.BytesIO) -> None:
        self._zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri: Any, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, blob)

    def close(self) -> None:
        self._zip.close()


def _package_bytes(doc: Any) -> bytes:
    """The DOCX of a python-docx Document, as `Document.save` writes it, through _FixedZip."""
    from docx.opc.pkgwriter import PackageWriter

    package = doc.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    writer: Any = _FixedZip(out)
    steps: Any = PackageWriter  # its three steps (untyped in python-docx), with our writer in place of its zip
    steps._write_content_types_stream(writer, parts)
    steps._write_pkg_rels(writer, package.rels)
    steps._write_parts(writer, parts)
    writer.close()
    return out.getvalue()


_CUSTOM_PROPERTY = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}property"


def read_properties(docx: bytes | Path) -> dict[str, str]:
    """The mou.* provenance properties of a DOCX (bytes or a path), from its docProps/custom.xml alone."""
    data = docx.read_bytes() if isinstance(docx, Path) else docx
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if "docProps/custom.xml" not in z.namelist():
            return {}
        custom = etree.fromstring(z.read("docProps/custom.xml"))
    props = {}
    for prop in custom.iter(_CUSTOM_PROPERTY):
        name = str(prop.get("name", ""))
        if name.startswith(PROPERTY_PREFIX) and len(prop):
            props[name[len(PROPERTY_PREFIX) :]] = prop[0].text or ""
    return props
