"""Parties, supporters and copies (SPEC §2): every supporter reference names one, who signs has a representative
and an authority, one copy per signatory and a keeper for every other."""

from __future__ import annotations


def copies(spec, settings, library, add) -> None:
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


def supporters(spec, settings, library, add) -> None:
    """Every `supporters` reference names a supporter that exists; who signs has a representative (authority:
    signable.py)."""
    sup = spec.parties.supporters
    names = [s.name for s in sup]
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
    for path, who, name in refs:
        if who != "supporters":
            if name is not None:
                add(
                    path + ("supporter",),
                    "ระบุ supporter ได้เฉพาะเมื่อฝ่ายคือ supporters",
                    "supporter is given only beside supporters",
                )
            continue
        if not sup:
            add(
                path,
                "อ้างถึงภาคส่วนอื่นสนับสนุน แต่ parties.supporters ไม่มีรายชื่อ",
                "names the supporters, but parties.supporters lists none",
            )
        elif name is None and len(sup) > 1:
            add(
                path,
                f"มีภาคส่วนอื่นสนับสนุน {len(sup)} ราย ต้องระบุ supporter ว่าหมายถึงรายใด",
                f"there are {len(sup)} supporters: say which with supporter",
            )
        elif name is not None and name not in names:
            add(path + ("supporter",), f"ไม่มี '{name}' ใน parties.supporters", f"'{name}' is not in parties.supporters")
    roles = spec.roles.supporters
    if isinstance(roles, dict):
        for name in roles:
            if name not in names:
                add(
                    ("roles", "supporters", name),
                    f"ไม่มี '{name}' ใน parties.supporters",
                    f"'{name}' is not in parties.supporters",
                )
    elif roles and len(sup) > 1:
        add(
            ("roles", "supporters"),
            "มีภาคส่วนอื่นสนับสนุนหลายราย ต้องระบุบทบาทแยกตามชื่อแต่ละราย",
            "with several supporters, give their duties per supporter name",
        )
    elif roles and not sup:
        add(
            ("roles", "supporters"),
            "ระบุบทบาทของภาคส่วนอื่นสนับสนุน แต่ parties.supporters ไม่มีรายชื่อ",
            "roles for supporters, but parties.supporters lists none",
        )
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
