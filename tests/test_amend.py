"""Issue 11: `mou amend` — the amendment that turns a signed agreement into a changed one, clause by clause, with the
signed agreement's numbering, in Thai and in English."""

from __future__ import annotations

import copy
import datetime as dt
import sys

import pytest
import yaml
from docx import Document

from pipeline.documents.check import skeleton
from pipeline.render import pdftext

from conftest import EXAMPLES, assert_official_and_searchable
from conftest import mou_run as mou

MOU = [sys.executable, "-m", "pipeline.cli"]


def specs(tmp_path, lang: str):
    """The signed inclusive-care agreement, and the same with its second payment moved into the signing's fiscal year:
    the mid-term evaluation earlier, the money of fiscal year 2567 larger by it. The first instalment, paid before the
    amendment, stays as it was; the last, after the final evaluation, stays in fiscal year 2568."""
    signed = yaml.safe_load((EXAMPLES / "inclusive-care.yaml").read_text(encoding="utf-8"))
    signed["language"] = lang
    signed["signed"] = {"date": dt.date(2024, 4, 22)}
    new = copy.deepcopy(signed)
    del new["signed"]
    new["evaluation"]["midterm"] = dt.date(2024, 9, 10)
    new["instalments"][1]["due"] = dt.date(2024, 9, 25)
    new["budget"]["sources"][0]["fiscal_years"] = {2567: 1000000, 2568: 250000}
    paths = []
    for name, data in (("signed", signed), ("new", new)):
        path = tmp_path / f"{name}-{lang}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


EXPECTED = {
    "th": [
        "ความเป็นมา",
        "ข้อ ๑ แก้ไขข้อ ๔ (งบประมาณและแหล่งที่มาของงบประมาณ)",
        "ข้อ ๒ แก้ไขข้อ ๕ (การเบิกจ่ายเงินเป็นงวด)",
        "ข้อ ๓ แก้ไขข้อ ๗ (การติดตามและประเมินผล)",
        "ข้อ ๔ ความในข้ออื่นและการมีผลใช้บังคับ",
        "การลงนาม",
    ],
    "en": [
        "Recitals",
        "Clause 1. Clause 4 (Budget and sources of funds) replaced",
        "Clause 2. Clause 5 (Instalments) replaced",
        "Clause 3. Clause 7 (Monitoring and evaluation) replaced",
        "Clause 4. Other clauses and effect",
        "Signatures",
    ],
}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_amendment_cancels_and_replaces_exactly_the_clauses_that_changed(tmp_path, lang):
    signed, new = specs(tmp_path, lang)
    result = mou("amend", signed, new, "--out", tmp_path / "o", "--date", "2024-08-01")
    assert result.returncode == 0, result.stderr
    docx = tmp_path / "o" / f"signed-{lang}.amendment-1.docx"
    doc = Document(str(docx))
    headings = [p.text.replace("\xa0", " ") for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == EXPECTED[lang], headings
    text = "\n".join(p.text for p in doc.paragraphs).replace("\xa0", " ")  # no-break spaces read as spaces
    if lang == "th":
        assert doc.paragraphs[0].text == "บันทึกข้อตกลงแก้ไขเพิ่มเติม (ฉบับที่ ๑)"
        assert "ให้ยกเลิกความในข้อ ๕ ของบันทึกข้อตกลงเดิม และให้ใช้ความต่อไปนี้แทน" in text
        assert "“ข้อ ๕ การเบิกจ่ายเงินเป็นงวด" in text and "๕.๑" in text  # the new text under the signed number
        assert "ความในข้ออื่นใดของบันทึกข้อตกลงเดิมที่มิได้แก้ไขเพิ่มเติมโดยบันทึกข้อตกลงแก้ไขเพิ่มเติมฉบับนี้ ให้คงเป็นไปตามเดิมทุกประการ" in text
        assert "มีผลใช้บังคับตั้งแต่วันที่ลงนาม" in text and "หักจากเงินงวดถัดไป" in text  # the payment already made
        assert "ลงวันที่ ๒๒ เมษายน ๒๕๖๗" in text and "เมื่อวันที่ ๑ สิงหาคม ๒๕๖๗" in text
    else:
        assert "Clause 5 (Instalments) of the Agreement is deleted and replaced by the following:" in text
        assert "Every clause of the Agreement not amended by this Amendment remains unchanged and in full force" in text
        assert "Amendment No. 1 to the Agreement" in text and "dated 22 April 2024" in text
    pdf = tmp_path / "o" / f"signed-{lang}.amendment-1.pdf"
    for path in (docx, pdf):
        check = mou("validate", path)
        assert check.returncode == 0 and "amendment" in check.stdout, check.stdout + check.stderr
    assert skeleton("บันทึกข้อตกลงแก้ไขเพิ่มเติม" if lang == "th" else "Amendment No. 1") in skeleton(pdftext.pdf_text(pdf))
    assert_official_and_searchable(pdf)


def test_an_amendment_that_changes_nothing_is_refused(tmp_path):
    signed, _ = specs(tmp_path, "th")
    result = mou("amend", signed, signed, "--out", tmp_path / "o", "--date", "2024-08-01", "--no-pdf")
    assert result.returncode == 1 and "nothing to amend" in result.stderr
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_amend_needs_a_signed_agreement_of_the_same_model(tmp_path):
    signed, new = specs(tmp_path, "th")
    unsigned = mou("amend", new, signed, "--out", tmp_path / "o", "--no-pdf")
    assert unsigned.returncode == 1 and "signed" in unsigned.stderr
    other = EXAMPLES / "elderly-database-grant.yaml"
    model = mou("amend", signed, other, "--out", tmp_path / "o", "--no-pdf")
    assert model.returncode == 1 and "new agreement" in model.stderr and "Traceback" not in model.stderr


# -- what an amendment may not change (issue 20, SPEC §2) ---------------------------------------------------------------


def test_an_instalment_already_due_cannot_be_changed(tmp_path):
    signed, new = specs(tmp_path, "th")
    data = yaml.safe_load(new.read_text(encoding="utf-8"))
    data["instalments"][0]["percent"], data["instalments"][1]["percent"] = 30, 50  # the first was due 31 May 2024
    new.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = mou("amend", signed, new, "--out", tmp_path / "o", "--date", "2024-08-01", "--no-pdf")
    assert result.returncode == 1 and "instalment 1 fell due on 31 May 2024" in result.stderr, result.stderr
    assert "งวดที่ ๑" in result.stderr or "งวดที่ 1" in result.stderr
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())
    assert "amends:" not in new.read_text(encoding="utf-8")  # nothing written for a refused amendment


def test_an_instalment_the_office_recorded_as_paid_cannot_be_changed_before_it_falls_due(tmp_path):
    """SPEC §2: given the workspace, an instalment the office's record (the calendar's done status) marks as paid
    counts as paid, whatever its due date; without the record the same amendment is made."""
    from pipeline.store.record import Record

    signed, new = specs(tmp_path, "en")
    data = yaml.safe_load(new.read_text(encoding="utf-8"))
    data["instalments"][2]["condition"] = "and the Partner hands over the curriculum"  # due 30 June 2025
    new.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    workspace = tmp_path / "office"
    Record(workspace).mark_done(
        f"{signed.stem}.instalment.3@mou-pipeline", signed.stem, dt.date(2024, 7, 15), "a", "", ""
    )
    args = ("amend", signed, new, "--date", "2024-08-01", "--no-pdf")
    result = mou(*args, "--out", tmp_path / "o", "--workspace", workspace)
    assert result.returncode == 1, result.stdout
    assert "instalment 3 is recorded as paid on 15 July 2024 in the office's record" in result.stderr, result.stderr
    assert "งวดที่ ๓ บันทึกในทะเบียนของสำนักงานว่าจ่ายแล้ว" in result.stderr or "งวดที่ 3 บันทึกในทะเบียน" in result.stderr
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())
    assert mou(*args, "--out", tmp_path / "o2").returncode == 0  # the record not given: due later, so not yet paid


def test_an_amendment_after_the_term_is_refused(tmp_path):
    signed, new = specs(tmp_path, "en")
    result = mou("amend", signed, new, "--out", tmp_path / "o", "--no-pdf")  # dated today: years after the end
    assert result.returncode == 1 and "cannot be amended" in result.stderr and "Traceback" not in result.stderr


def test_the_money_of_a_closed_fiscal_year_cannot_be_changed(library):
    from pipeline.documents.amendment import amendment_problems
    from pipeline.documents.check import load_spec
    from pipeline.spec.settings import Settings

    _, signed = load_spec(EXAMPLES / "inclusive-care.yaml", Settings(), library)
    source = signed.budget.sources[0]
    moved = source.model_copy(
        update={"fiscal_years": {2567: source.fiscal_years[2567] + 100_000, 2568: source.fiscal_years[2568] - 100_000}}
    )
    new = signed.model_copy(update={"budget": signed.budget.model_copy(update={"sources": [moved]})})
    found = amendment_problems(signed, new, dt.date(2024, 10, 15))  # fiscal year 2567 ended on 30 September 2024
    assert [en for _, en in found] == [
        "fiscal year 2567 ended on 30 September 2024, before the amendment's date: its money cannot be changed"
    ]
    assert amendment_problems(signed, new, dt.date(2024, 9, 1)) == []  # before its end it may change


def test_the_new_representative_makes_the_amendment_and_the_signed_parties_paragraph_stands(tmp_path):
    """DRAFTING (parties): the signed parties paragraph records who made the agreement that day; an amendment never
    cancels it. The new representative is named in the amendment's own opening, with the capacity they act in; a
    new representative alone is no amendment, and `mou amend` says why."""
    signed, new = specs(tmp_path, "th")
    only = yaml.safe_load(signed.read_text(encoding="utf-8"))
    del only["signed"]
    only["parties"]["partner"]["representative"]["name"] = "ศาสตราจารย์ ดร.ผู้แทน คนใหม่"
    (tmp_path / "only.yaml").write_text(yaml.safe_dump(only, allow_unicode=True, sort_keys=False), encoding="utf-8")
    alone = mou(
        "amend", signed, tmp_path / "only.yaml", "--out", tmp_path / "alone", "--date", "2024-08-01", "--no-pdf"
    )
    assert alone.returncode == 1 and "needs no amendment" in alone.stderr, alone.stderr
    assert "Traceback" not in alone.stderr and not list((tmp_path / "alone").glob("*.docx"))
    data = yaml.safe_load(new.read_text(encoding="utf-8"))
    data["parties"]["partner"]["representative"]["name"] = "ศาสตราจารย์ ดร.ผู้แทน คนใหม่"
    data["budget"]["lines"] = [
        {"item": "ค่าจ้างบุคลากรผู้ช่วยเหลือ", "amount": 1000000},
        {"item": "ค่าฝึกอบรมและวัสดุ", "amount": 250000},
    ]
    new.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = mou("amend", signed, new, "--out", tmp_path / "o", "--date", "2024-08-01", "--no-pdf")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(new.read_text(encoding="utf-8"))["amends"] == "signed-th"
    doc = Document(str(tmp_path / "o" / "signed-th.amendment-1.docx"))
    headings = [p.text.replace("\xa0", " ") for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert not any("คู่ภาคี" in h for h in headings), headings
    assert headings[1] == "ข้อ ๑ แก้ไขข้อ ๔ (งบประมาณและแหล่งที่มาของงบประมาณ)", headings
    text = "\n".join(p.text for p in doc.paragraphs).replace("\xa0", " ")
    assert "ส่วนคู่ภาคี" not in text  # nothing cancels the parties paragraph
    opening = next(p for p in text.split("\n") if p.startswith("บันทึกข้อตกลงแก้ไขเพิ่มเติมฉบับนี้ทำขึ้น"))
    assert "โดยศาสตราจารย์ ดร.ผู้แทน คนใหม่" in opening and "ปฏิบัติการแทนอธิการบดีมหาวิทยาลัยมหิดล" in opening
    # the budget clause is quoted whole: its table of lines inside the quotation, which closes after it
    body = doc.element.body
    kinds = [
        (child.tag.rsplit("}", 1)[1], "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        for child in body
    ]
    lines_table = next(i for i, (k, t) in enumerate(kinds) if k == "tbl" and "ค่าฝึกอบรมและวัสดุ" in t)
    before = [t for _, t in kinds[:lines_table] if t.strip()][-1]
    assert not before.strip().endswith("”"), before  # not closed before the table
    assert any(t.strip().endswith("”") for _, t in kinds[lines_table + 1 : lines_table + 4])  # but after it
    again = mou("amend", signed, new, "--out", tmp_path / "o2", "--date", "2024-08-01", "--no-pdf")
    assert again.returncode == 0 and new.read_text(encoding="utf-8").count("amends:") == 1


def test_a_replaced_clause_that_ends_with_a_table_is_quoted_around_it():
    from pipeline.documents.amendment import _renumbered
    from pipeline.render.document import Block, Section, Table

    table = Table("grid", ("a",), (1.0,), (("x",),))
    section = Section(
        "budget", "body", "ข้อ ๔ งบประมาณ", (Block("lead", "๔.๑ ตามตาราง ดังนี้", sub=True), Block("table", table=table))
    )
    blocks = _renumbered(section, "๔", "ข้อ ")
    assert blocks[0].text.startswith("“ข้อ ๔") and blocks[-2].kind == "table" and blocks[-1].text == "”"
    assert not any(b.text.endswith("”") for b in blocks[:-1])
