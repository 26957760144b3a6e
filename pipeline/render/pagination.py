"""Headings and lead-ins that LibreOffice left at the foot of a page, found in its PDF and sent to the next page.

Every heading and every lead-in ("… ดังนี้") is kept with the next paragraph, and Word honours it; LibreOffice (7.4,
and 25.2 too) sometimes does not (seen on the first page, where a clause heading and its lead-in ended the page and
the first item began the next, whatever the keep flags say). So after a conversion the last line of each page is read back (the build's one read of the PDF); where it ends a paragraph
that is kept with the next, that chain of kept paragraphs gets a page break before its first paragraph, in the
document LibreOffice still holds (render.pdf), and the document is exported once more. The DOCX the user gets is not
touched.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from lxml import etree

from pipeline.render.pdftext import read_pdf
from pipeline.render.thai import strip_joiners

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def norm_text(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", strip_joiners(text)))


def _on(element: Any, tag: str) -> bool | None:
    """A w:keepNext-like flag on a pPr: True, False (w:val="0"), or None when absent."""
    if element is None:
        return None
    flag = element.find(f"{W}{tag}")
    if flag is None:
        return None
    return flag.get(f"{W}val") not in ("0", "false", "off")


def _kept_styles(styles_xml: bytes) -> dict[str, bool]:
    root = etree.fromstring(styles_xml)
    own, based = {}, {}
    for style in root.iter(f"{W}style"):
        sid = style.get(f"{W}styleId")
        own[sid] = _on(style.find(f"{W}pPr"), "keepNext")
        parent = style.find(f"{W}basedOn")
        based[sid] = parent.get(f"{W}val") if parent is not None else None

    def kept(sid: str | None, depth: int = 0) -> bool:
        if sid is None or depth > 20:
            return False
        flag = own.get(sid)
        return flag if flag is not None else kept(based.get(sid), depth + 1)

    return {sid: bool(kept(sid)) for sid in own}


def _body_paragraphs(root: Any) -> list[Any]:
    """The paragraphs of the body, outside tables, in order."""
    body = root.find(f"{W}body")
    return [p for p in body.iter(f"{W}p") if not any(a.tag == f"{W}tbl" for a in p.iterancestors())]


@dataclass(frozen=True)
class Strand:
    """A chain of kept paragraphs whose last line ends a page that is not the last."""

    page: int  # the page it ends, from 0
    start: int  # the chain's first paragraph, an index among the body paragraphs (break_before's)
    back: int  # paragraphs from the page's last one back to the chain's first
    text: str  # the chain's first paragraph, as norm_text has it


def stranded(pdf: bytes, docx: bytes) -> list[Strand]:
    """The chains of kept paragraphs whose last line ends a page that is not the last, in page order."""
    pages = read_pdf(pdf).pages
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
        kept_style = _kept_styles(z.read("word/styles.xml"))
    paragraphs = _body_paragraphs(root)

    def kept(p: Any) -> bool:
        ppr = p.find(f"{W}pPr")
        inline = _on(ppr, "keepNext")
        if inline is not None:
            return inline
        style = ppr.find(f"{W}pStyle") if ppr is not None else None
        return kept_style.get(style.get(f"{W}val") if style is not None else "Normal", False)

    texts = [norm_text("".join(t.text or "" for t in p.iter(f"{W}t"))) for p in paragraphs]
    starts, at = [], 0
    for number, page in enumerate(pages[:-1]):
        lines = [line for line in page.split("\n") if line.strip()]
        if not lines:
            continue
        last = norm_text(lines[-1])
        found = next((i for i in range(at, len(texts)) if texts[i] and texts[i].endswith(last)), None)
        if found is None:
            continue
        at = found + 1
        if not kept(paragraphs[found]):
            continue
        start = found
        while start > 0 and kept(paragraphs[start - 1]) and texts[start - 1]:
            start -= 1
        starts.append(Strand(number, start, found - start, texts[start]))
    return starts


def break_before(docx: bytes, starts: list[int]) -> bytes:
    """The DOCX with a page break before each of these body paragraphs."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                paragraphs = _body_paragraphs(root)
                for i in starts:
                    p = paragraphs[i]
                    ppr = p.find(f"{W}pPr")
                    if ppr is None:
                        ppr = etree.SubElement(p, f"{W}pPr")
                        p.insert(0, ppr)
                    for old in ppr.findall(f"{W}pageBreakBefore"):
                        ppr.remove(old)
                    flag = etree.Element(f"{W}pageBreakBefore")
                    style = ppr.find(f"{W}pStyle")
                    (style.addnext(flag) if style is not None else ppr.insert(0, flag))
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(item, data)
    return out.getvalue()
