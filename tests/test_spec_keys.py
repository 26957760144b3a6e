"""The keys SPEC §1 added for the third reading (steps, acting_for, accounts, lawful basis, partner's role,
carry-over) load, and the §2 rules that came with them: the final evaluation and the payment that waits for it after
the term, targets for every evaluation a payment waits to pass, and a signed spec that only warns."""

from pipeline.api import check_spec
from pipeline.documents.check import load_spec

from conftest import problems


def test_new_keys_load(write_spec, library, settings, example_data):
    data = example_data("inclusive-care")
    data["parties"]["delegator"]["representative"]["acting_for"] = "อธิบดีกรมกิจการเด็กและเยาวชน"
    data["personal_data"] = {
        "involved": True,
        "categories": ["ชื่อ"],
        "purpose": "ติดตามพัฒนาการ",
        "retention": "๕ ปีนับแต่สิ้นสุดบันทึกข้อตกลง",
        "lawful_basis": "มาตรา ๒๔ (๔)",
        "partner_role": "processor",
    }
    data["budget"]["carry_over"] = True
    _, spec = load_spec(write_spec(data), settings, library)
    assert spec.parties.partner.representative.acting_for == "อธิการบดีมหาวิทยาลัยมหิดล"
    assert spec.parties.partner.account.number == "333-2-22222-1"
    assert spec.indicators[0].steps[0].at == "midterm"
    assert spec.personal_data.partner_role == "processor" and spec.budget.carry_over


def test_unknown_role_and_step(write_spec, library, example_data):
    data = example_data("inclusive-care")
    data["personal_data"] = {"involved": False, "partner_role": "owner"}
    data["indicators"][0]["steps"] = [{"at": "midway", "target": 3}]
    found = problems(write_spec(data), library)
    assert "personal_data.partner_role" in found and "indicators[0].steps[0].at" in found


def test_final_evaluation_after_the_term(write_spec, library, settings, example_data):
    # inclusive-care: term ends 2025-04-30, final report due 2025-05-30, final evaluation 2025-06-15, paid 2025-06-30
    load_spec(write_spec(example_data("inclusive-care")), settings, library)
    data = example_data("inclusive-care")
    data["evaluation"]["final"] = "2025-09-01"  # 124 days after the term
    data["instalments"][2]["due"] = "2025-09-10"
    assert "120" in problems(write_spec(data), library)["evaluation.final"].en
    data = example_data("inclusive-care")
    data["evaluation"]["final"] = "2025-05-10"
    data["instalments"][2]["due"] = "2025-05-20"  # before the final report is due
    assert "final report" in problems(write_spec(data), library)["instalments[2].due"].en
    data = example_data("inclusive-care")
    data["instalments"][1]["due"] = "2025-05-31"  # waits for the mid-term, not the final: inside the term only
    assert "within the term" in problems(write_spec(data), library)["instalments[1].due"].en


def test_carry_over_counts_in_the_terms_last_year(write_spec, library, settings, example_data):
    # universal-design: FY 2569 holds 600,000; the last 20 % (600,000 of 3,000,000) waits for the final evaluation
    data = example_data("universal-design-nonthaburi")
    data["term"]["end"] = "2026-09-20"  # FY 2569
    data["evaluation"]["final"] = "2026-11-20"
    data["instalments"][2]["due"] = "2026-11-30"  # FY 2570, no money that year
    assert "2570" in problems(write_spec(data), library)["instalments[2].due"].en
    data["budget"]["carry_over"] = True
    load_spec(write_spec(data), settings, library)


def test_targets_for_every_evaluation_a_payment_waits_for(write_spec, library, example_data):
    data = example_data("universal-design-nonthaburi")
    del data["indicators"][1]["steps"]
    found = problems(write_spec(data), library)
    assert "midterm 1" in found["indicators[1].steps"].en
    data = example_data("inclusive-care")
    data["instalments"][1] = {"percent": 40, "due": "2024-11-30", "condition": "เมื่อผ่านการประเมิน"}
    data["indicators"][0]["steps"] = [{"at": "yearly 1", "target": 30}]
    found = problems(write_spec(data), library)  # no particular evaluation: the latest before the due date
    assert "midterm" in found["indicators[0].steps"].en and "indicators[1].steps" not in found


def test_a_signed_spec_warns_on_later_rules(tmp_path, write_spec, library, settings, example_data):
    data = example_data("inclusive-care")
    del data["indicators"][0]["steps"]
    data["signed"] = {"date": "2024-04-22"}
    checked = check_spec(write_spec(data), settings, library)
    assert any(w.field == "indicators[0].steps" for w in checked.warnings)
    data["budget"]["total"] = 1  # sums stay errors
    assert "budget.sources" in problems(write_spec(data), library)


def test_vulnerable_users_named_anywhere_need_the_safeguarding_clause(write_spec, library, settings, example_data):
    for where, text in (
        ("target", "นักเรียนวัยเรียนที่มีความพิการในโรงเรียนเทศบาล"),
        ("objective", "ดูแลผู้สูงอายุติดเตียงในชุมชน"),
        ("target", "ทารกและวัยรุ่นในพื้นที่"),
    ):
        data = example_data("elderly-database-grant")
        data["scope"].pop("vulnerable_users", None)
        if where == "target":
            data["scope"]["target_group"] = text
        else:
            data["objectives"].append(text)
        assert "vulnerable_users" in problems(write_spec(data), library)["scope.vulnerable_users"].en, text
        data["scope"]["vulnerable_users"] = True
        load_spec(write_spec(data), settings, library)
    en = example_data("elderly-database-grant-en")
    en["scope"].pop("vulnerable_users", None)
    en["objectives"].append("Make the district offices accessible to visitors with disabilities")
    assert "scope.vulnerable_users" in problems(write_spec(en), library)
    en["objectives"][-1] = "Support the kids' football league"
    assert "scope.vulnerable_users" in problems(write_spec(en), library)


def test_an_sla_whenever_a_performance_or_commissioning_agreement_serves_vulnerable_users(
    write_spec, library, settings, example_data
):
    data = example_data("inclusive-care")  # children, performance: short and small, still an SLA
    data["term"]["end"] = "2024-10-31"
    data["budget"]["total"] = data["budget"]["sources"][0]["amount"] = 40000
    del data["budget"]["sources"][0]["fiscal_years"]
    data["budget"]["sources"] = data["budget"]["sources"][:1]
    del data["sla"]
    for k, inst in enumerate(data["instalments"]):
        inst["due"] = ["2024-05-31", "2024-09-30", "2024-12-15"][k]
    data["evaluation"].update(midterm="2024-08-31", final="2024-12-10")
    assert "sla" in problems(write_spec(data), library)
    data["scope"]["vulnerable_users"] = False
    data["scope"]["target_group"] = "ศูนย์พัฒนาชุมชน"
    data["scope"]["activities"] = [{"name": "อบรมครู"}]
    data["objectives"] = ["พัฒนาศักยภาพศูนย์"]
    found = problems(write_spec(data), library) if _fails(write_spec(data), settings, library) else {}
    assert "sla" not in found  # not vulnerable, under 12 months and 45,000 baht: none asked


def _fails(path, settings, library) -> bool:
    from pipeline.errors import SpecError

    try:
        load_spec(path, settings, library)
    except SpecError:
        return True
    return False


def test_the_annex_prints_the_target_of_each_evaluation_a_payment_waits_for(tmp_path, library, settings):
    """Issue 30, must fix 2: beside the end-of-term target, a column per evaluation an indicator has a step for, and
    the monitoring clause measures a pass against the targets of that evaluation."""
    from docx import Document

    from pipeline.api import build
    from pipeline.render.pdftext import docx_paragraphs

    from conftest import EXAMPLES

    for name, heads, first in (
        ("inclusive-care", ["ค่าเป้าหมาย ณ ระยะกลาง"], ["ร้อยละ\xa0๖๕"]),
        (
            "universal-design-nonthaburi",
            ["ค่าเป้าหมาย ณ ระยะกลาง ครั้งที่\xa0๑", "ค่าเป้าหมาย ณ ระยะกลาง ครั้งที่\xa0๒"],
            ["๔๐ หลัง", "๘๐ หลัง"],
        ),
        ("elderly-database-grant-en", [], []),
    ):
        built = build(EXAMPLES / f"{name}.yaml", tmp_path, library, settings, None)
        table = next(
            t
            for t in Document(built.docx).tables
            if any("ตัวชี้วัด" in c.text or "Indicator" in c.text for c in t.rows[0].cells)
        )
        header = [c.text for c in table.rows[0].cells]
        steps = [h for h in header if "ค่าเป้าหมาย ณ" in h or "Target at" in h]
        assert steps == heads, header
        row = [c.text for c in table.rows[1].cells]
        assert [row[header.index(h)] for h in heads] == first
        text = "\n".join(docx_paragraphs(built.docx))
        assert ("โดยเทียบกับค่าเป้าหมาย ณ การประเมินผลครั้งนั้น" in text) == bool(heads)


def test_a_representative_acting_for_an_office_says_so_above_and_under_the_signature(
    tmp_path, write_spec, library, settings, example_data
):
    """Issue 30: representative.acting_for is printed after the position in the parties paragraph and as a line of
    its own under the position in the signature block: ปฏิบัติราชการแทน for a government party, ปฏิบัติการแทน for
    another (a university), "for the …" in English."""
    from docx import Document

    from pipeline.api import build
    from pipeline.render.pdftext import docx_paragraphs

    data = example_data("inclusive-care")
    data["parties"]["delegator"]["representative"]["position"] = "รองอธิบดีกรมกิจการเด็กและเยาวชน"
    data["parties"]["delegator"]["representative"]["acting_for"] = "อธิบดีกรมกิจการเด็กและเยาวชน"
    data["parties"]["delegator"]["authority"] = "ตามคำสั่งกรมกิจการเด็กและเยาวชน ที่ 12/2567 ลงวันที่ 5 มกราคม 2567"
    built = build(write_spec(data, "care.yaml"), tmp_path, library, settings, None)
    text = "\n".join(docx_paragraphs(built.docx))
    assert "ตำแหน่ง รองอธิบดีกรมกิจการเด็กและเยาวชน ปฏิบัติราชการแทนอธิบดีกรมกิจการเด็กและเยาวชน" in text
    assert "ปฏิบัติการแทนอธิการบดีมหาวิทยาลัยมหิดล ผู้มีอำนาจกระทำการแทน" in text
    block = next(t for t in Document(built.docx).tables if "ลงชื่อ" in t.rows[0].cells[0].text)
    rows = [[c.text for c in r.cells] for r in block.rows]
    assert ["ปฏิบัติราชการแทนอธิบดีกรมกิจการเด็กและเยาวชน", "ปฏิบัติการแทนอธิการบดีมหาวิทยาลัยมหิดล"] in rows
    assert rows.index(["ปฏิบัติราชการแทนอธิบดีกรมกิจการเด็กและเยาวชน", "ปฏิบัติการแทนอธิการบดีมหาวิทยาลัยมหิดล"]) == 3
    data["language"] = "en"
    built = build(write_spec(data, "care-en.yaml"), tmp_path, library, settings, None)
    assert ", for the อธิการบดีมหาวิทยาลัยมหิดล" in "\n".join(docx_paragraphs(built.docx))


def test_warnings_on_who_is_paid_and_by_what_authority(tmp_path, write_spec, library, settings, example_data):
    """SPEC §2's warnings: a partner paid without an account, an authority with no number or date, a performance
    agreement whose last payment does not wait for the final evaluation; none on the shared example as it is."""
    assert not check_spec(write_spec(example_data("inclusive-care")), settings, library).warnings
    data = example_data("inclusive-care")
    del data["parties"]["partner"]["account"]
    data["parties"]["partner"]["authority"] = "ผู้รับมอบอำนาจจากอธิการบดีมหาวิทยาลัยมหิดล"
    data["instalments"][2].update(due="2025-04-30", after="midterm")
    data["evaluation"]["final"] = "2025-04-30"
    warned = {w.field: w for w in check_spec(write_spec(data), settings, library).warnings}
    assert set(warned) == {"parties.partner.account", "parties.partner.authority", "instalments[2].after"}
    assert "number or date" in warned["parties.partner.authority"].en and "final" in warned["instalments[2].after"].en


def test_a_retention_is_a_period_never_only_as_the_law_requires(write_spec, library, settings, example_data):
    data = example_data("elderly-database-grant")
    for bad in ("ตามระยะเวลาที่กฎหมายกำหนด", "ตามที่จำเป็น"):
        data["personal_data"]["retention"] = bad
        assert "period" in problems(write_spec(data), library)["personal_data.retention"].en
    for good in ("๕ ปีนับแต่สิ้นสุดบันทึกข้อตกลง", "สิบปีนับแต่ปิดกรณี", "90 วันหลังสิ้นสุดโครงการ"):
        data["personal_data"]["retention"] = good
        load_spec(write_spec(data), settings, library)
    en = example_data("elderly-database-grant-en")
    en["personal_data"]["retention"] = "As the law requires"
    assert "personal_data.retention" in problems(write_spec(en), library)


def test_a_signing_supporter_is_bound_by_safeguarding_and_the_processor_duties(tmp_path, library, settings):
    """Issue 30, must fix 4: the foundation that sits in the multidisciplinary team is bound as the partner is, and the
    delegator may suspend the service at once and step in; a supporter that does not sign is not named."""
    from pipeline.api import build
    from pipeline.render.pdftext import docx_paragraphs

    from conftest import EXAMPLES

    built = build(EXAMPLES / "child-protection-commissioning.yaml", tmp_path, library, settings, None)
    text = "\n".join(docx_paragraphs(built.docx))
    both = "ผู้รับมอบภารกิจ และมูลนิธิคุ้มครองเด็กตัวอย่าง แต่ละฝ่าย"
    assert f"{both}จะตรวจสอบประวัติและคุณสมบัติของผู้ปฏิบัติงาน อาสาสมัคร และบุคคลทุกคนที่ตนจัดให้ติดต่อกับผู้รับบริการ" in text
    assert "ผู้มอบภารกิจมีสิทธิสั่งระงับการให้บริการที่เกี่ยวข้องได้ทันที" in text
    # the partner is a local government, a controller under its own powers (partner_role): the foundation whose staff
    # handle the children's data is its processor, bound by section 40
    assert "ในฐานะผู้ประมวลผลข้อมูลส่วนบุคคลตามมาตรา ๔๐ มูลนิธิคุ้มครองเด็กตัวอย่างจะประมวลผลข้อมูลตามคำสั่งของผู้รับมอบภารกิจ" in text
    assert "มหาวิทยาลัยแม่ฟ้าหลวง แต่ละฝ่าย" not in text and "และมหาวิทยาลัยแม่ฟ้าหลวง แต่ละ" not in text
    built = build(EXAMPLES / "inclusive-care.yaml", tmp_path, library, settings, None)
    text = "\n".join(docx_paragraphs(built.docx))
    assert "กลุ่มเปราะบาง ผู้รับมอบภารกิจจะตรวจสอบประวัติ" in text  # no supporter signs: the partner alone


def test_a_unit_signs_as_the_juristic_person_it_belongs_to(tmp_path, write_spec, library, settings, example_data):
    """Issue 30, must fix 1: with `part_of` the party is "X โดย Y" on the cover, in the parties paragraph and the
    notices, the representative acts for X, and "ในนาม X" stands above the signature; notices say when each is
    deemed received. English: "X, acting through Y", "For and on behalf of X"."""
    from docx import Document

    from pipeline.api import build
    from pipeline.render.pdftext import docx_paragraphs

    data = example_data("elderly-database-grant")
    partner = data["parties"]["partner"]
    partner["name"] = "ชมรมผู้สูงอายุตำบลบางกระสอ"
    partner["part_of"] = "มูลนิธิเครือข่ายผู้สูงอายุตัวอย่าง"
    partner.pop("registration", None)
    built = build(write_spec(data, "club.yaml"), tmp_path, library, settings, None)
    paragraphs = docx_paragraphs(built.docx)
    text = "\n".join(paragraphs)
    bound = "มูลนิธิเครือข่ายผู้สูงอายุตัวอย่าง โดยชมรมผู้สูงอายุตำบลบางกระสอ"
    parties = next(p for p in paragraphs if "ซึ่งต่อไปในบันทึกข้อตกลงนี้เรียกว่า “ผู้รับมอบภารกิจ”" in p)
    assert bound in parties and "ในสังกัด" not in parties
    assert "ผู้มีอำนาจกระทำการแทนมูลนิธิเครือข่ายผู้สูงอายุตัวอย่าง" in parties or "authority" not in partner
    assert any(p.startswith(f"{bound} เลขที่") for p in paragraphs), paragraphs  # the notices' address list
    assert "ให้ถือว่าผู้รับได้รับหนังสือในวันที่ส่งถึงเมื่อส่งโดยบุคคล" in text
    doc = Document(built.docx)
    cover = "\n".join(p.text for p in doc.paragraphs[:12])
    assert bound in cover, cover
    block = next(t for t in doc.tables if any("ลงชื่อ" in c.text for c in t.rows[1].cells))
    rows = [[c.text for c in r.cells] for r in block.rows]
    assert rows[0] == ["", "ในนามมูลนิธิเครือข่ายผู้สูงอายุตัวอย่าง"], rows
    data["language"] = "en"
    built = build(write_spec(data, "club-en.yaml"), tmp_path, library, settings, None)
    text = "\n".join(docx_paragraphs(built.docx))
    assert "มูลนิธิเครือข่ายผู้สูงอายุตัวอย่าง, acting through ชมรมผู้สูงอายุตำบลบางกระสอ" in text
    assert "deemed received on the day of delivery" in text


def test_duties_survive_the_term_and_repayment_names_its_rate(tmp_path, library, settings):
    """Issue 30, should fix: reports, repayment, records, audit and personal data survive the end of the agreement;
    interest on repayment is 5 % a year (CCC s.224 as amended in B.E. 2564), not "the legal rate"."""
    from pipeline.api import build
    from pipeline.render.pdftext import docx_paragraphs

    from conftest import EXAMPLES

    for name, survive, rate in (
        ("inclusive-care", "ยังคงมีผลใช้บังคับต่อไปแม้บันทึกข้อตกลงนี้สิ้นสุดลงหรือถูกบอกเลิก", "ร้อยละ ๕ ต่อปี"),
        ("elderly-database-grant-en", "survive the end or termination of this Agreement", "interest at 5 % a year"),
    ):
        text = "\n".join(docx_paragraphs(build(EXAMPLES / f"{name}.yaml", tmp_path, library, settings, None).docx))
        assert survive in text and rate in text, name
        assert "อัตราตามกฎหมาย" not in text and "the legal rate" not in text
