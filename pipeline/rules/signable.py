"""What makes an agreement signable (SPEC §2, a government lawyer's reading): who is bound (a unit signs through the
juristic person it belongs to), who may sign (a deputy or delegate shows the authority), safeguarding where the
users are children, what passing an evaluation means, everyone named is a party, and the line-item budget."""

from __future__ import annotations

import re
from decimal import Decimal

from .facts import delegator_amount, eval_words, named_evaluations

# A name that begins with one of these is a unit that may not be a juristic person on its own.
_UNIT_TH = ("ชมรม", "กลุ่ม", "เครือข่าย", "คณะ", "ภาควิชา", "สถาบัน", "ศูนย์")
_UNIT_EN = re.compile(r"^(?:the\s+)?(club|group|network|faculty|institute|centre|center)\b", re.I)
# A position that says its holder acts for someone else or as a deputy.
_DEPUTY_TH = re.compile(r"^\s*(รอง|ผู้ช่วย)|รักษาราชการแทน|ปฏิบัติราชการแทน|ผู้รับมอบอำนาจ")
_DEPUTY_EN = re.compile(r"^\s*(deputy|assistant)\b|\bacting\b|\bon behalf of\b", re.I)
# Vulnerable users (SPEC §2): children and youth, persons with disabilities, older people in need of care or
# protection. Thai words anywhere (Thai has no spaces between words), English as whole words.
_CHILDREN_TH = re.compile(
    r"เด็ก|เยาวชน|นักเรียน|วัยเรียน|ทารก|วัยรุ่น|ผู้เยาว์|คนพิการ|ผู้พิการ|ความพิการ"
    r"|ผู้สูงอายุที่ต้องได้รับการคุ้มครอง|ผู้สูงอายุติดเตียง|ผู้สูงอายุที่มีภาวะพึ่งพิง"
)
_CHILDREN_EN = re.compile(
    r"\b(child|children|youth|youths|minor|minors|pupil|pupils|student|students|kid|kids|infant|infants|adolescent"
    r"|adolescents|teenager|teenagers|disabled|disability|disabilities|bedridden|dependent older"
    r"|older persons? who needs? protection)\b",
    re.I,
)
_PASS = re.compile(r"ผ่านการประเมิน|pass(?:es|ed)? the .{0,40}?evaluation", re.I)


def is_unit(name: str) -> bool:
    return name.strip().startswith(_UNIT_TH) or bool(_UNIT_EN.match(name.strip()))


def needs_authority(kind: str | None) -> bool:
    """A party that is not a government body shows what empowers its signatory (its regulations, a resolution, a
    power of attorney): the rule `authority` for the partner and supporters, and the questionnaire asks it so."""
    return kind is not None and kind != "government"


def acts_for_another(position: str) -> bool:
    """รองอธิบดี, ผู้ช่วยผู้อำนวยการ, … รักษาราชการแทน, Deputy Director, acting Director — not คุ้มครอง (a word)."""
    return bool(_DEPUTY_TH.search(position) or _DEPUTY_EN.search(position))


def names_children(text: str | None) -> bool:
    return bool(text and (_CHILDREN_TH.search(text) or _CHILDREN_EN.search(text)))


def names_vulnerable(target_group, objectives, activities) -> bool:
    """The safeguarding rule's test, on a spec or on answers: the target group, an objective or an activity (name,
    description) names vulnerable users."""
    texts = [target_group, *objectives, *(t for pair in activities for t in pair)]
    return any(names_children(t if isinstance(t, str) else str(t or "")) for t in texts)


def waits_to_pass(after: str | None, condition: str | None) -> bool:
    """An instalment paid once an evaluation is passed: its `after` names one, or its condition names one or says
    ผ่านการประเมิน / pass the … evaluation."""
    condition = condition if isinstance(condition, str) else ("" if condition is None else str(condition))
    return bool((after and after != "signing") or named_evaluations(condition) or _PASS.search(condition))


def _who(spec):
    """(path, role in words, the party or supporter) for the delegator, the partner and every supporter."""
    p = spec.parties
    yield ("parties", "delegator"), ("ผู้มอบภารกิจ", "the delegator"), p.delegator, True
    yield ("parties", "partner"), ("ผู้รับมอบภารกิจ", "the partner"), p.partner, True
    for k, s in enumerate(p.supporters):
        yield ("parties", "supporters", k), (f"ภาคส่วนอื่นสนับสนุน {s.name}", f"the supporter '{s.name}'"), s, s.signs


def bound(spec, settings, library, add) -> None:
    """Who is bound: a unit gives the juristic person it belongs to (or its own registration); a CSO or a company
    gives its registration (a warning)."""
    for path, (th, en), who, _ in _who(spec):
        if who.kind != "government" and is_unit(who.name) and not who.part_of and not who.registration:
            add(
                path + ("part_of",),
                f"{th} ({who.name}) มีชื่อขึ้นต้นด้วยหน่วยที่อาจไม่เป็นนิติบุคคล ต้องระบุนิติบุคคลที่สังกัด (part_of) "
                f"ซึ่งเป็นคู่สัญญาโดยหน่วยนี้ หรือระบุการจดทะเบียนหรือกฎหมายจัดตั้ง (registration) หากเป็นนิติบุคคลเอง",
                f"{en} ('{who.name}') is named as a unit that may not be a juristic person: give part_of, the juristic "
                f"person that is bound through it, or registration when it is a juristic person itself",
            )
        if who.kind in ("cso", "private") and not who.registration and not who.part_of:
            add(
                path + ("registration",),
                f"{th} ({who.name}) ควรระบุการจดทะเบียน (registration) เช่น มูลนิธิ สมาคม หรือบริษัท และเลขทะเบียน",
                f"{en} ('{who.name}') should give its registration (foundation, association or company, and number)",
                True,
            )


def authority(spec, settings, library, add) -> None:
    """Who signs for another, or as a deputy, shows the instrument; so does a non-government partner or signing
    supporter (an error: an agreement signed without it may bind no one)."""
    for path, (th, en), who, signs in _who(spec):
        rep = who.representative
        if not signs or rep is None or who.authority:
            continue
        if acts_for_another(rep.position):
            add(
                path + ("authority",),
                f"ผู้ลงนามของ{th} ({rep.position}) ลงนามแทนหรือในฐานะรอง ต้องระบุคำสั่งมอบอำนาจหรือหนังสือมอบอำนาจ (authority)",
                f"{en}'s representative ('{rep.position}') signs for another or as a deputy: give the delegation "
                f"(authority) that empowers them",
            )
        elif needs_authority(who.kind) and path[1] != "delegator":
            add(
                path + ("authority",),
                f"{th} ไม่ใช่หน่วยงานรัฐ ต้องระบุอำนาจของผู้ลงนาม (authority) เช่น ข้อบังคับ มติคณะกรรมการ หรือหนังสือมอบอำนาจ",
                f"{en} is not a government body: give the authority that empowers its representative "
                f"(regulations, a resolution, a power of attorney)",
            )


def safeguarding(spec, settings, library, add) -> None:
    """Vulnerable users (children or youth, persons with disabilities, older people in need of protection) named in
    the target group, an activity or an objective: the safeguarding clause (scope.vulnerable_users) is required."""
    if spec.scope.vulnerable_users:
        return
    activities = [(a.name, a.description) for a in spec.scope.activities]
    if names_vulnerable(spec.scope.target_group, spec.objectives, activities):
        add(
            ("scope", "vulnerable_users"),
            "กลุ่มเป้าหมาย กิจกรรม หรือวัตถุประสงค์เกี่ยวกับเด็กหรือเยาวชน คนพิการ หรือผู้สูงอายุที่ต้องได้รับการคุ้มครอง "
            "ต้องกำหนด scope.vulnerable_users: true เพื่อให้มีข้อการคุ้มครองเด็กและผู้เปราะบาง",
            "the target group, an activity or an objective names children or youth, persons with disabilities or "
            "older people in need of protection: set scope.vulnerable_users: true, which adds the safeguarding clause",
        )


def pass_criteria(spec, settings, library, add) -> None:
    """An instalment paid when an evaluation is passed needs the spec to say what passing means."""
    if spec.evaluation.pass_criteria:
        return
    for k, inst in enumerate(spec.instalments):
        if waits_to_pass(inst.after, inst.condition):
            add(
                ("evaluation", "pass_criteria"),
                f"งวดที่ {k + 1} จ่ายเมื่อผ่านการประเมินผล ต้องระบุเกณฑ์การผ่านการประเมิน (evaluation.pass_criteria)",
                f"instalment {k + 1} is paid once an evaluation is passed: give evaluation.pass_criteria, "
                f"what passing means",
            )
            return


def _same(a: str, b: str) -> bool:
    """Two `after` values for one evaluation ("midterm" is "midterm 1")."""
    norm = lambda v: v if " " in v or v in ("final", "signing") else f"{v} 1"  # noqa: E731
    return norm(a) == norm(b)


def _evaluations_passed(spec, inst) -> list[str]:
    """The evaluations an instalment waits to pass; a condition that names none means the latest one scheduled on or
    before its due date."""
    named = ([inst.after] if inst.after and inst.after != "signing" else []) + named_evaluations(inst.condition)
    if named or not _PASS.search(inst.condition or ""):
        return named
    ev = spec.evaluation
    dated = [(d, f"midterm {k + 1}") for k, d in enumerate(ev.midterms)]
    dated += [(d, f"yearly {k + 1}") for k, d in enumerate(ev.yearly)] + [(ev.final, "final")]
    before = [(d, at) for d, at in dated if d <= inst.due]
    return [max(before)[1]] if before else []


def steps(spec, settings, library, add) -> None:
    """Passing is measured against targets that exist for the period evaluated: every indicator has a step for each
    evaluation a payment waits to pass (for the final evaluation its end-of-term target serves)."""
    wanted: list[str] = []
    for inst in spec.instalments:
        for at in _evaluations_passed(spec, inst):
            if at != "final" and not any(_same(at, w) for w in wanted):
                wanted.append(at)
    for k, ind in enumerate(spec.indicators):
        for at in wanted:
            if not any(_same(at, s.at) for s in ind.steps):
                th, en = eval_words(at)
                add(
                    ("indicators", k, "steps"),
                    f"มีงวดเงินที่จ่ายเมื่อผ่าน{th} ตัวชี้วัด '{ind.name}' จึงต้องระบุค่าเป้าหมาย ณ {th} (steps: at: {at})",
                    f"a payment waits to pass the {en}: indicator '{ind.name}' needs its target for that evaluation "
                    f"(steps: at: {at})",
                )


def named_parties(spec, settings, library, add) -> None:
    """A supporter that does not sign gives no money and carries no budgeted action (its help binds no one)."""
    sup = spec.parties.supporters
    names = [s.name for s in sup]

    def supporter_of(name):
        n = name if name is not None else (names[0] if len(names) == 1 else None)
        return next((s for s in sup if s.name == n), None)

    for k, src in enumerate(spec.budget.sources):
        s = supporter_of(src.supporter) if src.provider == "supporters" else None
        if s is not None and not s.signs:
            add(
                ("budget", "sources", k),
                f"{s.name} ไม่ได้ลงนาม จึงให้เงินตามบันทึกข้อตกลงนี้ไม่ได้ ให้กำหนด signs: true หรือไม่นับเป็นแหล่งเงิน",
                f"'{s.name}' does not sign, so it cannot provide money under this agreement: set signs: true or "
                f"drop the source",
            )
    for k, item in enumerate(spec.action_plan):
        s = supporter_of(item.supporter) if item.responsible == "supporters" else None
        if s is not None and not s.signs and getattr(item, "budget", None):
            add(
                ("action_plan", k, "responsible"),
                f"{s.name} ไม่ได้ลงนาม จึงรับผิดชอบกิจกรรมที่มีงบประมาณไม่ได้",
                f"'{s.name}' does not sign, so it cannot be responsible for an action-plan item with a budget",
            )


def budget_lines(spec, settings, library, add) -> None:
    """The line-item budget adds up to the delegator's money, and per fiscal year where the lines give one."""
    lines = spec.budget.lines
    if not lines:
        return
    total = sum((line.amount for line in lines), Decimal(0))
    money = delegator_amount(spec)
    if total != money:
        add(
            ("budget", "lines"),
            f"รายการงบประมาณรวมกันได้ {total:,} บาท ไม่เท่ากับเงินของผู้มอบภารกิจ {money:,} บาท",
            f"the budget lines add up to {total:,}, not to the delegator's money {money:,}",
        )
    years: dict[int, Decimal] = {}
    for line in lines:
        if line.fiscal_year is not None:
            years[line.fiscal_year] = years.get(line.fiscal_year, Decimal(0)) + line.amount
    if not years or any(line.fiscal_year is None for line in lines):  # per year only when every line says its year
        return
    given: dict[int, Decimal] = {}
    for s in spec.budget.sources:
        if s.provider != "delegator":
            continue
        if s.fiscal_years:
            for year, amount in s.fiscal_years.items():
                given[int(year)] = given.get(int(year), Decimal(0)) + amount
        elif s.fiscal_year is not None:
            given[s.fiscal_year] = given.get(s.fiscal_year, Decimal(0)) + s.amount
    for year, amount in sorted(years.items()):
        if year in given and given[year] != amount:
            add(
                ("budget", "lines"),
                f"รายการงบประมาณปีงบประมาณ {year} รวม {amount:,} บาท ไม่เท่ากับเงินของผู้มอบภารกิจในปีนั้น {given[year]:,} บาท",
                f"the budget lines of fiscal year {year} add up to {amount:,}, not to the delegator's {given[year]:,} that year",
            )
