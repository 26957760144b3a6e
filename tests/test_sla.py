"""Issue 11: the SLA of years 2, 3 … of a signed five-year agreement, each a document of its own that names the
agreement; the years follow each other with no gap or overlap."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
import yaml

from pipeline.documents.check import skeleton
from pipeline.render import pdftext

from conftest import assert_official_and_searchable, five_years
from conftest import mou_run as mou

MOU = [sys.executable, "-m", "pipeline.cli"]


def write(path, data):
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sla")
    spec = write(tmp / "design.yaml", five_years())
    agreement = mou("build", spec, "--out", tmp / "out")
    assert agreement.returncode == 0, agreement.stderr
    runs = {year: mou("sla", spec, "--year", year, "--out", tmp / "out") for year in range(2, 6)}
    return tmp, runs


def th(n: int) -> str:
    return "".join("๐๑๒๓๔๕๖๗๘๙"[int(c)] for c in str(n))


def pdf_text(path) -> str:
    return pdftext.pdf_text(path)


@pytest.mark.parametrize("year", [2, 3, 4, 5])
def test_each_later_year_is_its_own_document_naming_the_agreement(built, year):
    tmp, runs = built
    assert runs[year].returncode == 0, runs[year].stderr
    pdf = tmp / "out" / f"design.sla-{year}.pdf"
    text = pdf_text(pdf)
    first = skeleton(text.splitlines()[0])
    assert skeleton(f"ข้อตกลงระดับการให้บริการ (Service Level Agreement) ปีที่ {th(year)}") in first
    for words in (
        "ตามบันทึกข้อตกลงความร่วมมือ ลงวันที่ ๑๐ มิถุนายน ๒๕๖๗",
        "ศูนย์การพัฒนาเมืองอารยสถาปัตย์",
        f"ตั้งแต่วันที่ ๑ กรกฎาคม {th(2566 + year)} ถึงวันที่ ๓๐ มิถุนายน {th(2567 + year)}",
        f"สำรวจภายใน {th(16 - year)} วันทำการ",
    ):
        assert skeleton(words) in skeleton(text), words
    if year == 2:
        assert skeleton("ณ ศาลาว่าการเทศบาลนครนนทบุรี เมื่อวันที่ ๒๐ มิถุนายน ๒๕๖๘") in skeleton(text)
    else:
        assert "ณ ......" in text.replace("\ufeff", "")
    # how a service is measured, what follows a miss (money or a step behind the remedy), and in force until the next
    for words in (
        "ผลการให้บริการแต่ละรายการวัดเทียบกับมาตรฐานในตาราง",
        "ผู้มอบภารกิจอาจชะลอการจ่ายเงินงวดถัดไปไว้จนกว่าจะแก้ไขได้ตามแผน",
    ):
        assert skeleton(words) in skeleton(text), words
    until_next = skeleton("ให้ข้อตกลงฉบับนี้ใช้บังคับต่อไปจนกว่าจะได้ลงนามฉบับถัดไป") in skeleton(text)
    assert until_next == (year < 5), year  # the last year ends with the agreement
    # the agreement's signatories sign it, one copy each
    assert skeleton("เป็น ๒ ฉบับ") in skeleton(text) and text.count("ลงชื่อ") >= 2
    check = mou("validate", pdf)
    assert check.returncode == 0 and "sla" in check.stdout, check.stdout + check.stderr
    assert_official_and_searchable(pdf)
    # the agreement itself is not touched: it still holds the first year's SLA as its annex
    assert skeleton("ภาคผนวก") in skeleton(pdf_text(tmp / "out" / "design.pdf"))


def test_a_signed_date_that_is_not_the_agreements_own_is_a_warning(tmp_path):
    data = five_years()
    data["signed"]["date"] = dt.date(2024, 6, 20)
    result = mou("validate", write(tmp_path / "late.yaml", data))
    assert result.returncode == 0 and "warning" in result.stderr and "signed.date" in result.stderr, result.stderr


def test_a_gap_or_an_overlap_between_years_is_an_error(tmp_path):
    data = five_years()
    data["sla_renewals"][1]["start"] = dt.date(2026, 7, 2)  # year 3 a day late: a gap after year 2
    data["sla_renewals"][2]["start"] = dt.date(2027, 6, 1)  # year 4 a month early: an overlap with year 3
    result = mou("validate", write(tmp_path / "gap.yaml", data))
    assert result.returncode == 1
    assert "sla_renewals[1].start" in result.stderr and "a gap" in result.stderr
    assert "sla_renewals[2].start" in result.stderr and "an overlap" in result.stderr


def test_year_n_needs_a_signed_agreement_and_year_n_minus_1(tmp_path):
    spec = write(tmp_path / "unsigned.yaml", five_years(signed=False))
    unsigned = mou("sla", spec, "--year", 2, "--out", tmp_path / "o", "--no-pdf")
    assert unsigned.returncode == 1 and "signed" in unsigned.stderr
    data = five_years()
    data["sla_renewals"] = data["sla_renewals"][:2]
    spec = write(tmp_path / "short.yaml", data)
    later = mou("sla", spec, "--year", 5, "--out", tmp_path / "o", "--no-pdf")
    assert later.returncode == 1 and "year 3" in later.stderr and "Traceback" not in later.stderr
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_a_renewal_is_signed_before_it_starts(tmp_path):
    data = five_years()
    data["sla_renewals"][0]["signing"]["date"] = dt.date(2025, 7, 15)  # after year 2 began on 1 July 2025
    result = mou("validate", write(tmp_path / "late-sla.yaml", data))
    assert result.returncode == 1 and "sla_renewals[0].signing.date" in result.stderr, result.stderr
