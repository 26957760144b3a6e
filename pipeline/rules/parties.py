"""Parties, supporters and copies (SPEC §2): every supporter reference names one, who signs has a representative
and an authority, one copy per signatory and a keeper for every other; who is bound (a unit signs through the
juristic person it belongs to), who may sign (a deputy or delegate shows the authority), and everyone named is a
party that signs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.library.clauses import Library
from pipeline.spec.model import Party, Spec, Supporter
from pipeline.spec.settings import Settings

from .facts import Add

# A name that begins with one of these is a unit that may not be a juristic person on its own.
_UNIT_TH = ("ชมรม", "กลุ่ม", "เครือข่าย", "คณะ", "ภาควิชา", "สถาบัน", "ศูนย์")
_UNIT_EN = re.compile(r"^(?:the\s+)?(club|group|network|faculty|institute|centre|center)\b", re.I)
# A position that says its holder acts for someone else or as a deputy.
_DEPUTY_TH = re.compile(r"^\s*(รอง|ผู้ช่วย)|รักษาราชการแทน|ปฏิบัติราชการแทน|ผู้รับมอบอำนาจ")
_DEPUTY_EN = re.compile(r"^\s*(deputy|assistant)\b|\bacting\b|\bon behalf of\b", re.I)


def copies(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    signatories, copies = spec.signatories(), spec.copy_count()
    if copies < signatories:
        add(
            ("copies",),
            f"จำนวนฉบับ ({copies}) ต้องไม่น้อยกว่าจำนวนผู้ลงนาม ({signatories})",
            f"copies ({copies}) must be at least the number of signatories ({signatories})",
        )
    elif copies - signatories != len(spec.copies_kept_by):
        extra = copies - signatories
        add(
            ("copies_kept_by",) if spec.copies_kept_by else ("copies",),
            f"บันทึกข้อตกลงทำ {copies} ฉบับ แต่มีผู้ลงนาม {signatories} ฝ่าย ต้องระบุผู้เก็บรักษาฉบับที่เหลือ {extra} ฉบับใน copies_kept_by (ระบุไว้ {len(spec.copies_kept_by)})",
            f"{copies} copies for {signatories} signatories: copies_kept_by must name the keeper of each of the {extra} other copies (it names {len(spec.copies_kept_by)})",
        )


def supporters(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    """Every `supporters` reference names a supporter that exists; who signs has a representative (its authority:
    `authority` below)."""
    sup = spec.parties.supporters
    names = [s.name for s in sup]
    for path, who, name in _supporter_refs(spec):
        _supporter_ref(path, who, name, names, add)
    _supporter_roles(spec.roles.supporters, names, add)
    if len(set(names)) != len(names):
        add(("parties", "supporters"), "ชื่อภาคส่วนอื่นสนับสนุนต้องไม่ซ้ำกัน", "supporter names must be unique")
    for k, s in enumerate(sup):
        path = ("parties", "supporters", k)
        if s.signs and s.representative is None:
            add(
                path + ("representative",),
                "ภาคส่วนอื่นสนับสนุนที่ลงนามต้องระบุผู้แทน (representative)",
                "a supporter that signs needs a representative",
            )


def _supporter_refs(spec: Spec) -> list[tuple[tuple[str | int, ...], str | None, str | None]]:
    """(path, the party it names, the supporter's name) of every place a spec may name a supporter."""
    refs: list[tuple[tuple[str | int, ...], str | None, str | None]] = [
        (("budget", "sources", k), s.provider, s.supporter) for k, s in enumerate(spec.budget.sources)
    ]
    refs += [
        (("joint_committee", "members", k), m.party, m.supporter)
        for k, m in enumerate(spec.joint_committee.members if spec.joint_committee else [])
    ]
    refs += [(("indicators", k), x.responsible, x.supporter) for k, x in enumerate(spec.indicators)]
    refs += [(("action_plan", k), x.responsible, x.supporter) for k, x in enumerate(spec.action_plan)]
    refs += [(("witnesses", k), w.party, w.supporter) for k, w in enumerate(spec.witnesses)]
    return refs


def _supporter_ref(path: tuple[str | int, ...], who: str | None, name: str | None, names: list[str], add: Add) -> None:
    if who != "supporters":
        if name is not None:
            add(
                path + ("supporter",),
                "ระบุ supporter ได้เฉพาะเมื่อฝ่ายคือ supporters",
                "supporter is given only beside supporters",
            )
    elif not names:
        add(
            path,
            "อ้างถึงภาคส่วนอื่นสนับสนุน แต่ parties.supporters ไม่มีรายชื่อ",
            "names the supporters, but parties.supporters lists none",
        )
    elif name is None and len(names) > 1:
        add(
            path,
            f"มีภาคส่วนอื่นสนับสนุน {len(names)} ราย ต้องระบุ supporter ว่าหมายถึงรายใด",
            f"there are {len(names)} supporters: say which with supporter",
        )
    elif name is not None and name not in names:
        add(path + ("supporter",), f"ไม่มี '{name}' ใน parties.supporters", f"'{name}' is not in parties.supporters")


def _supporter_roles(roles: object, names: list[str], add: Add) -> None:
    """The supporters' duties: by name when there are several, and only for supporters there are."""
    if isinstance(roles, dict):
        for name in roles:
            if name not in names:
                add(
                    ("roles", "supporters", name),
                    f"ไม่มี '{name}' ใน parties.supporters",
                    f"'{name}' is not in parties.supporters",
                )
    elif roles and len(names) > 1:
        add(
            ("roles", "supporters"),
            "มีภาคส่วนอื่นสนับสนุนหลายราย ต้องระบุบทบาทแยกตามชื่อแต่ละราย",
            "with several supporters, give their duties per supporter name",
        )
    elif roles and not names:
        add(
            ("roles", "supporters"),
            "ระบุบทบาทของภาคส่วนอื่นสนับสนุน แต่ parties.supporters ไม่มีรายชื่อ",
            "roles for supporters, but parties.supporters lists none",
        )


def is_unit(name: str) -> bool:
    return name.strip().startswith(_UNIT_TH) or bool(_UNIT_EN.match(name.strip()))


def needs_authority(kind: str | None) -> bool:
    """A party that is not a government body shows what empowers its signatory (its regulations, a resolution, a
    power of attorney): the rule `authority` for the partner and supporters, and the questionnaire asks it so."""
    return kind is not None and kind != "government"


def acts_for_another(position: str) -> bool:
    """รองอธิบดี, ผู้ช่วยผู้อำนวยการ, … รักษาราชการแทน, Deputy Director, acting Director — not คุ้มครอง (a word)."""
    return bool(_DEPUTY_TH.search(position) or _DEPUTY_EN.search(position))


def _who(spec: Spec) -> Iterator[tuple[tuple[str | int, ...], tuple[str, str], Party | Supporter, bool]]:
    """(path, role in words, the party or supporter) for the delegator, the partner and every supporter."""
    p = spec.parties
    yield ("parties", "delegator"), ("ผู้มอบภารกิจ", "the delegator"), p.delegator, True
    yield ("parties", "partner"), ("ผู้รับมอบภารกิจ", "the partner"), p.partner, True
    for k, s in enumerate(p.supporters):
        yield ("parties", "supporters", k), (f"ภาคส่วนอื่นสนับสนุน {s.name}", f"the supporter '{s.name}'"), s, s.signs


def bound(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
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


def authority(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
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


def named_parties(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    """A supporter that does not sign gives no money and carries no budgeted action (its help binds no one)."""
    sup = spec.parties.supporters
    names = [s.name for s in sup]

    def supporter_of(name: str | None) -> Supporter | None:
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
