import pytest

from pipeline.documents.agreement import assemble
from pipeline.documents.check import load_spec
from pipeline.errors import DocumentError
from pipeline.spec.settings import Settings

INJECTION = ["{{ 7*7 }}", "{% if true %}yes{% endif %}", "<w:p>", "A & B"]


def agreement(write_spec, library, data, settings=None):
    _, spec = load_spec(write_spec(data), settings or Settings(), library)
    return assemble(spec, settings or Settings(), library)


def all_text(a):
    """Every text of an agreement, no-break spaces (dates, "ข้อ ๕") read as spaces."""
    return "\n".join(
        [s.heading for s in a.sections]
        + [b.text for s in a.sections for b in s.blocks]
        + [c for s in a.sections for b in s.blocks if b.table for r in b.table.rows for c in r]
    ).replace("\u00a0", " ")


def test_values_are_data_not_template(write_spec, library, example_data):
    data = example_data("elderly-database-grant-en")
    data["objectives"] = INJECTION
    data["clauses"] = {"extra": [{"title": "Odd {{ title }}", "text": "{{ 7*7 }} & <w:p>"}]}
    text = all_text(agreement(write_spec, library, data))
    for value in INJECTION + ["Odd {{ title }}", "{{ 7*7 }} & <w:p>"]:
        assert value in text
    assert "49" not in text


def test_thai_document_has_only_thai_digits(write_spec, library, example_data):
    data = example_data("child-protection-commissioning")
    text = all_text(agreement(write_spec, library, data))
    assert not any(ch.isascii() and ch.isdigit() for ch in text)
    assert "๙,๐๐๐,๐๐๐ บาท (เก้าล้านบาทถ้วน)" in text
    assert "ข้อ ๑ วัตถุประสงค์" in text


def test_sections_in_order_and_numbered(write_spec, library, example_data):
    a = agreement(write_spec, library, example_data("inclusive-care"))
    ids = a.section_ids()
    # the preamble's closing formula ("…โดยมีข้อความดังต่อไปนี้") stands right before ข้อ ๑, which it introduces
    assert ids[:4] == ["parties", "legal_basis", "background", "objectives"]
    assert ids.index("signatures") < ids.index("annex_indicators") < ids.index("annex_sla")
    body = [s.heading for s in a.sections if s.part == "body"]
    assert [h.split()[1] for h in body] == [str(n) for n in range(1, len(body) + 1)] or body[0].startswith("ข้อ ๑")


def test_include_exclude_extra(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    data["clauses"] = {
        "include": ["confidentiality"],
        "exclude": ["intellectual_property"],
        "extra": [{"title": "ข้อกำหนดพิเศษ", "text": "ข้อความพิเศษ"}],
    }
    a = agreement(write_spec, library, data)
    ids = a.section_ids()
    assert "confidentiality" in ids and "intellectual_property" not in ids
    # custom clauses: after the substantive clauses, before the general ones (annexes, amendment, termination, disputes)
    assert ids.index("extra") == min(ids.index(g) for g in ("annexes", "amendment") if g in ids) - 1
    assert "confidentiality" in a.clauses and "intellectual_property" not in a.clauses


def test_optional_sections_follow_the_data(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    del data["personal_data"]
    del data["indicators"]
    a = agreement(write_spec, library, data)
    assert "personal_data" not in a.section_ids() and "annex_indicators" not in a.section_ids()
    assert "grant_conditions" in a.section_ids() and "annex_sla" not in a.section_ids()


def test_instalment_amounts_from_percent(write_spec, library, example_data):
    a = agreement(write_spec, library, example_data("inclusive-care"))
    table = next(b.table for s in a.sections if s.id == "instalments" for b in s.blocks if b.table)
    assert [r[1:3] for r in table.rows] == [
        ("๕๐๐,๐๐๐", "๔๐"),
        ("๕๐๐,๐๐๐", "๔๐"),
        ("๒๕๐,๐๐๐", "๒๐"),
    ]  # ร้อยละ in its own column
    assert table.total[:3] == ("รวม", "๑,๒๕๐,๐๐๐", "๑๐๐") and table.aligns[1] == "right"


def test_arabic_digit_setting(write_spec, library, example_data):
    a = agreement(write_spec, library, example_data("inclusive-care"), Settings(digits="arabic"))
    assert "1,250,000" in all_text(a)


def test_library_that_drops_a_required_section_fails(tmp_path, write_spec, example_data):
    import shutil

    from pipeline.library.clauses import load_library

    root = tmp_path / "lib"
    shutil.copytree(library_root(), root, ignore=shutil.ignore_patterns(".venv", ".git", "out", "tests"))
    (root / "clauses" / "disputes.yaml").unlink()
    lib = load_library(root)
    with pytest.raises(DocumentError, match="disputes"):
        agreement(write_spec, lib, example_data("inclusive-care"))


def library_root():
    from pipeline.library.clauses import PROJECT_ROOT

    return PROJECT_ROOT


def test_budget_lines_are_a_table_that_adds_up(write_spec, library, example_data):
    """budget.lines (issue 20): printed as a table in the budget clause, its total the delegator's money."""
    data = example_data("elderly-database-grant")
    data["budget"]["lines"] = [
        {"item": "ค่าจ้างเก็บข้อมูลภาคสนาม", "amount": 200000, "fiscal_year": 2568},
        {"item": "ค่าพัฒนาระบบฐานข้อมูล", "amount": 100000},
        {"item": "ค่าประชุม", "amount": 50000},
    ]
    a = agreement(write_spec, library, data)
    budget = next(s for s in a.sections if s.id == "budget")
    table = next(b.table for b in budget.blocks if b.table and "รายการ" in b.table.headers)
    assert [r[1] for r in table.rows] == [line["item"] for line in data["budget"]["lines"]]
    assert table.rows[0][3] == "๒๐๐,๐๐๐" and table.total[3] == "๓๕๐,๐๐๐"
    data["budget"].pop("lines")
    assert not any(
        b.table and "รายการ" in b.table.headers
        for b in next(s for s in agreement(write_spec, library, data).sections if s.id == "budget").blocks
    )


def test_instalments_in_percent_are_rounded_and_add_up(write_spec, library, example_data):
    """Three thirds of 1,000,000: 333,333.33 twice and the remainder 333,333.34; the text says how."""
    data = example_data("elderly-database-grant")
    data["budget"]["total"] = 1_000_000
    data["budget"]["sources"][0]["amount"] = 1_000_000
    data["budget"].pop("lines", None)
    third = "33.333333333333333333"
    data["instalments"] = [
        {"percent": third, "due": "2025-02-15", "after": "signing"},
        {"percent": third, "due": "2025-04-15", "after": "signing"},
        {"percent": "33.333333333333333334", "due": "2025-06-15", "after": "signing"},
    ]
    text = all_text(agreement(write_spec, library, data))
    assert text.count("๓๓๓,๓๓๓.๓๓ บาท") >= 2 and "๓๓๓,๓๓๓.๓๔ บาท" in text
    assert "งวดสุดท้ายเป็นเงินส่วนที่เหลือ" in text


def test_a_share_reads_ร้อยละ_before_its_number(write_spec, library, example_data):
    """ "ร้อยละ ๘๕", never "๘๕ ร้อยละ" (issue 20): in the indicators' annex as in the instalments."""
    import re

    data = example_data("universal-design-nonthaburi")
    text = all_text(agreement(write_spec, library, data))
    assert not re.search(r"[๐-๙][ \u00a0]+ร้อยละ", text), re.findall(r".{20}[๐-๙][ \u00a0]+ร้อยละ.{10}", text)
    assert "ร้อยละ ๘๕" in text
