"""Assemble an agreement: pick the clauses a spec needs, render them in a sandbox, number them, localise digits."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from . import thai
from .errors import DocumentError, LibraryError
from .library import Clause, Library
from .rules import delegator_amount, sla_required
from .settings import Settings
from .spec import Spec


@dataclass(frozen=True)
class Table:
    style: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Block:
    kind: str  # "para" | "item" | "table"
    text: str = ""
    table: Table | None = None


@dataclass(frozen=True)
class Section:
    id: str
    part: str
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Agreement:
    lang: str
    model: str
    front: dict  # the title block: document title, model, subject, parties, reference number, draft mark
    sections: tuple[Section, ...]
    clauses: dict  # clause id -> version, in document order
    required: tuple[str, ...]  # section ids this agreement must contain
    draft: bool = False
    properties: dict = field(default_factory=dict)

    def section_ids(self) -> list[str]:
        return [s.id for s in self.sections]


def _env(lang: str, labels: dict) -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=True, autoescape=False)

    def label(value, group):
        entry = labels.get(group, {}).get(str(value))
        return entry[lang] if entry else str(value)

    env.filters.update(
        date=lambda d: thai.date(d, lang),
        money=lambda v: thai.money(v, lang),
        figures=thai.money_figures,
        num=thai.number,
        label=label,
    )
    return env


@functools.lru_cache(maxsize=32)
def _compiled(library: Library, lang: str):
    """Compile every clause text, table cell and condition of a library once per language."""
    env = _env(lang, library.labels)
    out = {}
    try:
        for cid, clause in library.clauses.items():
            out[cid] = (
                env.from_string(getattr(clause.text, lang)),
                env.compile_expression(clause.when) if clause.when else None,
                (env.compile_expression(clause.table.rows), [env.from_string(c.cell) for c in clause.table.columns]) if clause.table else None,
            )
        conditions = {
            (s.id, m): env.compile_expression(status[5:])
            for s in library.sections.sections for m, status in s.models.items() if status.startswith("when ")
        }
    except TemplateError as exc:
        raise LibraryError(f"ข้อความในคลังข้อสัญญามีรูปแบบ Jinja ผิด / a clause in the library has a Jinja error: {exc}")
    return out, conditions


@dataclass(frozen=True)
class _Row:
    amount: Decimal
    percent: Decimal | None
    due: object
    condition: str


@dataclass(frozen=True)
class _Signer:
    name: str
    position: str
    label: str


def context(spec: Spec, settings: Settings, library: Library) -> dict:
    """What the clause texts see: the spec itself, plus the few values derived from it."""
    lang = spec.language
    party = lambda key: library.labels["party"][key][lang]  # noqa: E731
    witness = library.labels["signature"]["witness"][lang]
    base = delegator_amount(spec)
    rows = [
        _Row(i.amount if i.amount is not None else thai.to_money(base * i.percent / 100), i.percent, i.due, i.condition)
        for i in spec.instalments
    ]
    p = spec.parties
    signers = [
        _Signer(p.delegator.representative.name, p.delegator.representative.position, party("delegator")),
        _Signer(p.partner.representative.name, p.partner.representative.position, party("partner")),
    ]
    witnesses = [_Signer(w.name, w.position, witness) for w in spec.witnesses]
    pairs = lambda xs: [(xs[i], xs[i + 1] if i + 1 < len(xs) else None) for i in range(0, len(xs), 2)]  # noqa: E731
    ctx = {name: getattr(spec, name) for name in type(spec).model_fields}
    ctx.update(
        lang=lang,
        background_lines=[line.strip() for line in spec.background.splitlines() if line.strip()],
        term_months=thai.months_between(spec.term.start, spec.term.end),
        delegator_amount=base,
        instalment_rows=rows,
        instalment_total=sum((r.amount for r in rows), Decimal(0)),
        signature_rows=pairs(signers),
        witness_rows=pairs(witnesses),
        sla_required=sla_required(spec, settings),
        copies=spec.copy_count(),
        supporter_duties=[d for ds in spec.roles.supporters.values() for d in ds] if isinstance(spec.roles.supporters, dict) else spec.roles.supporters,
    )
    return ctx


def _lines(text: str) -> list[Block]:
    blocks = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- "):
            blocks.append(Block("item", line[2:].strip()))
        elif line:
            blocks.append(Block("para", line))
    return blocks


def _selected(spec: Spec, library: Library, ctx: dict, compiled) -> list[Clause]:
    include, exclude = set(spec.clauses.include), set(spec.clauses.exclude)
    chosen = []
    for cid, clause in library.clauses.items():
        if spec.model not in clause.models or cid in exclude:
            continue
        when = compiled[cid][1]
        if cid in include or clause.required or (clause.default and (when is None or when(**ctx))):
            chosen.append(clause)
    return chosen


def required_sections(spec: Spec, library: Library, ctx: dict, conditions) -> list[str]:
    out = []
    for s in library.sections.sections:
        status = s.models.get(spec.model)
        if status == "required" or (status and status.startswith("when ") and conditions[(s.id, spec.model)](**ctx)):
            out.append(s.id)
    return out


def assemble(spec: Spec, settings: Settings, library: Library, draft: bool = False) -> Agreement:
    lang = spec.language
    compiled, conditions = _compiled(library, lang)
    ctx = context(spec, settings, library)
    local = lambda s: thai.localise_digits(s, lang, settings.digits)  # noqa: E731
    by_section: dict[str, list[Clause]] = {}
    for clause in _selected(spec, library, ctx, compiled):
        by_section.setdefault(clause.section, []).append(clause)

    sections, versions, number = [], {}, 0
    extra_done = False
    for sdef in library.sections.sections:
        if sdef.id == "signatures" and not extra_done:  # custom clauses go just before the closing
            for extra in spec.clauses.extra:
                number += 1
                heading = library.sections.numbering.__getattribute__(lang).format(n=number, title=extra.title)
                sections.append(Section("extra", "body", local(heading), tuple(Block(b.kind, local(b.text)) for b in _lines(extra.text))))
            extra_done = True
        clauses = sorted(by_section.get(sdef.id, []), key=lambda c: (c.order, c.id))
        if not clauses:
            continue
        title = getattr(sdef, lang)
        if sdef.part == "body":
            number += 1
            heading = getattr(library.sections.numbering, lang).format(n=number, title=title)
        else:
            heading = title
        blocks: list[Block] = []
        for m, clause in enumerate(clauses, 1):
            versions[clause.id] = clause.version
            template, _, table = compiled[clause.id]
            try:
                clause_blocks = _lines(template.render(**ctx))
                if table:
                    rows_expr, cells = table
                    rows = tuple(
                        tuple(local(cell.render(row=row, index=i, **ctx).strip()) for cell in cells)
                        for i, row in enumerate(rows_expr(**ctx) or [], 1)
                    )
            except TemplateError as exc:
                raise LibraryError(f"ข้อสัญญา '{clause.id}' แสดงผลไม่ได้ / clause '{clause.id}' failed to render: {exc}")
            if sdef.part == "body" and len(clauses) > 1 and clause_blocks:
                prefix = getattr(library.sections.subnumbering, lang).format(n=number, m=m)
                first = clause_blocks[0]
                clause_blocks[0] = Block("para", f"{prefix} {first.text}")
            blocks += [Block(b.kind, local(b.text)) for b in clause_blocks]
            if table:
                cols = clause.table.columns
                blocks.append(Block("table", table=Table(
                    clause.table.style, tuple(local(getattr(c, lang)) for c in cols), tuple(c.width for c in cols), rows)))
        sections.append(Section(sdef.id, sdef.part, local(heading), tuple(blocks)))

    required = required_sections(spec, library, ctx, conditions)
    present = {s.id for s in sections}
    missing = [r for r in required if r not in present]
    if missing:
        raise DocumentError(
            "ข้อตกลงที่ประกอบขึ้นขาดหมวดที่ต้องมี / the assembled agreement lacks required sections: "
            + ", ".join(f"{m} ({library.heading(m, lang)})" for m in missing)
        )
    labels = library.labels
    front = {
        "doc_title": labels["document"]["title"][lang],
        "model_label": labels["model"][spec.model][lang],
        "subject": local(spec.title.replace("\n", " ")),
        "delegator": local(spec.parties.delegator.name),
        "partner": local(spec.parties.partner.name),
        "reference_no": local(spec.reference_no or ""),
        "draft_mark": labels["document"]["draft"][lang] if draft else "",
    }
    return Agreement(lang, spec.model, front, tuple(sections), versions, tuple(required), draft)
