"""Which model fits a mission: the manual's step 1 (การประยุกต์ใช้ตัวแบบ) as a pure function."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recommendation:
    model: str
    th: str
    en: str


def recommend(
    mission: str | None = None,
    time_bound: bool | None = None,
    routine: bool | None = None,
    capacity_gap: bool | None = None,
    joint_structure: bool | None = None,
) -> Recommendation:
    """grant for a time-bound project that is not routine work; performance for a continuing or routine service the
    agency must provide but lacks the capacity for; commissioning for several missions under one policy, run
    long-term through a formal joint structure."""
    if mission == "portfolio" or joint_structure:
        return Recommendation(
            "commissioning",
            "ภารกิจหลากหลายภายใต้นโยบายหรือยุทธศาสตร์ร่วม ดำเนินการระยะยาวผ่านโครงสร้างความร่วมมือที่เป็นทางการ (คณะกรรมการร่วมและสำนักงานเลขานุการร่วม) จึงเหมาะกับรูปแบบกลไกขับเคลื่อนงานภายใต้สัญญาร่วม",
            "several missions under one policy, run long-term through a formal joint structure (joint committee and secretariat): the commissioning model fits",
        )
    if mission == "service" or routine or (capacity_gap and time_bound is False):
        return Recommendation(
            "performance",
            "เป็นบริการต่อเนื่องหรืองานประจำที่หน่วยงานต้องจัดให้แต่ขาดศักยภาพ จึงเหมาะกับรูปแบบการทำสัญญาข้อตกลงที่จ่ายเงินเป็นงวดตามผลการประเมิน",
            "a continuing or routine service the agency must provide but lacks the capacity for: the performance-based contracting model fits",
        )
    return Recommendation(
        "grant",
        "เป็นโครงการที่มีระยะเวลาชัดเจนและไม่ใช่งานประจำ เช่น การจัดทำฐานข้อมูล การสำรวจ หรือการฝึกอบรม จึงเหมาะกับรูปแบบการให้เงินอุดหนุน",
        "a project with a clear time frame that is not routine work (a database, a survey, training): the grant model fits",
    )
