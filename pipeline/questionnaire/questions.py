"""The questionnaire itself, read by both front ends: the terminal (`mou interview`) and the browser (`mou serve`).

The questions, their order, the pages they are grouped in, their conditions, defaults and per-answer checks, and
the conversion of what a user types, live here and nowhere else.
"""

from __future__ import annotations

import yaml

from pipeline import LABELS_FILE
from pipeline.questionnaire.answers import METHODS, Q, get, model
from pipeline.questionnaire.checks import (
    answer_text,
    check_due,
    check_final,
    check_in_term,
    check_instalments_sum,
    check_sla_end,
    check_sources_sum,
    check_term_end,
    check_term_start,
    extra_copies,
    names_children,
    paid_after_the_term,
    sla_needed,
    waits_for_evaluation,
    waits_for_midterm,
    year_later,
)
from pipeline.rules.parties import acts_for_another, is_unit, needs_authority

# The choices show the very words the documents print: clauses/_labels.yaml, one table for both (a library given with
# --library has its own labels for its documents; the questions keep the project's).
_LABELS = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))


def _choices(group: str, values: tuple[str, ...] | None = None) -> tuple:
    """(value, Thai, English) for each value of a label group, in the file's order (or the order given)."""
    table = _LABELS[group]
    return tuple((v, table[v]["th"], table[v]["en"]) for v in (values or tuple(table)))


KINDS = _choices("kind")
PARTIES = _choices("party", ("delegator", "partner", "supporters"))
FREQ = _choices("frequency")
MODELS = _choices("model")
SOURCES = _choices("source")
ROLES = _choices("role")
DATA_ROLES = _choices("data_role")
_EVAL = _LABELS["evaluation"]
AFTER = (
    ("signing", _EVAL["signing"]["th"], _EVAL["signing"]["en"]),
    ("midterm", _EVAL["midterm_one"]["th"], _EVAL["midterm_one"]["en"]),
    *((f"midterm {n}", _EVAL["midterm"]["th"].format(n=n), _EVAL["midterm"]["en"].format(n=n)) for n in (1, 2, 3)),
    *((f"yearly {n}", _EVAL["yearly"]["th"].format(n=n), _EVAL["yearly"]["en"].format(n=n)) for n in (1, 2, 3, 4)),
    ("final", _EVAL["final"]["th"], _EVAL["final"]["en"]),
)
not_grant = lambda a, settings=None: model(a) != "grant"  # noqa: E731
is_comm = lambda a, settings=None: model(a) == "commissioning"  # noqa: E731
personal = lambda a, settings=None: bool(get(a, "personal_data.involved"))  # noqa: E731

SCREENING = (
    Q(
        "screening.mission",
        "ภารกิจนี้เป็นแบบใด",
        "What kind of mission is it",
        "choice",
        (
            (
                "project",
                "โครงการที่มีกรอบเวลาชัดเจน (เช่น ระบบฐานข้อมูล การสำรวจ การอบรม)",
                "a project with a clear time frame (database, survey, training)",
            ),
            (
                "service",
                "บริการต่อเนื่องหรืองานประจำ (เช่น ศูนย์ดูแล สถานคุ้มครอง การรับเรื่องร้องเรียน)",
                "a continuing or routine service (care centre, shelter, complaints)",
            ),
            (
                "portfolio",
                "หลายภารกิจภายใต้นโยบายเดียว ระยะยาว (เช่น คณะกรรมการคุ้มครองเด็กจังหวัด)",
                "several missions under one policy, long-term (a provincial committee)",
            ),
        ),
    ),
    Q("screening.time_bound", "มีกรอบระยะเวลาสิ้นสุดชัดเจนหรือไม่", "Does it have a clear end date", "bool", required=False),
    Q(
        "screening.routine",
        "เป็นงานประจำที่หน่วยงานต้องจัดให้อย่างต่อเนื่องหรือไม่",
        "Is it routine work the agency must keep providing",
        "bool",
        required=False,
    ),
    Q(
        "screening.capacity_gap",
        "หน่วยงานขาดศักยภาพหรืออัตรากำลังที่จะทำเองหรือไม่",
        "Does the agency lack the capacity to do it itself",
        "bool",
        required=False,
    ),
    Q(
        "screening.joint_structure",
        "จะดำเนินการผ่านคณะกรรมการร่วมที่เป็นทางการหรือไม่",
        "Will a formal joint committee run it",
        "bool",
        required=False,
    ),
)


PASS_CRITERIA_TH = "ผลการดำเนินงานบรรลุค่าเป้าหมายของตัวชี้วัดความสำเร็จตามภาคผนวก ไม่น้อยกว่าร้อยละ ๘๐ ของจำนวนตัวชี้วัด"
PASS_CRITERIA_EN = "the work meets the targets of at least 80 per cent of the performance indicators in the annex"


RECORD_ACTIVITY = (
    Q("name", "ชื่อกิจกรรม", "Activity"),
    Q("description", "รายละเอียด (Enter เพื่อข้าม)", "Description (Enter to skip)", required=False),
)
QUESTIONS = (
    Q("title", "ชื่อโครงการหรือภารกิจ (เรื่อง)", "Title of the project or mission"),
    Q("background", "หลักการและเหตุผล (หลายย่อหน้าคั่นด้วย | )", "Background (separate paragraphs with | )"),
    Q("reference_no", "เลขที่บันทึกข้อตกลง (Enter เพื่อข้าม)", "Reference number (Enter to skip)", required=False),
    Q("signing.place", "สถานที่ลงนาม", "Place of signing"),
    Q("signing.date", "วันที่ลงนาม (เช่น ๒๒/๔/๒๕๖๗)", "Date of signing (e.g. 22/4/2024)", "date"),
    Q("term.start", "วันเริ่มต้นดำเนินการ", "Start of the term", "date", check=check_term_start),
    Q("term.end", "วันสิ้นสุดดำเนินการ", "End of the term", "date", check=check_term_end),
    Q("parties.delegator.name", "ชื่อหน่วยงานผู้มอบภารกิจ", "Delegator (agency)"),
    Q("parties.delegator.kind", "ประเภทของผู้มอบภารกิจ", "Kind of delegator", "choice", KINDS, default="government"),
    Q("parties.delegator.address", "ที่ตั้งของผู้มอบภารกิจ", "Delegator's address"),
    Q("parties.delegator.representative.name", "ชื่อผู้ลงนามฝ่ายผู้มอบภารกิจ", "Delegator's signatory"),
    Q("parties.delegator.representative.position", "ตำแหน่งผู้ลงนามฝ่ายผู้มอบภารกิจ", "Delegator signatory's position"),
    Q(
        "parties.delegator.authority",
        "คำสั่งมอบอำนาจหรือการรักษาราชการแทนของผู้ลงนาม (เช่น คำสั่งกรม ที่ ... ลงวันที่ ...)",
        "The delegation under which the signatory acts (e.g. order No. ... of ...)",
        when=lambda a, s: acts_for_another(answer_text(a, "parties.delegator.representative.position")),
    ),
    Q(
        "parties.delegator.representative.acting_for",
        "ผู้ลงนามปฏิบัติราชการแทนผู้ใด (เช่น อธิบดีกรม...; Enter เพื่อข้ามถ้าไม่ได้ทำการแทนผู้ใด)",
        "Whom the signatory acts for (e.g. the Director-General; Enter to skip if signing in their own office)",
        required=False,
        when=lambda a, s: acts_for_another(answer_text(a, "parties.delegator.representative.position")),
    ),
    Q("parties.partner.name", "ชื่อหน่วยงานผู้รับมอบภารกิจ", "Partner"),
    Q("parties.partner.kind", "ประเภทของผู้รับมอบภารกิจ", "Kind of partner", "choice", KINDS[1:], default="cso"),
    Q("parties.partner.address", "ที่ตั้งของผู้รับมอบภารกิจ", "Partner's address"),
    Q("parties.partner.representative.name", "ชื่อผู้ลงนามฝ่ายผู้รับมอบภารกิจ", "Partner's signatory"),
    Q("parties.partner.representative.position", "ตำแหน่งผู้ลงนามฝ่ายผู้รับมอบภารกิจ", "Partner signatory's position"),
    Q(
        "parties.partner.part_of",
        "นิติบุคคลที่หน่วยงานนี้สังกัด (เช่น มหาวิทยาลัย) — เป็นคู่สัญญาโดยหน่วยงานนี้ (Enter เพื่อข้ามถ้าเป็นนิติบุคคลเอง)",
        "The juristic person this unit belongs to (e.g. the university), bound through it (Enter to skip if it is one)",
        required=False,
        when=lambda a, s: is_unit(answer_text(a, "parties.partner.name")),
    ),
    Q(
        "parties.partner.registration",
        "การจดทะเบียนของผู้รับมอบภารกิจ เช่น มูลนิธิ ทะเบียนเลขที่ ... (Enter เพื่อข้าม)",
        "The partner's registration, e.g. foundation No. ... (Enter to skip)",
        required=False,
        when=lambda a, s: (
            get(a, "parties.partner.kind") in ("cso", "private") or is_unit(answer_text(a, "parties.partner.name"))
        ),
    ),
    Q(
        "parties.partner.representative.acting_for",
        "ผู้ลงนามปฏิบัติการแทนผู้ใด (เช่น อธิการบดีมหาวิทยาลัย...; Enter เพื่อข้ามถ้าไม่ได้ทำการแทนผู้ใด)",
        "Whom the signatory acts for (e.g. the President of the university; Enter to skip if signing in their own office)",
        required=False,
    ),
    Q(
        "parties.partner.authority",
        "มติ ข้อบังคับ หรือหนังสือมอบอำนาจที่ให้อำนาจผู้ลงนาม",
        "Resolution, regulations or power of attorney empowering the signatory",
        # needed unless the partner is a government body (SPEC §2, the rule itself): asked as such at once, not found
        # at the review
        required=lambda a: needs_authority(get(a, "parties.partner.kind")),
    ),
    Q(
        "parties.partner.account.bank",
        "ธนาคารของบัญชีที่รับเงิน (Enter เพื่อข้าม — บันทึกข้อตกลงจะเว้นไว้และมีคำเตือน)",
        "Bank of the account payments go to (Enter to skip — the agreement leaves it open, with a warning)",
        required=False,
    ),
    Q(
        "parties.partner.account.branch",
        "สาขา (Enter เพื่อข้าม)",
        "Branch (Enter to skip)",
        required=False,
        when=lambda a, s: bool(answer_text(a, "parties.partner.account.bank")),
    ),
    Q(
        "parties.partner.account.name",
        "ชื่อบัญชี (ในนามนิติบุคคลที่เป็นคู่ภาคี)",
        "Account name (in the name of the juristic person that is the party)",
        when=lambda a, s: bool(answer_text(a, "parties.partner.account.bank")),
    ),
    Q(
        "parties.partner.account.number",
        "เลขที่บัญชี",
        "Account number",
        when=lambda a, s: bool(answer_text(a, "parties.partner.account.bank")),
    ),
    Q(
        "legal_basis",
        "กฎหมายที่ให้อำนาจ (ทีละรายการ)",
        "Laws giving the authority (one at a time)",
        "list",
        required=False,
        minimum=lambda a: 1 if is_comm(a) else 0,
    ),
    Q("objectives", "วัตถุประสงค์ (ทีละข้อ)", "Objectives (one at a time)", "list"),
    Q("scope.target_group", "กลุ่มเป้าหมาย", "Target group"),
    Q("scope.area", "พื้นที่ดำเนินการ", "Area"),
    Q("scope.activities", "กิจกรรม", "Activities", "records", fields=RECORD_ACTIVITY),
    Q(
        "scope.vulnerable_users",
        "ผู้รับบริการเป็นเด็ก เยาวชน หรือกลุ่มเปราะบางหรือไม่ (เพิ่มข้อการคุ้มครองเด็กและผู้เปราะบาง)",
        "Are the service users children, young people or vulnerable people (adds the safeguarding clause)",
        "bool",
        required=False,
        default=lambda a: True if names_children(a) else None,
    ),
    Q("deliverables", "ผลผลิตที่ส่งมอบ (ทีละรายการ)", "Deliverables (one at a time)", "list"),
    Q("roles.delegator", "บทบาทหน้าที่ของผู้มอบภารกิจ (ทีละข้อ)", "Roles of the delegator (one at a time)", "list"),
    Q("roles.partner", "บทบาทหน้าที่ของผู้รับมอบภารกิจ (ทีละข้อ)", "Roles of the partner (one at a time)", "list"),
    Q("budget.total", "งบประมาณรวม (บาท)", "Total budget (baht)", "amount"),
    Q(
        "budget.sources",
        "แหล่งงบประมาณ",
        "Budget sources",
        "records",
        check=check_sources_sum,
        fields=(
            Q("type", "ประเภทแหล่งเงิน", "Type", "choice", SOURCES, default="state_budget"),
            Q(
                "amount",
                "จำนวนเงิน (บาท)",
                "Amount (baht)",
                "amount",
                default=lambda a: get(a, "budget.total") if not get(a, "budget.sources") else None,
            ),
            Q("provider", "ผู้สนับสนุนเงิน", "Provided by", "choice", PARTIES, default="delegator"),
            Q(
                "fiscal_year",
                "ปีงบประมาณ พ.ศ. (Enter เพื่อข้าม)",
                "Fiscal year B.E. (Enter to skip)",
                "int",
                required=False,
            ),
        ),
    ),
    Q(
        "instalments",
        "งวดเงิน",
        "Instalments",
        "records",
        check=check_instalments_sum,
        minimum=lambda a: 2 if model(a) == "performance" else 1,
        fields=(
            Q(
                "percent",
                "ร้อยละของเงินที่ผู้มอบภารกิจจ่าย",
                "Percent of the delegator's money",
                "amount",
                default=lambda a: 100 if model(a) == "grant" and not a.get("instalments") else None,
                required=False,
            ),
            Q(
                "amount",
                "หรือจำนวนเงิน (บาท) แทนร้อยละ (Enter เพื่อข้าม)",
                "Or the amount in baht instead of a percent (Enter to skip)",
                "amount",
                required=False,
            ),
            Q(
                "due",
                "กำหนดจ่าย",
                "Due date",
                "date",
                check=check_due,
                default=lambda a: get(a, "term.start") if not a.get("instalments") else None,
            ),
            Q(
                "after",
                "จ่ายหลัง",
                "Paid after",
                "choice",
                AFTER,
                default=lambda a: "signing" if not a.get("instalments") else "midterm",
            ),
            Q("condition", "เงื่อนไขเพิ่มเติม (Enter เพื่อข้าม)", "Further condition (Enter to skip)", required=False),
        ),
    ),
    Q(
        "budget.carry_over",
        "เงินงวดที่จ่ายหลังการประเมินผลหลังสิ้นสุด (หลังสิ้นสุดระยะเวลา) กันเหลื่อมปีจากปีงบประมาณสุดท้ายของระยะเวลาหรือไม่",
        "Is the money for the payment after the final evaluation (after the term) carried over from the term's last fiscal year",
        "bool",
        required=False,
        when=lambda a, s: paid_after_the_term(a),
    ),
    Q(
        "evaluation.midterm",
        "วันประเมินผลระยะกลาง",
        "Mid-term evaluation date",
        "dates",
        check=check_in_term,
        when=lambda a, s: not_grant(a) or waits_for_midterm(a),  # a grant's payment may wait for one (SPEC §1)
    ),
    Q(
        "evaluation.yearly",
        "วันประเมินผลประจำปี (คั่นด้วยจุลภาคถ้ามีหลายครั้ง, Enter เพื่อข้าม)",
        "Yearly evaluation dates (comma-separated, Enter to skip)",
        "dates",
        check=check_in_term,
        when=not_grant,
        required=False,
    ),
    Q(
        "evaluation.final",
        "วันประเมินผลหลังสิ้นสุด",
        "Final evaluation date",
        "date",
        check=check_final,
        default=lambda a: get(a, "term.end"),
    ),
    Q(
        "evaluation.methods",
        f"วิธีประเมินผล (คั่นด้วยจุลภาค: {METHODS})",
        f"Evaluation methods (comma-separated: {METHODS})",
        "methods",
        default=lambda a: {"grant": "internal", "performance": "internal, external, field_visit"}.get(
            model(a), "internal, external, service_user_feedback"
        ),
    ),
    Q(
        "evaluation.pass_criteria",
        "เกณฑ์การผ่านการประเมินผล (งวดเงินที่จ่ายเมื่อผ่านการประเมินอ้างถึงเกณฑ์นี้)",
        "What passing an evaluation means (the instalments paid on passing refer to it)",
        default=lambda a: PASS_CRITERIA_TH if a.get("language", "th") == "th" else PASS_CRITERIA_EN,
        when=lambda a, s: waits_for_evaluation(a),
    ),
    Q(
        "indicators",
        "ตัวชี้วัดความสำเร็จ",
        "Performance indicators",
        "records",
        minimum=lambda a: 0 if model(a) == "grant" else 1,
        required=False,
        fields=(
            Q("name", "ชื่อตัวชี้วัด", "Indicator"),
            Q("unit", "หน่วยนับ", "Unit"),
            Q("baseline", "ค่าฐาน (Enter เพื่อข้าม)", "Baseline (Enter to skip)", "amount", required=False),
            Q("target", "ค่าเป้าหมาย", "Target", "amount"),
            Q(
                "steps",
                "ค่าเป้าหมาย ณ การประเมินที่งวดเงินรอ เช่น ระยะกลาง 65, ประจำปี 1 80 (Enter เพื่อข้าม)",
                "Target at each evaluation a payment waits for, e.g. midterm 65, yearly 1 80 (Enter to skip)",
                "steps",
                required=False,
            ),
            Q("frequency", "ความถี่ในการวัด", "Frequency", "choice", FREQ, default="quarterly"),
            Q("data_source", "แหล่งข้อมูล", "Data source"),
            Q("responsible", "ผู้รับผิดชอบ", "Responsible", "choice", PARTIES, default="partner"),
        ),
    ),
    Q("joint_committee.name", "ชื่อคณะกรรมการร่วม", "Name of the joint committee", when=is_comm),
    Q(
        "joint_committee.members",
        "กรรมการ (ต้องมีกรรมการและเลขานุการหนึ่งคน)",
        "Members (one of them the secretary)",
        "records",
        when=is_comm,
        minimum=lambda a: 2,
        fields=(
            Q("position", "ตำแหน่ง", "Position"),
            Q("party", "ฝ่าย", "Party", "choice", PARTIES),
            Q("role", "บทบาทในคณะกรรมการ", "Role", "choice", ROLES, default="member"),
        ),
    ),
    Q(
        "joint_committee.duties",
        "อำนาจหน้าที่ของคณะกรรมการร่วม (ทีละข้อ)",
        "Duties of the committee (one at a time)",
        "list",
        when=is_comm,
    ),
    Q("joint_committee.meetings", "ความถี่การประชุม", "Meetings", "choice", FREQ[:4], default="quarterly", when=is_comm),
    Q("joint_committee.secretariat", "สำนักงานเลขานุการร่วม (ตั้งอยู่ที่ใด)", "Joint secretariat (where)", when=is_comm),
    Q(
        "action_plan",
        "แผนปฏิบัติการ",
        "Action plan",
        "records",
        when=is_comm,
        fields=(
            Q("activity", "กิจกรรม", "Activity"),
            Q("start", "วันเริ่ม", "Start", "date", check=check_in_term),
            Q("end", "วันสิ้นสุด", "End", "date", check=check_in_term),
            Q("responsible", "ผู้รับผิดชอบ", "Responsible", "choice", PARTIES, default="partner"),
            Q("budget", "งบประมาณ (Enter เพื่อข้าม)", "Budget (Enter to skip)", "amount", required=False),
        ),
    ),
    Q(
        "sla.start",
        "วันเริ่มต้นข้อตกลงระดับการให้บริการ (SLA)",
        "SLA start",
        "date",
        check=check_in_term,
        when=sla_needed,
        default=lambda a: get(a, "term.start"),
    ),
    Q(
        "sla.end",
        "วันสิ้นสุด SLA (ไม่เกิน 12 เดือน)",
        "SLA end (at most 12 months)",
        "date",
        check=check_sla_end,
        when=sla_needed,
        default=year_later,
    ),
    Q("sla.review", "ความถี่ในการทบทวน SLA", "SLA review", "choice", FREQ[:4], default="quarterly", when=sla_needed),
    Q("sla.leads.delegator", "ผู้ประสานงานหลักฝ่ายผู้มอบภารกิจ", "Delegator's SLA lead", when=sla_needed),
    Q("sla.leads.partner", "ผู้ประสานงานหลักฝ่ายผู้รับมอบภารกิจ", "Partner's SLA lead", when=sla_needed),
    Q(
        "sla.services",
        "บริการและมาตรฐาน",
        "Services and standards",
        "records",
        when=sla_needed,
        fields=(
            Q("name", "ชื่อบริการ", "Service"),
            Q("description", "รายละเอียด (Enter เพื่อข้าม)", "Description (Enter to skip)", required=False),
            Q("standard", "มาตรฐานการให้บริการ", "Standard"),
        ),
    ),
    Q("sla.escalation", "ขั้นตอนการยกระดับปัญหา (ทีละขั้น)", "Escalation steps (one at a time)", "list", when=sla_needed),
    Q("sla.remedy", "มาตรการเยียวยา", "Remedy", when=sla_needed),
    Q(  # the browser shows the model's optional clauses to tick (the terminal leaves them to the spec file)
        "clauses",
        "ข้อสัญญาที่เลือกได้ (ติ๊กข้อที่ต้องการให้มีในบันทึกข้อตกลง)",
        "Optional clauses (tick the ones the agreement should have)",
        "clauses",
        required=False,
    ),
    Q("personal_data.involved", "มีการใช้ข้อมูลส่วนบุคคลหรือไม่", "Is personal data involved", "bool", default=False),
    Q(
        "personal_data.categories",
        "ประเภทข้อมูลส่วนบุคคล (ทีละรายการ)",
        "Personal data categories (one at a time)",
        "list",
        when=personal,
    ),
    Q("personal_data.purpose", "วัตถุประสงค์ของการใช้ข้อมูล", "Purpose", when=personal),
    Q(
        "personal_data.retention",
        "ระยะเวลาการเก็บรักษา (เช่น ๕ ปีนับแต่สิ้นสุดบันทึกข้อตกลง)",
        "Retention (e.g. five years after the agreement ends)",
        when=personal,
    ),
    Q(
        "personal_data.lawful_basis",
        "ฐานทางกฎหมายที่ผู้มอบภารกิจอาศัย (Enter = การปฏิบัติหน้าที่เพื่อประโยชน์สาธารณะ มาตรา ๒๔ (๔))",
        "The lawful basis the delegator relies on (Enter = a task in the public interest, s.24 (4))",
        required=False,
        when=personal,
    ),
    Q(
        "personal_data.partner_role",
        "ฐานะของผู้รับมอบภารกิจต่อข้อมูลส่วนบุคคล (Enter = ตามประเภท — หน่วยงานของรัฐและ อปท. เป็นผู้ควบคุม อื่น ๆ เป็นผู้ประมวลผล)",
        "The partner's role for the personal data (Enter = by its kind — a state agency or local government controls, others process)",
        "choice",
        DATA_ROLES,
        required=False,
        when=personal,
    ),
    Q(
        "witnesses",
        "พยาน",
        "Witnesses",
        "records",
        required=False,
        minimum=lambda a: 0,
        fields=(
            Q("name", "ชื่อพยาน", "Name"),
            Q("position", "ตำแหน่ง", "Position"),
            Q("party", "ฝ่าย", "Party", "choice", PARTIES[:2]),
        ),
    ),
    Q("copies", "จำนวนฉบับ", "Number of copies", "int", default=2),
    Q(
        "copies_kept_by",
        "ผู้เก็บรักษาฉบับที่เกินจำนวนผู้ลงนาม (ทีละราย)",
        "Who keeps each copy beyond one per signatory (one at a time)",
        "list",
        when=lambda a, s: extra_copies(a) > 0,
    ),
)
