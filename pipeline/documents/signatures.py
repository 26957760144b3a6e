"""The signature block and who is named in it: each signer's lines (the dotted line, the name, the position, the
office acted for, the juristic person a unit signs for), the roles that sign, and the rule that the last clause never
leaves the signatures alone on a page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.library.clauses import Library
from pipeline.render import thai
from pipeline.render.document import SIGNATURE_DOTS, Block, BlockRow, Section
from pipeline.spec.model import Party, Spec, Supporter


@dataclass(frozen=True)
class Signer:
    name: str
    position: str
    label: str
    acting: str = ""  # "ปฏิบัติราชการแทนอธิบดี…": the office the representative acts for, in the block's words
    behalf: str = ""  # "ในนามมหาวิทยาลัย…": the juristic person a unit signs for (part_of), above the signature


def bound_name(who: Party | Supporter, lang: str, article: bool = True) -> str:
    """The party as the agreement binds it: a unit without legal personality (`part_of`) is written "X โดย Y", the
    juristic person acting through its unit (DRAFTING: parties), everywhere the party is named."""
    part_of = getattr(who, "part_of", None)
    if not part_of:
        return who.name if lang == "th" or not article else thai.with_article(who.name)
    if lang == "th":
        return f"{part_of} โดย{who.name}"
    return f"{thai.with_article(part_of)}, acting through {thai.with_article(who.name)}"


def juristic_name(who: Party | Supporter, lang: str) -> str:
    """The juristic person itself: whom the representative acts for and whose account is paid."""
    name = getattr(who, "part_of", None) or who.name
    return name if lang == "th" else thai.with_article(name)


def behalf_words(who: Party | Supporter, library: Library, lang: str) -> str:
    if not getattr(who, "part_of", None):
        return ""
    return str(library.labels["signature"]["behalf"][lang].format(name=juristic_name(who, lang)))


def signature_roles(spec: Spec) -> tuple[str, ...]:
    """The names of the final PDF's signature fields, in the order the blocks are printed (signatories two abreast,
    then the witnesses): delegator, partner, supporter:NAME for each supporter that signs, witness:N."""
    p = spec.parties
    return (
        ("delegator", "partner")
        + tuple(f"supporter:{s.name}" for s in p.supporters if s.signs and s.representative)
        + tuple(f"witness:{i}" for i in range(1, len(spec.witnesses) + 1))
    )


def acting_words(who: Party | Supporter, library: Library, lang: str) -> str:
    """ "ปฏิบัติราชการแทนอธิบดี…" (a government party) or "ปฏิบัติการแทนอธิการบดี…": the capacity of a representative
    who acts for an office (representative.acting_for), as the parties paragraph and the signature block print it."""
    rep = getattr(who, "representative", None)
    office = getattr(rep, "acting_for", None) if rep is not None else None
    if not office:
        return ""
    key = "acting_government" if who.kind == "government" else "acting"
    return str(library.labels["signature"][key][lang].format(office=office))


def signature_lines(signers: list[Signer], library: Library, lang: str) -> list[BlockRow]:
    """Signature blocks two abreast, one table row per line (signature, name, position, the capacity when one acts
    for an office, role), so that the lines of the two blocks stay level when a position wraps; a pair's rows are
    kept together on one page."""
    signed = library.labels["signature"]["signed"][lang]
    line = "." * SIGNATURE_DOTS  # the fields of the final PDF are laid over exactly these
    out = []
    for i in range(0, len(signers), 2):
        pair: list[Signer | None] = [*signers[i : i + 2], *[None] * (2 - len(signers[i : i + 2]))]
        texts: list[Callable[[Signer], str]] = [
            lambda s: f"{signed} {line}",
            lambda s: f"({s.name})",
            lambda s: s.position,
        ]
        if any(s is not None and s.behalf for s in pair):
            texts.insert(0, lambda s: s.behalf)
        if any(s is not None and s.acting for s in pair):
            texts.append(lambda s: s.acting)
        texts.append(lambda s: s.label)
        for n, text in enumerate(texts):
            row = BlockRow(text(s) if s else "" for s in pair)
            row.first = n == 0  # the space above a block goes on its first row, whichever lines it has
            out.append(row)
    return out


def keep_with_signatures(sections: list[Section]) -> None:
    """The last lines of the body go to the page of the closing and the signatures (they never stand alone there):
    the body's last paragraph is kept with what follows, like a lead-in."""
    at = next((i for i, s in enumerate(sections) if s.id == "signatures"), None)
    if not at or not sections[at - 1].blocks or sections[at - 1].blocks[-1].kind == "table":
        return
    prev = sections[at - 1]
    sections[at - 1] = Section(
        prev.id, prev.part, prev.heading, prev.blocks[:-1] + (Block("lead", prev.blocks[-1].text),)
    )
