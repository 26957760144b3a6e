"""The copy of a DOCX LibreOffice converts (word joiners, the fallback font), and what is done to it in LibreOffice
between its load and its export, over the UNO bridge: page numbers made native, and a page break set before a chain
of kept paragraphs LibreOffice left at a page foot."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from pipeline.render.pagination import Strand, norm_text
from pipeline.render.thai import join_words

SARABUN = "TH Sarabun New"
FALLBACK = "Laksaman"
# TLWG Laksaman is TH Sarabun New's design drawn about 1/0.66 larger; fontconfig's alias scales it by 0.66
# but LibreOffice ignores that, so the conversion copy of the DOCX scales its sizes itself.
FALLBACK_SCALE = 0.66

_TEXT = re.compile(r"(<w:t(?:\s[^>]*)?>)([^<]*)(</w:t>)")


def for_libreoffice(
    docx: bytes, fallback_font: bool, joiners_after_marks: bool = False, join_thai: bool = True
) -> bytes:
    """The conversion copy of a DOCX. Word joiners inside the Thai words of the body (thai.join_words), so that
    LibreOffice breaks Thai lines between words; Word's `\\* ThaiArabic` page-number switch is dropped (LibreOffice
    prints it as Thai letters; its Context numerals print the plain number in Thai digits); where TH Sarabun New is
    missing, TH Sarabun New -> Laksaman at 0.66 of each size (half-points, rounded)."""
    size = re.compile(rb'(<w:sz(?:Cs)?\s+w:val=")(\d+)(")')
    switch = re.compile(rb"\s*\\\* ThaiArabic")

    def joined(m: re.Match[str]) -> str:
        return m.group(1) + join_words(m.group(2), joiners_after_marks) + m.group(3)

    def scaled(m: re.Match[bytes]) -> bytes:
        return m.group(1) + str(max(2, round(int(m.group(2)) * FALLBACK_SCALE))).encode() + m.group(3)

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for item in src.infolist():  # stored, not compressed: this copy only travels to LibreOffice's temp folder
            data = src.read(item.filename)
            item.compress_type = zipfile.ZIP_STORED
            if item.filename.startswith("word/header"):
                data = switch.sub(b"", data)
            if join_thai and item.filename == "word/document.xml":
                data = _TEXT.sub(joined, data.decode("utf-8")).encode("utf-8")
            if fallback_font and item.filename.startswith("word/") and item.filename.endswith(".xml"):
                data = size.sub(scaled, data.replace(SARABUN.encode(), FALLBACK.encode()))
            dst.writestr(item, data)
    return out.getvalue()


NATIVE_NUMBERING = 12  # com.sun.star.style.NumberingType: the digits of the text's language (Thai digits in Thai)


def one_section(docx: bytes) -> bool:
    """Whether the DOCX has one section (its body's own sectPr and no other)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return z.read("word/document.xml").count(b"<w:sectPr") == 1


def native_page_numbers(doc: Any, one_style: bool = False) -> None:
    """Page numbers print in the digits of their text's language as text, not only as glyphs: the page styles number
    natively, so a search or a copy of "- ๒ -" in a Thai PDF finds Thai digits (English pages stay Arabic).
    `one_style`: the document has one section and LibreOffice 25.2 sets it in one page style (a first page with a
    header of its own included), the one its text starts in: that style alone, in four calls over the pipe where
    asking each page style whether it is in use took thirty (20 ms of a 140 ms conversion)."""
    styles = doc.StyleFamilies.getByName("PageStyles")
    if one_style:
        styles.getByName(doc.Text.Start.PageStyleName).NumberingType = NATIVE_NUMBERING
        return
    for name in styles.ElementNames:
        style = styles.getByName(name)
        if style.isInUse():  # the export lays the pages out afresh: no refresh needed
            style.NumberingType = NATIVE_NUMBERING


PAGE_BEFORE = 4  # com.sun.star.style.BreakType


def break_in_place(doc: Any, strands: list[Strand]) -> bool:
    """A page break before the first paragraph of each stranded chain, set in the loaded document (a second load of
    the DOCX cost as much as the export): from the end of the page the chain ends, back to its first paragraph,
    which must read as the DOCX has it. The last page first, so that the pages before it stay as the PDF read them.
    False, nothing changed, where a chain is not found so."""
    cursor = doc.CurrentController.ViewCursor
    found = []
    for strand in sorted(strands, key=lambda s: -s.page):
        if not cursor.jumpToPage(strand.page + 1) or not cursor.jumpToEndOfPage():
            return False
        text = doc.Text.createTextCursorByRange(cursor.End)
        for _ in range(strand.back):
            if not text.gotoPreviousParagraph(False):
                return False
        text.gotoStartOfParagraph(False)
        text.gotoEndOfParagraph(True)
        if norm_text(text.String) != strand.text:
            return False
        text.collapseToStart()
        found.append(text)
    for text in found:
        text.BreakType = PAGE_BEFORE
    return True
