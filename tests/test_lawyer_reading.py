"""Issue 30, should fix: the clauses every document shares, as a government lawyer's third reading asks for them,
checked on the built DOCX text (DRAFTING.md, "Particular subjects")."""

import pytest
import yaml

from pipeline.api import build
from pipeline.render.pdftext import docx_paragraphs

from conftest import EXAMPLES


@pytest.fixture
def text_of(tmp_path, write_spec, library, settings):
    """The built DOCX's text for an example as it is, or for a changed copy of its data."""

    def text(name: str, data: dict | None = None) -> str:
        spec = EXAMPLES / f"{name}.yaml" if data is None else write_spec(data, f"{name}-changed.yaml")
        return (
            "\n".join(docx_paragraphs(build(spec, tmp_path, library, settings, None).docx))
            .replace("\ufeff", "")
            .replace("\xa0", " ")
        )

    return text


def test_personal_data_names_the_basis_the_notice_and_one_keeper(text_of, example_data):
    text = text_of("elderly-database-grant")  # a foundation: the delegator's processor
    assert "โดยอาศัยฐานทางกฎหมายว่าเป็นการจำเป็นเพื่อการปฏิบัติหน้าที่ในการดำเนินภารกิจเพื่อประโยชน์สาธารณะ" in text
    assert "ฝ่ายที่เก็บรวบรวมจะแจ้งเจ้าของข้อมูลตามมาตรา ๒๓" in text and "ในนามของผู้มอบภารกิจ" in text
    assert "ผู้มอบภารกิจจะเก็บรักษาข้อมูลส่วนบุคคลไว้เป็นเวลา ๕ ปีนับแต่สิ้นสุดบันทึกข้อตกลง" in text
    assert "ส่งมอบข้อมูลส่วนบุคคลที่ประมวลผลแทนผู้มอบภารกิจคืนให้ผู้มอบภารกิจเป็นผู้เก็บรักษาตลอดระยะเวลาดังกล่าว" in text
    assert "จะไม่เก็บสำเนา" not in text
    data = example_data("elderly-database-grant")
    data["personal_data"]["lawful_basis"] = "ความยินยอมโดยชัดแจ้งตามมาตรา ๒๖ สำหรับข้อมูลสุขภาพ"
    assert "โดยอาศัยฐานทางกฎหมาย ได้แก่ ความยินยอมโดยชัดแจ้งตามมาตรา ๒๖ สำหรับข้อมูลสุขภาพ" in text_of(
        "elderly-database-grant", data
    )


def test_a_local_government_under_its_own_powers_is_a_controller(text_of, example_data):
    text = text_of("universal-design-nonthaburi")  # the partner is a municipality (lao)
    assert "ผู้มอบภารกิจและผู้รับมอบภารกิจต่างเป็นผู้ควบคุมข้อมูลส่วนบุคคลที่ตนเก็บรวบรวมตามอำนาจหน้าที่ของตน" in text
    assert "ผู้ประมวลผลข้อมูลส่วนบุคคลตามมาตรา ๔๐" not in text and "ในนามของผู้มอบภารกิจ" not in text
    assert "ผู้ควบคุมข้อมูลส่วนบุคคลแต่ละฝ่ายจะเก็บรักษาข้อมูลส่วนบุคคลไว้เป็นเวลา ๓ ปี" in text
    data = example_data("universal-design-nonthaburi")
    data["personal_data"]["partner_role"] = "processor"  # said otherwise in the spec: the delegator's processor
    text = text_of("universal-design-nonthaburi", data)
    assert "ผู้มอบภารกิจเป็นผู้ควบคุมข้อมูลส่วนบุคคล และผู้รับมอบภารกิจเป็นผู้ประมวลผลข้อมูลส่วนบุคคล" in text


def test_procurement_binds_a_body_set_up_by_an_act_and_home_works_belong_to_the_owner(text_of, example_data):
    municipality = text_of("universal-design-nonthaburi")
    assert "ซึ่งใช้บังคับแก่ผู้รับมอบภารกิจในฐานะหน่วยงานของรัฐตามมาตรา ๔" in municipality
    assert "ย่อมเป็นส่วนควบและเป็นของเจ้าของที่ดินนั้นตามมาตรา ๑๔๔ แห่งประมวลกฎหมายแพ่งและพาณิชย์" in municipality
    foundation = text_of("elderly-database-grant")
    assert "ตามหลักการของพระราชบัญญัติการจัดซื้อจัดจ้าง" in foundation and "มาตรา ๔ แห่ง" not in foundation
    university = text_of("inclusive-care")  # academic, no registration: bound if it is a state agency under s.4
    assert "หากผู้รับมอบภารกิจเป็นหน่วยงานของรัฐตามมาตรา ๔" in university
    data = example_data("inclusive-care")
    data["parties"]["partner"]["registration"] = "พระราชบัญญัติมหาวิทยาลัยมหิดล พ.ศ. ๒๕๕๐"
    assert "ในฐานะหน่วยงานของรัฐตามมาตรา ๔" in text_of("inclusive-care", data)


def test_integrity_binds_the_delegators_officials_and_a_foundation_publishes_what_the_clause_lists(text_of):
    foundation = text_of("elderly-database-grant")
    assert "มาตรา ๑๒๖ ถึงมาตรา ๑๒๘ แห่งพระราชบัญญัติประกอบรัฐธรรมนูญว่าด้วยการป้องกันและปราบปรามการทุจริต" in foundation
    assert "ผู้มอบภารกิจจะเปิดเผยข้อมูลเกี่ยวกับบันทึกข้อตกลงนี้และการใช้จ่ายเงินตามพระราชบัญญัติข้อมูลข่าวสารของราชการ" in foundation
    assert "ผู้รับมอบภารกิจจะเปิดเผยต่อสาธารณะซึ่งชื่อโครงการ จำนวนเงินที่ได้รับ" in foundation
    assert "ผู้รับมอบภารกิจซึ่งเป็นหน่วยงานของรัฐก็เช่นเดียวกัน" in text_of("universal-design-nonthaburi")


def test_force_majeure_from_the_event_disputes_by_a_route_works_under_a_licence(text_of):
    for name in ("universal-design-nonthaburi", "child-protection-commissioning"):
        text = text_of(name)
        assert "ภายใน ๗ วันนับแต่วันที่เกิดเหตุนั้น" in text and "นับแต่เหตุนั้นสิ้นสุดลง" not in text
        assert "สิ่งที่ฝ่ายนั้นจะดำเนินการระหว่างนั้นเพื่อบรรเทาผลกระทบ" in text
        assert "ระเบียบว่าด้วยการระงับข้อพิพาทระหว่างหน่วยงานของรัฐ" not in text
        assert "โดยไม่มีค่าตอบแทน ไม่มีกำหนดระยะเวลา และไม่เป็นสิทธิแต่ผู้เดียว" in text and "กรรมสิทธิ์ร่วม" not in text
    # a department and a municipality: the route between state agencies is described, not named by a wrong title
    assert "ก่อนนำข้อพิพาทสู่ศาล คู่ภาคีจะใช้วิธียุติข้อพิพาทระหว่างหน่วยงานของรัฐ" in text_of("universal-design-nonthaburi")
    en = text_of("elderly-database-grant-en")
    assert "within 7 days of the day the event occurred" in en
    assert "free, perpetual, non-exclusive licence to use, reproduce, adapt and publish them throughout Thailand" in en


def test_a_grant_approves_the_plan_lists_the_costs_and_says_the_refund_once(text_of):
    text = text_of("elderly-database-grant")
    assert "ผู้รับมอบภารกิจจะส่งแผนการใช้จ่ายเงินอุดหนุนให้ผู้มอบภารกิจให้ความเห็นชอบก่อนใช้จ่ายเงิน" in text
    assert "ค่าใช้จ่ายที่ใช้จ่ายจากเงินอุดหนุนได้ ได้แก่" in text and "ค่าใช้จ่ายต่อไปนี้ใช้จ่ายจากเงินอุดหนุนไม่ได้" in text
    assert text.count("หากมีเงินอุดหนุนคงเหลือ") == 1
    assert "ยังไม่ได้ใช้จ่ายเมื่อบันทึกข้อตกลงนี้สิ้นสุดลง" not in text  # the repayment clause does not say it again
    assert "คืนเงินที่ยังไม่ได้ใช้จ่ายตามข้อว่าด้วยการส่งคืนเงินอุดหนุนคงเหลือ" in text  # early end: refers to it
    performance = text_of("inclusive-care")
    assert "ยังไม่ได้ใช้จ่ายเมื่อบันทึกข้อตกลงนี้สิ้นสุดลง" in performance and "หากมีเงินอุดหนุนคงเหลือ" not in performance


def test_english_values_inside_sentences_and_the_language(text_of, example_data):
    data = example_data("elderly-database-grant-en")
    data["evaluation"]["pass_criteria"] = "Every indicator reaches 80 % of its target"
    data["evaluation"]["methods"] = ["internal"]
    text = text_of("elderly-database-grant-en", data)
    assert "for this purpose: to protect and serve older persons" in text
    assert "shall keep the personal data for five years after the agreement ends" in text
    assert "An evaluation is passed when every indicator reaches 80" in text
    assert "where a Thai text of it is signed as well, the Thai text prevails" in text
    data["personal_data"]["retention"] = "Until the NHSO closes the case, then 2 years"
    assert "for NHSO" not in text_of("elderly-database-grant-en", data)


def test_the_sla_annex_measures_each_service_and_stays_in_force_until_the_next(text_of):
    text = text_of("universal-design-nonthaburi")  # two years: the SLA of year 1 is renewed
    assert "ให้ข้อตกลงฉบับนี้ใช้บังคับต่อไปจนกว่าจะได้ลงนามฉบับถัดไป" in text
    assert "ผลการให้บริการแต่ละรายการวัดเทียบกับมาตรฐานในตาราง" in text
    assert "ผู้มอบภารกิจอาจชะลอการจ่ายเงินงวดถัดไปไว้จนกว่าจะแก้ไขได้ตามแผน และอาจจัดให้ผู้อื่นให้บริการนั้นแทน" in text


def test_commissioning_duties_lie_with_the_parties_and_every_model_answers_for_harm(text_of):
    text = text_of("child-protection-commissioning")  # a municipality with its own revenue in each fiscal year
    assert "คู่ภาคีจะรายงานความก้าวหน้าตามแผนปฏิบัติการ" in text and "โดยดำเนินการผ่านสำนักงานเลขานุการร่วม" in text
    assert "สำนักงานเลขานุการร่วมไม่มีฐานะเป็นนิติบุคคล" in text
    assert "ประกอบด้วยกรรมการ ๖ คน ได้แก่ ผู้ดำรงตำแหน่งตามตารางท้ายข้อนี้" in text
    assert "จะผูกพันได้เมื่อได้ตั้งไว้ในข้อบัญญัติหรือเทศบัญญัติงบประมาณรายจ่ายประจำปีของปีนั้น" in text
    assert "รับผิดชอบต่อความเสียหายที่เกิดแก่ผู้รับบริการหรือบุคคลภายนอก" in text
    grant = text_of("elderly-database-grant")
    assert "ผู้รับมอบภารกิจจะดำเนินภารกิจด้วยความระมัดระวังตามมาตรฐานแห่งวิชาชีพ และรับผิดชอบต่อความเสียหาย" in grant
    assert "เทศบัญญัติ" not in grant


def test_a_signature_blocks_space_stands_above_it_whatever_lines_it_has(tmp_path, library, settings, example_data):
    """A block with the capacity line (acting_for) or "ในนาม …" (part_of) has more than four rows: the space above a
    block goes on its first row, never on the role under the signature (which then floated away from its block)."""
    from docx import Document

    for name in ("inclusive-care", "elderly-database-grant"):
        data = example_data(name)
        if name == "elderly-database-grant":  # a club of a foundation: "ในนาม…" above the signature
            data["parties"]["partner"]["name"] = "ชมรมผู้สูงอายุตำบลบางกระสอ"
            data["parties"]["partner"]["part_of"] = "มูลนิธิเครือข่ายผู้สูงอายุตัวอย่าง"
        spec = tmp_path / f"{name}.yaml"
        spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        doc = Document(build(spec, tmp_path, library, settings, None).docx)
        for table in doc.tables:
            rows = [[c.paragraphs[0] for c in r.cells] for r in table.rows]
            signed = [i for i, r in enumerate(rows) if any("ลงชื่อ" in p.text for p in r)]
            if not signed:
                continue
            firsts = [i for i, r in enumerate(rows) if r[0].style.name == "MOU Signature Line"]
            behalf = [i for i, r in enumerate(rows) if any(p.text.startswith("ในนาม") for p in r)]
            assert firsts == [i - 1 if i - 1 in behalf else i for i in signed], (name, firsts, signed, behalf)


def test_a_year_n_sla_of_an_amended_agreement_cites_the_amendment(tmp_path, library, settings):
    """The SLA of year 2 made under an agreement as amended (the amendment's spec: `amends`, signed on its own day)
    says so, and names the parties as bound."""
    import datetime as dt

    from pipeline.documents.after_signing import sla_document
    from pipeline.documents.check import check_spec

    from conftest import five_years

    data = five_years()
    data["amends"], data["signed"] = "design", {"date": dt.date(2025, 3, 1)}
    spec = tmp_path / "design-amend-1.yaml"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    doc = sla_document(check_spec(spec, settings, library).spec, 2, settings, library)
    text = "\n".join(b.text for s in doc.sections for b in s.blocks).replace("\xa0", " ")
    assert "ลงวันที่ ๑๐ มิถุนายน ๒๕๖๗ ซึ่งแก้ไขเพิ่มเติมโดยบันทึกข้อตกลงแก้ไขเพิ่มเติมลงวันที่ ๑ มีนาคม ๒๕๖๘" in text, text[:600]
    data.pop("amends")
    data["signed"] = {"date": dt.date(2024, 6, 10)}
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    doc = sla_document(check_spec(spec, settings, library).spec, 2, settings, library)
    assert "แก้ไขเพิ่มเติมโดย" not in "\n".join(b.text for s in doc.sections for b in s.blocks)
