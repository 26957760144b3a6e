"""Issue 23: what falls due across the signed agreements — `mou obligations` lines, the delegator's money per Thai
fiscal year, the .ics calendar (RFC 5545, UIDs fixed by agreement, kind and number), amendments replacing the
obligations of the agreement they amend, and a spec that fails to load named while the others are listed."""

from __future__ import annotations

import re
import shutil

import yaml

from conftest import EXAMPLE_FILES, mou_run


def folder_of(tmp_path, signed: dict[str, str]):
    """The shared examples, those named in `signed` recorded as signed on that date."""
    for f in EXAMPLE_FILES:
        shutil.copy(f, tmp_path / f.name)
        if f.stem in signed:
            with open(tmp_path / f.name, "a", encoding="utf-8") as fh:
                fh.write(f"\nsigned:\n  date: {signed[f.stem]}\n")
    return tmp_path


def mou(*args):
    result = mou_run(*args)
    return result.returncode, result.stdout, result.stderr


def test_lines_of_the_signed_agreements_only_unless_drafts(tmp_path):
    folder = folder_of(tmp_path, {"universal-design-nonthaburi": "2024-06-10"})
    code, out, _ = mou("obligations", folder)
    assert code == 0
    lines = out.splitlines()
    assert lines and all("universal-design-nonthaburi" in line for line in lines)
    assert "๓๑ กรกฎาคม ๒๕๖๗  universal-design-nonthaburi  งวดเงินที่ ๑ / instalment 1  ๑,๒๐๐,๐๐๐.๐๐ บาท" in lines
    kinds = {
        k
        for k in (
            "งวดเงินที่ ๓",
            "การประเมินผลระยะกลาง ครั้งที่ ๒",
            "รายงานความก้าวหน้า ครั้งที่ ๗",
            "รายงานฉบับสมบูรณ์",
            "ลงนามข้อตกลงระดับการให้บริการ ปีที่ ๒",
            "สิ้นสุดระยะเวลาดำเนินการ",
        )
        if any(k in line for line in lines)
    }
    assert len(kinds) == 6, kinds
    # the SLA of year 2 is due 60 days (the setting) before year 1 ends on 30 June 2025
    assert any(line.startswith("๑ พฤษภาคม ๒๕๖๘") and "SLA of year 2" in line for line in lines)
    code, out, _ = mou("obligations", folder, "--drafts")
    assert "child-protection-commissioning" in out and "(ร่าง ยังไม่ลงนาม / draft, not signed)" in out
    assert all("draft" not in line for line in out.splitlines() if "universal-design-nonthaburi" in line)
    code, out, _ = mou("obligations", folder, "--from", "2025-01-01", "--to", "31/3/2568")
    assert out.splitlines() and all("๒๕๖๘" in line for line in out.splitlines())


def test_money_per_thai_fiscal_year(tmp_path):
    folder = folder_of(tmp_path, {"universal-design-nonthaburi": "2024-06-10", "inclusive-care": "2024-04-22"})
    code, out, _ = mou("obligations", folder, "--money")
    assert code == 0
    # FY 2567 ends 30 Sep 2024: 500,000 (care, May 2024) + 1,200,000 (design, July 2024); FY 2568 750,000 (care's
    # mid-term and final payments) + 1,200,000 (design's mid-term); FY 2569 design's final payment, August 2026
    assert out.splitlines() == ["2567  1,700,000.00", "2568  1,950,000.00", "2569  600,000.00"]
    code, out, _ = mou("obligations", folder, "--money", "--drafts")
    years = dict(line.split() for line in out.splitlines())
    assert years["2570"] == "2,000,000.00" and years["2571"] == "2,000,000.00"  # child protection: 2 M a year
    assert years["2569"] == "2,600,000.00"  # and design's final payment


def _events(ics: bytes) -> list[dict]:
    text = ics.decode("utf-8")
    assert "\r\n" in text and not re.search(r"[^\r]\n", text)  # CRLF line ends only
    raw = text.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in raw)  # folded at 75 octets
    unfolded = re.sub(r"\r\n ", "", text)
    events = []
    for block in re.findall(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT", unfolded, re.S):
        fields = {}
        for line in block.split("\r\n"):
            if line:
                key, _, value = line.partition(":")
                fields[key] = value
        events.append(fields)
    return events


def test_ics_events_with_uids_fixed_by_agreement_kind_and_number_and_amendments_move_them(tmp_path):
    folder = folder_of(tmp_path, {"universal-design-nonthaburi": "2024-06-10"})
    ics = tmp_path / "first.ics"
    code, out, _ = mou("obligations", folder, "--ics", ics)
    first = _events(ics.read_bytes())
    assert len(first) == len(out.splitlines()) and code == 0
    inst = next(e for e in first if e["UID"] == "universal-design-nonthaburi.instalment.2@mou-pipeline")
    assert inst["DTSTART;VALUE=DATE"] == "20250131" and inst["DTEND;VALUE=DATE"] == "20250201"
    assert inst["SUMMARY"].startswith("งวดเงินที่ ๒: ")
    assert "ตามข้อ " in inst["DESCRIPTION"] and "๑\\,๒๐๐\\,๐๐๐.๐๐ บาท" in inst["DESCRIPTION"]
    assert all(not re.search(r"\d{8}", e["UID"]) for e in first)  # never the date
    # an amendment, signed: the second instalment moves to 28 February 2025, under the same UID, a higher SEQUENCE
    data = yaml.safe_load((folder / "universal-design-nonthaburi.yaml").read_text(encoding="utf-8"))
    data.pop("signed")
    data["instalments"][1]["due"] = "2025-02-28"
    data["amends"] = "universal-design-nonthaburi"
    data["signed"] = {"date": "2024-12-01"}
    (folder / "universal-design-nonthaburi-amend-1.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    second = tmp_path / "second.ics"
    code, out, _ = mou("obligations", folder, "--ics", second)
    assert code == 0 and "amend" not in out  # named after the agreement it amends
    moved = next(e for e in _events(second.read_bytes()) if e["UID"] == inst["UID"])
    assert moved["DTSTART;VALUE=DATE"] == "20250228" and int(moved["SEQUENCE"]) > int(inst["SEQUENCE"])
    assert {e["UID"] for e in _events(second.read_bytes())} == {e["UID"] for e in first}
    # issue 32: the amendment's signing date corrected to an earlier day: the SEQUENCE stays (it counts the signed
    # amendments of the chain; days since 2000 made it fall, and calendars ignored the correction)
    data["signed"] = {"date": "2024-11-20"}
    (folder / "universal-design-nonthaburi-amend-1.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    third = tmp_path / "third.ics"
    assert mou("obligations", folder, "--ics", third)[0] == 0
    again = next(e for e in _events(third.read_bytes()) if e["UID"] == inst["UID"])
    assert int(again["SEQUENCE"]) >= int(moved["SEQUENCE"]) == 1


def test_a_spec_that_fails_to_load_is_named_and_the_others_still_listed(tmp_path):
    folder = folder_of(tmp_path, {"inclusive-care": "2024-04-22"})
    (folder / "broken.yaml").write_text("model: grant\ntitle: [unclosed\n", encoding="utf-8")
    code, out, err = mou("obligations", folder)
    assert code == 1 and "broken.yaml" in err and "Traceback" not in err
    assert "inclusive-care" in out
