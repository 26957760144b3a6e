"""Reading a PDF's text layer back, and measuring it as a reader would: does a search find each Thai word of the
document, and do Thai lines end between words?

Two readers. The build's own checks (a heading left at a page foot, the signature lines a final's fields lie over,
the headings its text layer must hold) read each PDF once, in process, with PDFium (`read_pdf`: pypdfium2's wheel,
0.08 s for an 11-page Thai agreement against poppler's 1.0 s, the text of each page and the box of every character
from one parse, kept for the build). What people's tools see is poppler's `pdftotext` (Debian's poppler-utils,
installed by `make`): `pdf_pages` reads that way, and the tests hold the PDFs to SPEC §4 through it (pypdf is the
fallback where poppler is missing; it reads LibreOffice 25.2's ToUnicode maps as garbage Thai).
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pipeline.render.thai import strip_joiners

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_THAI_LETTER = re.compile("[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e4e]")
_THAI_RUN = re.compile("[\u0e00-\u0e7f]+")


def pdf_pages(pdf: bytes | Path, layout: bool = False, raw: bool = False) -> list[str]:
    """The text of each page, as poppler reads it (pypdf where poppler is not installed); `layout` keeps the physical
    layout (poppler's reading order otherwise joins a line that ends in "-" to the next: "- ๒ -" above the body);
    `raw` leaves in what the renderer's joiners left in the text layer (none, if the PDF is right)."""
    pages = _pages(pdf.read_bytes() if isinstance(pdf, Path) else pdf, layout)
    return list(pages) if raw else [strip_joiners(p) for p in pages]


@functools.lru_cache(maxsize=8)
def _pages(data: bytes, layout: bool) -> tuple[str, ...]:
    """poppler's text of these bytes, page by page, kept for the next question about the same file (poppler spends
    most of a second of CPU on an eleven-page Thai PDF; the checks and the tests ask several things of one file)."""
    tool = shutil.which("pdftotext")
    if tool:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
            tmp.write(data)
            tmp.flush()
            out = subprocess.run(
                [tool, "-enc", "UTF-8", *(["-layout"] if layout else []), tmp.name, "-"],
                capture_output=True,
                timeout=120,
            )
        if out.returncode == 0:
            pages = out.stdout.decode("utf-8", "replace").split("\f")
            return tuple(pages[:-1] if pages and not pages[-1].strip() else pages)
    from pypdf import PdfReader

    return tuple(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


@dataclass(frozen=True)
class Dots:
    """A run of dots standing as a word of its own (a dotted line to write on), where PDFium lays it out."""

    page: int  # from 0
    length: int  # how many dots
    x0: float  # PDF user space (y up): left, bottom, right
    bottom: float
    x1: float
    page_height: float


@dataclass(frozen=True)
class PdfRead:
    """One in-process parse of a PDF: the text of each page (joiners removed, lines split) and its dotted lines."""

    pages: tuple[str, ...]
    dots: tuple[Dots, ...]

    @property
    def text(self) -> str:
        return "\f".join(self.pages)


_DOTS = re.compile(r"(?:(?<=\s)|^)\.{10,}(?=\s|$)", re.M)  # a word of dots: linear (one quantifier, fixed context)


_READ: dict[bytes, PdfRead] = {}  # the last few readings, by the PDF's bytes
_KEPT = 3
_LOCK = threading.Lock()  # PDFium is not thread-safe (`mou serve` may build in threads); the readings are shared


def read_pdf(data: bytes) -> PdfRead:
    """The PDF read once with PDFium, held (the last three) so that every check of one build shares the parse."""
    with _LOCK:
        read = _READ.pop(data, None)
        if read is None:
            read = _parse(data)
        _remember(data, read)
    return read


def same_pages(new: bytes, old: bytes) -> None:
    """`new` is `old` rewritten around the same pages (document information, bookmarks, an empty signature field,
    no structure tree: pdfmeta.set_pdf_metadata): the reading of `old` serves for `new`, not parsed again (35 ms for
    an eleven-page agreement). tests/test_pdf.py compares the two readings."""
    read = read_pdf(old)
    with _LOCK:
        _remember(new, read)


def _remember(data: bytes, read: PdfRead) -> None:
    """Under _LOCK."""
    _READ[data] = read
    while len(_READ) > _KEPT:
        del _READ[next(iter(_READ))]


def _parse(data: bytes) -> PdfRead:
    import pypdfium2 as pdfium

    pages, dots = [], []
    doc = pdfium.PdfDocument(data)
    try:
        for number in range(len(doc)):
            page = doc[number]
            textpage = page.get_textpage()
            try:
                raw = textpage.get_text_range(0, textpage.count_chars())
                for m in _DOTS.finditer(raw):
                    boxes = [textpage.get_charbox(k, loose=True) for k in range(m.start(), m.end())]
                    dots.append(
                        Dots(
                            number,
                            m.end() - m.start(),
                            min(b[0] for b in boxes),
                            min(b[1] for b in boxes),
                            max(b[2] for b in boxes),
                            page.get_height(),
                        )
                    )
                pages.append(strip_joiners(raw.replace("\r\n", "\n").replace("\r", "\n")))
            finally:
                textpage.close()
                page.close()
    finally:
        doc.close()
    return PdfRead(tuple(pages), tuple(dots))


def pdf_outline(data: bytes, keys: list[str]) -> tuple[dict[str, str], list[str]]:
    """These keys of a PDF's document information (those it has) and the titles of its bookmarks, in order, from
    PDFium without reading a page (under a millisecond where pypdf takes ten)."""
    import pypdfium2 as pdfium

    with _LOCK:
        doc = pdfium.PdfDocument(data)
        try:
            info = {key: value for key in keys if (value := doc.get_metadata_value(key))}
            return info, [item.get_title() for item in doc.get_toc()]
        finally:
            doc.close()


def pdf_text(pdf: bytes | Path) -> str:
    return "\f".join(pdf_pages(pdf))


def docx_paragraphs(docx: bytes | Path) -> list[str]:
    """Every paragraph of a DOCX body (tables included), joiners removed and no-break spaces as spaces."""
    data = docx.read_bytes() if isinstance(docx, Path) else docx
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    out = []
    for p in root.iter(f"{_W}p"):
        text = "".join((t.text or "") if t.tag == f"{_W}t" else " " for t in p.iter(f"{_W}t", f"{_W}tab"))
        out.append(strip_joiners(text).replace("\u00a0", " "))
    return out


@functools.lru_cache(maxsize=1)
def _segment() -> Callable[..., list[str]]:
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


def thai_words(text: str, engine: str = "newmm") -> set[str]:
    """The distinct Thai words of a text: two characters or more, from pythainlp's segmenter."""
    words = set()
    for run in _THAI_RUN.findall(text):
        for w in _segment()(run, engine=engine, keep_whitespace=False):
            if len(w) >= 2 and _THAI_LETTER.search(w):
                words.add(w)
    return words


@dataclass
class SearchShare:
    words: int
    found: int
    missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.found / self.words if self.words else 1.0


def search_share(docx: bytes | Path, pdf: bytes | Path) -> SearchShare:
    """How many of the DOCX body's distinct Thai words a search of the PDF finds: present as written in the text
    layer with only line and page breaks removed (a word printed with a space inside is not found)."""
    words = thai_words("\n".join(docx_paragraphs(docx)))
    layer = re.sub(r"[\n\f]", "", pdf_text(pdf))
    missing = sorted(w for w in words if w not in layer)
    return SearchShare(len(words), len(words) - len(missing), missing)


@dataclass
class LineEnds:
    thai: int  # line ends with Thai on both sides
    inside: list[str] = field(default_factory=list)  # those that fall inside a word: "ดำเนิน|การ"

    @property
    def share(self) -> float:
        return len(self.inside) / self.thai if self.thai else 0.0


def _tail(line: str) -> str:
    return line.rsplit(" ", 1)[-1]


def _head(line: str) -> str:
    return line.split(" ", 1)[0]


def line_ends(pdf: bytes | Path, docx: bytes | Path | None = None, engine: str = "longest") -> LineEnds:
    """Thai line ends of a PDF and those inside a word, judged by a segmenter (`longest`) other than the one that
    places the joiners (`newmm`), so the measure does not grade itself. Given the DOCX, a line end where the document
    has a space or ends a paragraph is left out: only the breaks the renderer chose inside a run of Thai count."""
    spaced = "\n".join(docx_paragraphs(docx)) if docx is not None else ""
    result = LineEnds(0)
    for page in pdf_pages(pdf):
        lines = [line.rstrip() for line in page.split("\n")]
        for a, b in zip(lines, lines[1:], strict=False):
            if not a or not b or not _THAI_RUN.match(a[-1]) or not _THAI_LETTER.match(b[0]):
                continue
            tail, head = _tail(a), _head(b)
            tail_thai = _THAI_RUN.findall(tail)[-1] if _THAI_RUN.search(tail) else ""
            head_match = _THAI_RUN.match(head)
            head_thai = head_match.group(0) if head_match else ""
            if not tail_thai.strip() or not head_thai:
                continue
            if spaced and f"{tail}{head}" not in spaced:
                continue  # a space here, or the end of a paragraph or a table cell: not a break inside a line of text
            result.thai += 1
            joined = tail_thai + head_thai
            at, pos = len(tail_thai), 0
            for w in _segment()(joined, engine=engine, keep_whitespace=False):
                pos += len(w)
                if pos >= at:
                    break
            if pos != at:
                result.inside.append(f"{tail_thai}|{head_thai}")
    return result
