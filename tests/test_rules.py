"""One bad spec per rule of SPEC.md §2: each problem names file, line, field, and says it in Thai and English."""

import datetime as dt

import pytest

from pipeline.documents.check import load_spec
from pipeline.errors import SpecError
from pipeline.spec.settings import Settings

from conftest import EXAMPLE_FILES, problems


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_examples_pass(path, library, settings):
    load_spec(path, settings, library)


def test_every_problem_at_once_with_lines(write_spec, library):
    text = (
        EXAMPLE_FILES[0]
        .read_text(encoding="utf-8")
        .replace("model: commissioning", "model: comissioning")
        .replace("copies: 3", "copies: 3\ncopise: 2")
        .replace("  start: 2025-10-01\n  end: 2028-09-30", "  start: 2025-10-01\n  end: 2028-02-30")
    )
    path = write_spec(text)
    found = problems(path, library)
    assert set(found) == {"model", "copise", "term.end"}
    lines = text.splitlines()
    assert lines[found["copise"].line - 1].startswith("copise")
    assert lines[found["model"].line - 1].startswith("model")
    assert "YYYY-MM-DD" in found["term.end"].en
    assert {p.rule for p in found.values()} == {""}  # the YAML and the types refuse these, before any rule


def test_duplicate_key(write_spec, library):
    text = EXAMPLE_FILES[0].read_text(encoding="utf-8").replace("copies: 3", "copies: 3\ncopies: 4")
    assert "duplicate" in problems(write_spec(text), library)["copies"].en
    assert problems(write_spec(text), library)["copies"].rule == ""  # the YAML reader


def test_unknown_nested_key_and_enum(write_spec, library, example_data):
    data = example_data("inclusive-care")
    data["parties"]["partner"]["kind"] = "ngo"
    data["budget"]["sources"][0]["amout"] = 5
    found = problems(write_spec(data), library)
    assert "parties.partner.kind" in found and "budget.sources[0].amout" in found
    assert found["parties.partner.kind"].rule == found["budget.sources[0].amout"].rule == ""  # the types


def test_term_and_signing_dates(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    data["signing"]["date"] = dt.date(2025, 3, 1)
    data["term"]["end"] = dt.date(2025, 1, 31)
    found = problems(write_spec(data), library)
    assert "signing.date" in found and "term.end" in found
    assert found["signing.date"].rule == found["term.end"].rule == "dates.check"


def test_dates_within_term(write_spec, library, example_data):
    data = example_data("child-protection-commissioning")
    data["instalments"][0]["due"] = dt.date(2029, 1, 1)
    data["instalments"][1]["due"] = dt.date(2029, 2, 1)
    data["instalments"][2]["due"] = dt.date(2029, 3, 1)
    data["evaluation"]["midterm"] = dt.date(2024, 1, 1)
    data["action_plan"][0]["end"] = dt.date(2030, 1, 1)
    data["sla"]["start"] = dt.date(2025, 1, 1)
    found = problems(write_spec(data), library)
    assert found["evaluation.midterm"].rule == found["action_plan[0].end"].rule == "dates.check"
    assert found["sla.start"].rule == "sla.periods" and "dates.check" in found["instalments[0].due"].rule


def test_budget_sources_must_add_up(write_spec, library, example_data):
    data = example_data("universal-design-nonthaburi")
    data["budget"]["sources"][1]["amount"] = 500000
    assert "budget.sources" in problems(write_spec(data), library)
    assert problems(write_spec(data), library)["budget.sources"].rule == "money.check"


def test_negative_amount(write_spec, library, example_data):
    data = example_data("universal-design-nonthaburi")
    data["budget"]["sources"][1]["amount"] = -600000
    assert "budget.sources[1].amount" in problems(write_spec(data), library)
    assert problems(write_spec(data), library)["budget.sources[1].amount"].rule == ""  # the types: ge=0


def test_instalments_percent_and_amount(write_spec, library, example_data):
    data = example_data("inclusive-care")
    data["instalments"][1]["percent"] = 50
    assert "instalments" in problems(write_spec(data), library)
    data = example_data("universal-design-nonthaburi")
    data["instalments"][2]["amount"] = 700000
    assert "not to the 3,000,000" in problems(write_spec(data), library)["instalments"].en
    assert problems(write_spec(data), library)["instalments"].rule == "money.check"


def test_performance_rules(write_spec, library, example_data):
    data = example_data("inclusive-care")
    data["instalments"] = [{"percent": 100, "due": dt.date(2024, 5, 31), "condition": "x"}]
    del data["evaluation"]["midterm"]
    data["indicators"] = []
    found = problems(write_spec(data), library)
    assert "at least two instalments" in found["instalments"].en
    assert "evaluation.midterm" in found and "indicators" in found
    assert found["instalments"].rule == found["evaluation.midterm"].rule == "evaluations.performance"
    assert found["indicators"].rule == "document.sections"  # the indicators annex is required


def test_later_instalment_tied_to_evaluation(write_spec, library, example_data):
    data = example_data("inclusive-care")
    data["evaluation"]["midterm"] = dt.date(2024, 12, 31)  # after the instalment that waits for it
    assert "before the mid-term evaluation" in problems(write_spec(data), library)["instalments[1].after"].en
    data = example_data("inclusive-care")
    data["instalments"][1] = {"percent": 60, "due": dt.date(2024, 11, 30), "condition": "เมื่อส่งรายงาน"}
    assert (
        "tied to an evaluation" in problems(write_spec(data), library)["instalments[1].after"].en
    )  # named by its field
    assert problems(write_spec(data), library)["instalments[1].after"].rule == "evaluations.performance"


def test_commissioning_rules(write_spec, library, example_data):
    data = example_data("child-protection-commissioning")
    data["joint_committee"]["members"] = [
        m for m in data["joint_committee"]["members"] if m["party"] != "partner" and m["role"] != "chair"
    ]
    data["joint_committee"]["members"] = [dict(m, role="member") for m in data["joint_committee"]["members"]]
    data["action_plan"] = []
    data["legal_basis"] = []
    found = problems(write_spec(data), library)
    msgs = [p.en for p in found.values()]
    assert (
        any("from the partner" in m for m in msgs)
        and any("needs a chair" in m for m in msgs)
        and any("needs a secretary" in m for m in msgs)
    )
    assert "action_plan" in found and "legal_basis" in found
    assert found["joint_committee.members"].rule.split(" | ") == ["committee.check"] * 3
    assert found["action_plan"].rule == found["legal_basis"].rule == "document.sections"


def test_commissioning_needs_joint_committee_and_secretariat(write_spec, library, example_data):
    data = example_data("child-protection-commissioning")
    del data["joint_committee"]["secretariat"]
    assert "joint_committee.secretariat" in problems(write_spec(data), library)
    data = example_data("child-protection-commissioning")
    del data["joint_committee"]
    assert "joint_committee" in problems(write_spec(data), library)
    assert problems(write_spec(data), library)["joint_committee"].rule == "document.sections"


def test_sla_required_by_threshold_and_term(write_spec, library, example_data):
    data = example_data("universal-design-nonthaburi")
    del data["sla"]
    assert "sla" in problems(write_spec(data), library)
    assert problems(write_spec(data), library)["sla"].rule == "sla.check"
    # Below the threshold in the settings the SLA is not required.
    load_spec(write_spec(data), Settings(sla_threshold=10_000_000), library)


def test_sla_at_most_twelve_months_and_complete(write_spec, library, example_data):
    data = example_data("universal-design-nonthaburi")
    data["sla"]["end"] = dt.date(2025, 12, 31)
    assert "at most 12 months" in problems(write_spec(data), library)["sla.end"].en
    assert problems(write_spec(data), library)["sla.end"].rule == "sla.periods"
    # Type problems are all reported together; the date rules run once the spec is well-typed.
    data = example_data("universal-design-nonthaburi")
    data["sla"]["services"][0].pop("standard")
    data["sla"]["escalation"] = []
    data["sla"]["leads"].pop("partner")
    found = problems(write_spec(data), library)
    for field in ("sla.services[0].standard", "sla.escalation", "sla.leads.partner"):
        assert field in found, field


def test_indicator_fields(write_spec, library, example_data):
    data = example_data("inclusive-care")
    for key in ("target", "frequency", "data_source", "responsible"):
        data["indicators"][0].pop(key)
    found = problems(write_spec(data), library)
    for key in ("target", "frequency", "data_source", "responsible"):
        assert f"indicators[0].{key}" in found
    for key in ("target", "frequency", "data_source", "responsible"):
        assert f"indicators[0].{key}" in found
        assert found[f"indicators[0].{key}"].rule == ""  # the types: required fields


def test_personal_data(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    data["personal_data"] = {"involved": True}
    found = problems(write_spec(data), library)
    assert {"personal_data.categories", "personal_data.purpose", "personal_data.retention"} <= set(found)
    assert {found[k].rule for k in ("personal_data.categories", "personal_data.purpose")} == {"document.personal_data"}


def test_clause_choices(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    data["clauses"] = {"include": ["no_such_clause"], "exclude": ["grant_refund", "disputes"]}
    found = problems(write_spec(data), library)
    assert {"clauses.include[0]", "clauses.exclude[0]", "clauses.exclude[1]"} <= set(found)
    assert found["clauses.include[0]"].rule == "document.sections"


def test_settings_file_overrides(tmp_path):
    from pipeline.spec.settings import load_settings

    path = tmp_path / "settings.yaml"
    path.write_text("sla_threshold: 100000\nsla_min_term_months: 24\n")
    s = load_settings(path)
    assert s.sla_threshold == 100000 and s.sla_min_term_months == 24 and s.digits == "thai"
    path.write_text("sla_treshold: 1\n")
    with pytest.raises(SpecError):
        load_settings(path)


def test_screening_is_accepted(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    data["screening"] = {"mission": "project", "time_bound": True, "routine": False}
    load_spec(write_spec(data), Settings(), library)


# --- Issue 8: what a legal officer catches -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed_date, meant", [("0068-03-01", "2025-03-01"), ("2568-03-01", "2025-03-01"), ("1900-01-01", None)]
)
def test_impossible_years(write_spec, library, typed_date, meant):
    text = EXAMPLE_FILES[0].read_text(encoding="utf-8").replace("  date: 2025-09-15", f"  date: {typed_date}")
    found = problems(write_spec(text), library)
    assert set(found) == {"signing.date"}
    assert found["signing.date"].rule == ""  # the types: a date the spec cannot hold
    if meant:
        assert meant in found["signing.date"].en and meant in found["signing.date"].th
    else:
        assert "1957-01-01" in found["signing.date"].en
    if typed_date.startswith("2568"):
        assert "Buddhist-Era" in found["signing.date"].en and "พุทธศักราช" in found["signing.date"].th


def test_one_fiscal_year_cannot_pay_a_later_instalment(write_spec, library, example_data):
    data = example_data("inclusive-care")
    data["budget"]["sources"][0].pop("fiscal_years")
    data["budget"]["sources"][0]["fiscal_year"] = 2567
    found = problems(write_spec(data), library)
    assert set(found) == {"instalments[1].due"}
    assert found["instalments[1].due"].rule == "money.check"  # its fiscal years
    assert "fiscal year 2568" in found["instalments[1].due"].en and "750,000" in found["instalments[1].due"].en


def test_fiscal_years_add_up_to_the_source(write_spec, library, example_data):
    data = example_data("universal-design-nonthaburi")
    data["budget"]["sources"][0]["fiscal_years"] = {2567: 1200000, 2568: 1700000}
    found = problems(write_spec(data), library)
    assert "not to the source's amount 3,000,000" in found["budget.sources[0].fiscal_years"].en
    assert found["budget.sources[0].fiscal_years"].rule == "money.check"


def test_fiscal_year_must_be_buddhist_era(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    data["budget"]["sources"][0]["fiscal_year"] = 2025
    assert "Buddhist-Era" in problems(write_spec(data), library)["budget.sources[0].fiscal_year"].en
    assert problems(write_spec(data), library)["budget.sources[0].fiscal_year"].rule == "money.check"


def test_unit_cost_must_explain_the_total(write_spec, library, example_data):
    data = example_data("universal-design-nonthaburi")
    data["budget"]["unit_cost"]["amount"] = 25000  # the old example: 25,000 x 120 = 3,000,000 of 3,600,000
    assert "3,000,000, not budget.total 3,600,000" in problems(write_spec(data), library)["budget.unit_cost"].en
    assert problems(write_spec(data), library)["budget.unit_cost"].rule == "money.check"
    # 4,166.67 x 300 = 1,250,001: inexact only by the rounding of the unit amount, so accepted (the text says เฉลี่ย).
    load_spec(EXAMPLE_FILES[3], Settings(), library)


def test_payment_waits_for_a_scheduled_evaluation(write_spec, library, example_data):
    data = example_data("universal-design-nonthaburi")
    data["evaluation"]["midterm"] = [dt.date(2025, 1, 15)]
    data["instalments"][1]["after"] = "midterm 2"  # one mid-term scheduled, the payment waits for a second
    found = problems(write_spec(data), library)
    assert "mid-term evaluation 2, which evaluation does not schedule" in found["instalments[1].after"].en
    assert found["instalments[1].after"].rule == "evaluations.payments_wait"
    data = example_data("child-protection-commissioning")
    data["instalments"][1] = {
        "amount": 2000000,
        "due": dt.date(2026, 10, 31),
        "condition": "เมื่อผ่านการประเมินผลประจำปีที่ 3",
    }
    assert "yearly evaluation 3" in problems(write_spec(data), library)["instalments[1].condition"].en
    found = problems(write_spec(data), library)
    assert found["instalments[1].condition"].rule == "evaluations.payments_wait"
    assert found["indicators[0].steps"].rule == "evaluations.steps"  # no target for the evaluation it waits for
    data = example_data("child-protection-commissioning")
    data["instalments"][1]["after"] = "quarterly"
    assert "use signing, midterm" in problems(write_spec(data), library)["instalments[1].after"].en
    assert problems(write_spec(data), library)["instalments[1].after"].rule == ""  # the types: no such evaluation


def test_copies_for_the_signatories(write_spec, library, example_data):
    data = example_data("inclusive-care")
    data["copies"] = 3  # the old example's fault: three copies, two signatories, the third copy's keeper unnamed
    assert "copies_kept_by must name" in problems(write_spec(data), library)["copies"].en
    assert problems(write_spec(data), library)["copies"].rule == "parties.copies"
    data["copies_kept_by"] = ["สถาบันแห่งชาติเพื่อการพัฒนาเด็กและครอบครัว"]
    load_spec(write_spec(data), Settings(), library)
    data = example_data("child-protection-commissioning")  # three signatories (a supporter signs)
    data["copies"] = 2
    assert "at least the number of signatories (3)" in problems(write_spec(data), library)["copies"].en


def test_supporters_are_named_where_there_are_several(write_spec, library, example_data):
    data = example_data("child-protection-commissioning")
    data["budget"]["sources"][2].pop("supporter")
    data["action_plan"][3]["responsible"] = "supporters"  # the shared example gave this task to the partner
    data["action_plan"][3]["supporter"] = "มหาวิทยาลัยอื่น"
    data["roles"]["supporters"] = ["ร่วมทีมสหวิชาชีพ"]
    data["parties"]["supporters"][0].pop("representative")
    found = problems(write_spec(data), library)
    assert "say which with supporter" in found["budget.sources[2]"].en
    assert "is not in parties.supporters" in found["action_plan[3].supporter"].en
    assert "per supporter name" in found["roles.supporters"].en
    assert "needs a representative" in found["parties.supporters[0].representative"].en
    assert {p.rule for p in found.values()} == {"parties.supporters"}


def test_warnings_and_strict(write_spec, library, example_data):
    """A CSO partner without its registration: a warning (the build goes on); --strict makes it an error."""
    from pipeline.documents.check import check_spec

    data = example_data("child-protection-commissioning")
    data["parties"]["partner"]["kind"] = "cso"
    data["parties"]["partner"].pop("registration", None)
    data["parties"]["partner"].pop("part_of", None)
    path = write_spec(data)
    checked = check_spec(path, Settings(), library)
    assert {w.field for w in checked.warnings} == {"parties.partner.registration"}
    for w in checked.warnings:
        assert w.line and any("\u0e00" <= ch <= "\u0e7f" for ch in w.th) and w.en
    with pytest.raises(SpecError) as err:
        check_spec(path, Settings(), library, strict=True)
    assert {p.field for p in err.value.problems} == {"parties.partner.registration"}


# -- what a government lawyer found missing (issue 20): one spec that breaks each rule, one that satisfies it --------


def test_children_among_the_users_need_the_safeguarding_clause(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    data["scope"]["target_group"] = "ผู้สูงอายุและเด็กในครอบครัว"
    data["scope"].pop("vulnerable_users", None)
    found = problems(write_spec(data), library)
    assert "scope.vulnerable_users: true" in found["scope.vulnerable_users"].en
    assert "scope.vulnerable_users" in found["scope.vulnerable_users"].th
    assert found["scope.vulnerable_users"].rule == "scope.safeguarding"
    data["scope"]["vulnerable_users"] = True
    load_spec(write_spec(data), Settings(), library)
    en = example_data("elderly-database-grant-en")
    en["scope"].pop("vulnerable_users", None)
    en["scope"]["activities"][0]["name"] = "Visits with students of the local school"
    assert "children or youth" in problems(write_spec(en), library)["scope.vulnerable_users"].en
    en["scope"]["vulnerable_users"] = True
    load_spec(write_spec(en), Settings(), library)
    en["scope"].pop("vulnerable_users")
    en["scope"]["activities"][0]["name"] = "Studentship records"  # not the whole word
    en["objectives"][0] = "Survey and record older persons in the pilot area"  # (older persons who need protection are)
    load_spec(write_spec(en), Settings(), library)


def test_a_unit_is_bound_through_its_juristic_person(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    partner = data["parties"]["partner"]
    partner.update(name="ศูนย์วิจัยผู้สูงอายุ", kind="academic")
    partner.pop("part_of", None)
    partner.pop("registration", None)
    found = problems(write_spec(data), library)
    assert "part_of" in found["parties.partner.part_of"].en and "juristic person" in found["parties.partner.part_of"].en
    assert found["parties.partner.part_of"].rule == "parties.bound"
    partner["part_of"] = "มหาวิทยาลัยขอนแก่น"
    load_spec(write_spec(data), Settings(), library)
    partner.pop("part_of")
    partner["registration"] = "จัดตั้งตามพระราชบัญญัติมหาวิทยาลัยขอนแก่น พ.ศ. ๒๕๕๘"
    load_spec(write_spec(data), Settings(), library)


@pytest.mark.parametrize(
    "position, needs",
    [
        ("รองอธิบดี", True),
        ("ผู้ช่วยผู้อำนวยการ", True),
        ("ผู้อำนวยการ รักษาราชการแทนอธิบดี", True),
        ("ผู้รับมอบอำนาจ", True),
        ("ผู้อำนวยการศูนย์คุ้มครองเด็ก", False),  # คุ้มครอง holds รอง inside a word
        ("อธิบดี", False),
    ],
)
def test_who_signs_for_another_shows_the_authority(write_spec, library, example_data, position, needs):
    data = example_data("elderly-database-grant")
    delegator = data["parties"]["delegator"]  # government: only a deputy or delegate needs it
    delegator["representative"]["position"] = position
    delegator.pop("authority", None)
    if needs:
        assert (
            "signs for another or as a deputy" in problems(write_spec(data), library)["parties.delegator.authority"].en
        )
        assert problems(write_spec(data), library)["parties.delegator.authority"].rule == "parties.authority"
    else:
        load_spec(write_spec(data), Settings(), library)


def test_authority_in_english_and_for_a_non_government_partner(write_spec, library, example_data):
    data = example_data("elderly-database-grant-en")
    data["parties"]["delegator"]["representative"]["position"] = "Acting Director-General"
    data["parties"]["delegator"].pop("authority", None)
    data["parties"]["partner"].pop("authority", None)
    found = problems(write_spec(data), library)
    assert "deputy" in found["parties.delegator.authority"].en
    assert found["parties.delegator.authority"].rule == "parties.authority"
    if data["parties"]["partner"]["kind"] != "government":
        assert "not a government body" in found["parties.partner.authority"].en


def test_payment_on_passing_an_evaluation_needs_pass_criteria(write_spec, library, example_data):
    data = example_data("inclusive-care")
    data["evaluation"].pop("pass_criteria", None)
    found = problems(write_spec(data), library)
    assert "evaluation.pass_criteria" in found["evaluation.pass_criteria"].en
    assert found["evaluation.pass_criteria"].rule == "evaluations.pass_criteria"
    data["evaluation"]["pass_criteria"] = "ผลการดำเนินงานตามตัวชี้วัดไม่ต่ำกว่าร้อยละ ๘๐ ของค่าเป้าหมาย"
    load_spec(write_spec(data), Settings(), library)


def test_a_supporter_that_does_not_sign_gives_no_money(write_spec, library, example_data):
    data = example_data("child-protection-commissioning")
    funder = next(
        s["supporter"] for s in data["budget"]["sources"] if s["provider"] == "supporters" and s.get("supporter")
    )
    for s in data["parties"]["supporters"]:
        if s["name"] == funder:
            s["signs"] = False
    data["copies"] = data.get("copies", 3)
    found = problems(write_spec(data), library)
    assert any("cannot provide money" in p.en for p in found.values()), found
    assert found["budget.sources[2]"].rule == "parties.named_parties"


def test_budget_lines_add_up_to_the_delegators_money(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    money = sum(s["amount"] for s in data["budget"]["sources"] if s["provider"] == "delegator")
    data["budget"]["lines"] = [{"item": "ค่าจ้างสำรวจ", "amount": money - 1000}, {"item": "ค่าวัสดุ", "amount": 999}]
    assert "budget lines add up to" in problems(write_spec(data), library)["budget.lines"].en
    assert problems(write_spec(data), library)["budget.lines"].rule == "money.budget_lines"
    data["budget"]["lines"][1]["amount"] = 1000
    load_spec(write_spec(data), Settings(), library)
    # per fiscal year, when every line gives one: 2569 is not a year of the delegator's money
    year = data["budget"]["sources"][0].get("fiscal_year", 2568)
    data["budget"]["lines"][0]["fiscal_year"] = year
    data["budget"]["lines"][1]["fiscal_year"] = year + 1
    if data["budget"]["sources"][0].get("fiscal_year"):
        data["budget"]["sources"][0].pop("fiscal_year")
        data["budget"]["sources"][0]["fiscal_years"] = {year: money - 2000, year + 1: 2000}
        assert "fiscal year" in problems(write_spec(data), library)["budget.lines"].en


def test_sla_follows_the_manual(write_spec, library, example_data):
    data = example_data("elderly-database-grant")
    data["sla"] = example_data("inclusive-care")["sla"] | {"start": dt.date(2025, 2, 1), "end": dt.date(2025, 7, 31)}
    assert "a grant carries no SLA" in problems(write_spec(data), library)["sla"].en
    assert problems(write_spec(data), library)["sla"].rule == "sla.check"
    data = example_data("child-protection-commissioning")  # commissioning with vulnerable users: required (issue 30)
    del data["sla"]
    assert "sla" in problems(write_spec(data), library)
