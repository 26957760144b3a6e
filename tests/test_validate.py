from click.testing import CliRunner
from docx import Document

from pipeline.cli.commands import cli


def drop_heading(docx_path, text, out):
    doc = Document(str(docx_path))
    for p in doc.paragraphs:
        if p.text == text:
            p._p.getparent().remove(p._p)
    doc.save(str(out))
    return out


def test_validate_docx_missing_section(built_examples, tmp_path):
    docx = built_examples["inclusive-care"].docx
    assert CliRunner().invoke(cli, ["validate", str(docx)]).exit_code == 0
    bad = drop_heading(docx, "ข้อ ๖ ระยะเวลาดำเนินการ", tmp_path / "bad.docx")
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "term" in result.output and "ระยะเวลาดำเนินการ" in result.output and "Traceback" not in result.output


def test_validate_pdf_missing_section(built_examples, tmp_path, converter):
    from pipeline.api import pdf_metadata

    b = built_examples["universal-design-nonthaburi"]
    assert CliRunner().invoke(cli, ["validate", str(b.pdf)]).exit_code == 0
    bad_docx = drop_heading(b.docx, "การลงนาม", tmp_path / "bad.docx")
    bad_pdf = tmp_path / "bad.pdf"
    bad_pdf.write_bytes(converter.convert(bad_docx.read_bytes(), pdf_metadata(b.agreement, b.provenance)))
    result = CliRunner().invoke(cli, ["validate", str(bad_pdf)])
    assert result.exit_code == 1 and "signatures" in result.output and "การลงนาม" in result.output


def test_validate_unreadable_document(tmp_path):
    junk = tmp_path / "x.docx"
    junk.write_bytes(b"not a zip")
    result = CliRunner().invoke(cli, ["validate", str(junk)])
    assert result.exit_code == 1 and "Traceback" not in result.output


def strip_bookmarks(pdf_path, out):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(pdf_path))
    del writer.root_object["/Outlines"]
    writer.write(out)
    return out


def test_pdf_is_checked_on_its_bookmarks_or_else_its_text(built_examples, tmp_path, converter):
    """LibreOffice's bookmarks (one per heading) are read first; a PDF without them is checked on its page text."""
    from pypdf import PdfReader

    from pipeline.api import pdf_metadata
    from pipeline.documents.check import _pdf_facts

    b = built_examples["inclusive-care"]
    _, lines = _pdf_facts(b.pdf.read_bytes())
    assert "ข้อ ๖ ระยะเวลาดำเนินการ" in lines and len(lines) == len(PdfReader(b.pdf).outline)
    plain = strip_bookmarks(b.pdf, tmp_path / "plain.pdf")
    assert not PdfReader(plain).outline
    assert CliRunner().invoke(cli, ["validate", str(plain)]).exit_code == 0
    bad_docx = drop_heading(b.docx, "ข้อ ๖ ระยะเวลาดำเนินการ", tmp_path / "bad.docx")
    bad_pdf = tmp_path / "bad.pdf"
    bad_pdf.write_bytes(converter.convert(bad_docx.read_bytes(), pdf_metadata(b.agreement, b.provenance)))
    result = CliRunner().invoke(cli, ["validate", str(strip_bookmarks(bad_pdf, tmp_path / "bad-plain.pdf"))])
    assert result.exit_code == 1 and "term" in result.output


def test_validate_reports_a_pdf_whose_text_layer_lacks_its_headings(built_examples, tmp_path):
    """A PDF whose fonts lost their ToUnicode maps shows the same pages, but a search finds none of its headings."""
    import pikepdf

    b = built_examples["inclusive-care"]
    ok = CliRunner().invoke(cli, ["validate", str(b.pdf)])
    assert ok.exit_code == 0, ok.output
    broken = tmp_path / "no-text.pdf"
    with pikepdf.open(b.pdf) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                if "/ToUnicode" in font:
                    del font["/ToUnicode"]
        pdf.save(broken)
    result = CliRunner().invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 1 and "text layer lacks" in result.output and "คู่ภาคี" in result.output, result.output
