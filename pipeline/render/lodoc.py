"""What is done to a document in LibreOffice between its load and its export, over the UNO bridge: page numbers
made native, and a page break set before a chain of kept paragraphs LibreOffice left at a page foot."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from pipeline.render.pagination import Strand, norm_text

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
