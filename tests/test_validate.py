import io

from click.testing import CliRunner
from docx import Document

from pipeline.cli import cli


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
    from pipeline.build import pdf_metadata
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
