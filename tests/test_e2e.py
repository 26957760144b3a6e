"""The shared examples built through the real LibreOffice, and their PDFs read back: the words, dates and amounts
with PDFium, in process (what poppler's pdftotext finds, and the page numbers as it lays them out, are
tests/test_layout.py's, on the same PDFs)."""

import re

import pytest
from pypdf import PdfReader

from pipeline.documents.check import check_document, skeleton
from pipeline.render.pdftext import read_pdf

from conftest import EXAMPLE_FILES

THAI = [f.stem for f in EXAMPLE_FILES if "language: en" not in f.read_text(encoding="utf-8")]
ENGLISH = [f.stem for f in EXAMPLE_FILES if f.stem not in THAI]


def pages(path):
    return list(read_pdf(path.read_bytes()).pages)


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLE_FILES])
def test_every_required_section_in_docx_and_pdf(built_examples, name, library):
    b = built_examples[name]
    for path in (b.docx, b.pdf):
        report = check_document(path, library)
        assert report.missing == [] and len(report.found) >= 15


@pytest.mark.parametrize("name", THAI)
def test_thai_pdf_has_no_arabic_digit(built_examples, name):
    texts = pages(built_examples[name].pdf)
    assert len(texts) >= 3
    for n, text in enumerate(texts, 1):
        assert not re.search(r"[0-9]", text), f"page {n}: {re.findall(r'.{0,20}[0-9].{0,20}', text)[:3]}"
    assert (
        "- ๑ -" not in texts[0]
    )  # the page numbers from page 2 on: test_layout.py::test_page_numbers_in_the_text_layer


@pytest.mark.parametrize("name", THAI)
def test_thai_pdf_amount_in_words_and_buddhist_era_date(built_examples, name):
    b = built_examples[name]
    spec_total = next(s for s in b.agreement.sections if s.id == "budget").blocks[0].text.replace("\u00a0", " ")
    whole = skeleton("".join(pages(b.pdf)).replace("\n", ""))
    signing = re.search(
        r"เมื่อวันที่ (\S+ \S+ \S+)",
        next(s for s in b.agreement.sections if s.id == "parties").blocks[0].text.replace("\u00a0", " "),
    ).group(1)
    assert skeleton(signing.replace(" ", "")) in whole
    assert re.search(r"[๒][๕][๖-๙][๐-๙]", signing)  # a Buddhist-Era year
    words = re.search(r"\((\S+บาท\S*)\)", spec_total).group(1)
    assert skeleton(words) in whole


def test_inclusive_care_figures(built_examples):
    whole = skeleton("".join(pages(built_examples["inclusive-care"].pdf)).replace("\n", ""))
    assert skeleton("๒๒ เมษายน ๒๕๖๗".replace(" ", "")) in whole
    assert skeleton("๑,๒๕๐,๐๐๐ บาท (หนึ่งล้านสองแสนห้าหมื่นบาทถ้วน)".replace(" ", "")) in whole


@pytest.mark.parametrize("name", ENGLISH)
def test_english_pdf(built_examples, name):
    text = "".join(pages(built_examples[name].pdf)).replace("\u00a0", " ")  # dates and amounts hold no-break spaces
    for heading in ("Parties", "Background", "Clause 1. Objectives", "Budget and sources of funds", "Signatures"):
        assert heading in text
    assert "15 January 2025" in text and "350,000 baht (three hundred and fifty thousand baht)" in text
    assert not re.search("[๐-๙]", text)


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLE_FILES])
def test_pdf_fonts_embedded_and_metadata(built_examples, name):
    b = built_examples[name]
    reader = PdfReader(str(b.pdf))
    fonts = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            fonts.append(
                (font["/BaseFont"], any(k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")))
            )
    assert fonts and all(embedded for _, embedded in fonts), fonts
    meta = reader.metadata
    assert meta["/MouSpecHash"] == b.provenance["spec_hash"] and meta["/MouModel"] == b.agreement.model
    assert "@v" in meta["/MouClauses"] and meta["/MouTemplate"].startswith(b.agreement.lang)


def test_thai_line_length_matches_sarabun_16pt(built_examples):
    """About 90-100 Thai characters on a full 16 cm line, as Word's TH Sarabun New 16 pt gives."""
    lines = [l for t in pages(built_examples["inclusive-care"].pdf) for l in t.splitlines()]
    longest = max(len(re.sub(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]", "", l)) for l in lines)
    assert 70 <= longest <= 110, longest
