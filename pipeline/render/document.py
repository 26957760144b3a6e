"""A document as the renderers take it: a title block, then sections of paragraphs, lead-ins, items and tables. The
documents/ package makes one (agreement, SLA of year N, amendment); docx.py writes it, and pdf.py converts the DOCX."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

SIGNATURE_DOTS = 45  # the dotted line a signature goes on ("ลงชื่อ ....", "Signed ...."); other dotted lines differ


@dataclass(frozen=True)
class Table:
    style: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]
    aligns: tuple[str, ...] = ()
    total: tuple[str, ...] | None = None  # the total row, when the table has one
    starts: tuple[int, ...] = ()  # signatures: the rows that begin a block (its space above); a block has 4 to 6 rows


class BlockRow(tuple[str, ...]):
    """A row of a signature table that knows whether it begins a block (`first`), read when the table is made."""

    first = False


def block_starts(rows: Iterable[object]) -> tuple[int, ...]:
    return tuple(i for i, row in enumerate(rows) if getattr(row, "first", False))


# A paragraph; a lead-in (a sentence that introduces what follows: kept with it on the page); an item of a list; a table.
BlockKind = Literal["para", "lead", "item", "table"]
# Where a section stands: before the clauses, among them, the signatures' part, an annex.
Part = Literal["preamble", "body", "closing", "annex"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str = ""
    table: Table | None = None
    sub: bool = False  # starts a numbered sub-clause (a clause's first line, or a line written "+ …")


@dataclass(frozen=True)
class Section:
    id: str
    part: Part
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Agreement:
    lang: str
    model: str
    front: dict[str, str]  # the title block: document title, model, subject, parties, reference number, draft mark
    sections: tuple[Section, ...]
    clauses: dict[str, int]  # clause id -> version, in document order
    required: tuple[str, ...]  # section ids this agreement must contain
    draft: bool = False
    properties: dict[str, object] = field(default_factory=dict)
    signers: tuple[str, ...] = ()  # the signature fields of the final PDF, by role, in the order the blocks are printed

    def section_ids(self) -> list[str]:
        return [s.id for s in self.sections]
