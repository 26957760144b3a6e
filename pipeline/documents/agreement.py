"""Assemble an agreement: pick the clauses a spec needs, render them in a sandbox, number them, localise digits."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from pipeline.documents.rendering import Words, compile_library, rendering_clause
from pipeline.documents.signatures import (
    Signer,
    acting_words,
    behalf_words,
    bound_name,
    juristic_name,
    keep_with_signatures,
    signature_lines,
    signature_roles,
)
from pipeline.errors import DocumentError
from pipeline.library.clauses import Clause, Library
from pipeline.library.sandbox import LimitedSandbox
from pipeline.render import thai
from pipeline.render.document import Agreement, Block, Section, Table, block_starts
from pipeline.rules import (
    delegator_amount,
    evaluation_date,
    instalment_amounts,
    later_fiscal_years,
    sla_required,
    unit_cost_exact,
)
from pipeline.rules.facts import instalments_rounded
from pipeline.spec.model import ExtraClause, Party, Spec
from pipeline.spec.settings import Settings

DEFAULT_REPORTING = "quarterly"  # how often the partner reports when the spec's `reporting` does not say
# The general clauses: custom clauses (clauses.extra) come before the first of them.
GENERAL_SECTIONS = ("annexes", "amendment", "termination", "disputes", "signatures")


@dataclass(frozen=True)
class _Row:
    amount: Decimal
    percent: Decimal | None
    due: object
    condition: str | None
    after: str | None
    waits: str  # the evaluation (or signing) the payment waits for, in words
    waits_for: str  # the same, with the date the evaluation is due by


def _instalment_rows(spec: Spec, library: Library, lang: str) -> list[_Row]:
    """Each instalment with its amount and what it waits for, in words, for the instalments' table."""
    words = library.labels["evaluation"]
    return [
        _Row(
            amount,
            i.percent,
            i.due,
            i.condition,
            i.after,
            _waits_for(spec, i.after, words, lang, dated=False),
            _waits_for(spec, i.after, words, lang),
        )
        for i, amount in zip(spec.instalments, instalment_amounts(spec))
    ]


def _signers(spec: Spec, library: Library, lang: str) -> tuple[list[Signer], list[Signer]]:
    """Who signs (the delegator, the partner, each supporter that signs) and the witnesses, for the signature block."""
    party: Words = lambda key: str(library.labels["party"][key][lang])  # noqa: E731
    witness = library.labels["signature"]["witness"][lang]
    p = spec.parties
    signers = [
        Signer(rep.name, rep.position, party(key), acting_words(who, library, lang), behalf_words(who, library, lang))
        for key, who, rep in (
            ("delegator", p.delegator, p.delegator.representative),
            ("partner", p.partner, p.partner.representative),
        )
    ] + [
        Signer(
            s.representative.name,
            s.representative.position,
            s.name,
            acting_words(s, library, lang),
            behalf_words(s, library, lang),
        )
        for s in p.supporters
        if s.signs and s.representative
    ]
    witnesses = [
        Signer(w.name, w.position, f"{witness}{_of(spec, library, w.party, w.supporter, lang)}") for w in spec.witnesses
    ]
    return signers, witnesses


def context(spec: Spec, settings: Settings, library: Library) -> dict[str, Any]:
    """What the clause texts see: the spec itself, plus the few values derived from it."""
    lang = spec.language
    party: Words = lambda key: str(library.labels["party"][key][lang])  # noqa: E731
    base = delegator_amount(spec)
    rows = _instalment_rows(spec, library, lang)
    signers, witnesses = _signers(spec, library, lang)
    p = spec.parties
    ctx = {name: getattr(spec, name) for name in type(spec).model_fields}
    ctx["acting"] = lambda who: acting_words(who, library, lang)
    ctx["bound"] = lambda who: bound_name(who, lang)
    ctx["juristic"] = lambda who: juristic_name(who, lang)
    roles = spec.roles.supporters
    later = later_fiscal_years(spec)
    ctx.update(
        lang=lang,
        background_lines=[line.strip() for line in spec.background.splitlines() if line.strip()],
        term_months=thai.months_between(spec.term.start, spec.term.end),
        sla_months=thai.months_between(spec.sla.start, spec.sla.end) if spec.sla else 0,
        delegator_amount=base,
        instalment_rows=rows,
        instalment_total=sum((r.amount for r in rows), Decimal(0)),
        instalments_rounded=instalments_rounded(spec),
        signature_rows=signature_lines(signers, library, lang),
        signature_roles=signature_roles(spec),
        witness_rows=signature_lines(witnesses, library, lang),
        sla_required=sla_required(spec, settings),
        step_columns=_step_columns(spec, library, lang),
        step=lambda row, at: next((st.target for st in row.steps if _step_at(spec, st.at) == at), None),
        copies=spec.copy_count(),
        signatories=spec.signatories(),
        midterms=spec.evaluation.midterms,
        later_years=bool(later),
        later_fiscal_years=later,
        unit_cost_exact=unit_cost_exact(spec),
        report_frequency=spec.reporting.frequency if spec.reporting else DEFAULT_REPORTING,
        report_days=spec.reporting.final_within_days if spec.reporting and spec.reporting.final_within_days else 30,
        supporter_roles=(
            list(roles.items())
            if isinstance(roles, dict)
            else [(p.supporters[0].name if len(p.supporters) == 1 else party("supporters"), roles)]
            if roles
            else []
        ),
        non_binding=[s.name for s in p.supporters if not s.signs],
        # who provides the service to the users: the partner and every supporter that signs (safeguarding, PDPA)
        providers=[party("partner"), *(s.name if lang == "th" else f"the {s.name}" for s in p.supporters if s.signs)],
        procurement=_procurement(p.partner),
        # PDPA: a government agency or local government acting under its own powers controls its data (partner_role)
        partner_controls=_partner_role(spec) == "controller",
        processors=(
            [s.name if lang == "th" else f"the {s.name}" for s in p.supporters if s.signs]
            if _partner_role(spec) == "controller"
            else [party("partner"), *(s.name if lang == "th" else f"the {s.name}" for s in p.supporters if s.signs)]
        ),
        all_state=p.delegator.kind in ("government", "lao") and p.partner.kind in ("government", "lao"),
        who=lambda ref, supporter=None: _of(spec, library, ref, supporter, lang, bare=True),
        annex_list=[],
        annex=Annexes(),  # filled in once the clauses are chosen: section id -> "ภาคผนวก ก"
    )
    return ctx


def _partner_role(spec: Spec) -> str:
    """The partner's role for personal data: `personal_data.partner_role`, else by its kind (SPEC §1)."""
    pd = spec.personal_data
    if pd and pd.partner_role:
        return pd.partner_role
    return "controller" if spec.parties.partner.kind in ("government", "lao") else "processor"


ACT_WORDS = ("พระราชบัญญัติ", "พ.ร.บ.", " Act", "Act ")


def _procurement(partner: Party) -> str:
    """How the Public Procurement Act binds the partner (s.4): `act` for a government agency, a local government or a
    body whose registration is the act that set it up; `maybe` for an academic partner that names no registration
    (a public university is bound, a private one is not); `principles` for a foundation, association or company."""
    if partner.kind in ("government", "lao") or any(w in (partner.registration or "") for w in ACT_WORDS):
        return "act"
    return "maybe" if partner.kind == "academic" else "principles"


def _of(spec: Spec, library: Library, ref: str, supporter: str | None, lang: str, bare: bool = False) -> str:
    """A party reference in words; a supporter by its own name, never the generic "ภาคส่วนอื่นสนับสนุน" where one is named."""
    if ref == "supporters":
        s = spec.parties.supporter(supporter)
        if s is not None:
            return s.name if bare else (f" ({s.name})")
    label = library.labels["party"].get(ref, {}).get(lang, ref)
    return label if bare else f" ({label})" if lang == "en" else f"ฝ่าย{label}"


def _step_at(spec: Spec, at: str) -> str:
    """An evaluation as `after` writes it, one way: "midterm" is "midterm 1" when several are scheduled."""
    return "midterm 1" if at == "midterm" and len(spec.evaluation.midterms) > 1 else at


def _step_columns(spec: Spec, library: Library, lang: str) -> list[dict[str, str]]:
    """The evaluations any indicator has a target for (its `steps`), in the order they fall: one column each in the
    indicators' annex, named in words ("ระยะกลาง", "ประจำปี ครั้งที่ 1")."""
    words = library.labels["step"]
    found = list(dict.fromkeys(_step_at(spec, st.at) for ind in spec.indicators for st in ind.steps))
    found.sort(key=lambda at: (evaluation_date(spec, at) is None, evaluation_date(spec, at) or spec.term.end))
    out = []
    for at in found:
        kind, _, n = at.partition(" ")
        key = kind if n or f"{kind}_one" not in words else f"{kind}_one"
        out.append({"at": at, "words": words[key][lang].format(n=n)})
    return out


def _waits_for(spec: Spec, after: str | None, words: dict[str, Any], lang: str, dated: bool = True) -> str:
    """ "เมื่อผ่านการประเมินผลระยะกลาง ครั้งที่ 2 ซึ่งจะแล้วเสร็จภายในวันที่ ..." from an instalment's `after`."""
    if not after:
        return ""
    kind, _, n = after.partition(" ")
    if kind == "midterm" and not n and len(spec.evaluation.midterms) > 1:
        n = "1"  # "midterm" with several scheduled is the first
    key = kind if n or f"{kind}_one" not in words else f"{kind}_one"
    text = words[key][lang].format(n=n)
    when = evaluation_date(spec, after)
    if dated and kind != "signing" and when is not None:
        text += words["by"][lang].format(date=thai.date(when, lang))
    return " ".join(text.split())


def blocks_of(text: str) -> list[Block]:
    blocks = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- "):
            blocks.append(Block("item", line[2:].strip()))
        elif line.startswith("+ "):
            line = line[2:].strip()
            blocks.append(Block("lead" if line.endswith(("ดังนี้", "ต่อไปนี้", ":")) else "para", line, sub=True))
        elif line:
            blocks.append(Block("lead" if line.endswith(("ดังนี้", "ต่อไปนี้", ":")) else "para", line))
    return blocks


def _selected(
    spec: Spec, library: Library, ctx: dict[str, Any], compiled: dict[str, Any], env: LimitedSandbox
) -> list[Clause]:
    include, exclude = set(spec.clauses.include), set(spec.clauses.exclude)
    chosen = []
    for cid, clause in library.clauses.items():
        if spec.model not in clause.models or cid in exclude:
            continue
        when = compiled[cid][1]
        if cid in include or clause.required:
            chosen.append(clause)
        elif clause.default:
            with rendering_clause(env, library, cid):
                if when is None or when(**ctx):
                    chosen.append(clause)
    return chosen


def required_sections(
    spec: Spec, library: Library, ctx: dict[str, Any], conditions: dict[tuple[str, str], Any], env: LimitedSandbox
) -> list[str]:
    out = []
    for s in library.sections.sections:
        status = s.models.get(spec.model)
        if status and status.startswith("when "):
            with rendering_clause(env, library, "_sections"):
                if conditions[(s.id, spec.model)](**ctx):
                    out.append(s.id)
        elif status == "required":
            out.append(s.id)
    return out


class Annexes(dict[str, str]):
    """Section id -> "ภาคผนวก ก"; an annex the agreement does not have is "" (false in a clause's `if`)."""

    def __missing__(self, key: str) -> str:
        return ""


ANNEX_LETTERS = {"th": "กขคงจฉชซฌญ", "en": "ABCDEFGHIJ"}
_ANNEX_WORD = re.compile(r"^(ภาคผนวก|Annex:?)\s*")


def _render_clause(
    clause: Clause,
    compiled: dict[str, Any],
    env: LimitedSandbox,
    library: Library,
    ctx: dict[str, Any],
    local: Words,
    lang: str,
) -> tuple[list[Block], Table | None]:
    """A clause's text as blocks (its first line a sub-clause), and its table when it has one."""
    template, _, table = compiled[clause.id]
    with rendering_clause(env, library, clause.id):
        clause_blocks = blocks_of(template.render(**ctx))
        if clause_blocks:  # a clause starts a sub-clause (๓.๑, ๓.๒ …), and so does each of its "+ " lines
            clause_blocks[0] = replace(clause_blocks[0], sub=True)
        grid = None
        if table and clause.table is not None:
            rows_expr, cells, totals, expands = table
            # each column, or one per item of its `each` (the indicators' targets at each evaluation)
            cols = []
            for c, cell, tot, expand in zip(clause.table.columns, cells, totals, expands):
                items = [None] if expand is None else list(expand[0](**ctx) or [])
                for item in items:
                    head = getattr(c, lang) if expand is None else expand[1].render(item=item, **ctx).strip()
                    cols.append((c, cell, tot, item, head))
            source = list(rows_expr(**ctx) or [])
            rows = tuple(
                tuple(local(cell.render(row=row, index=i, item=item, **ctx).strip()) for _, cell, _, item, _ in cols)
                for i, row in enumerate(source, 1)
            )
            total = (
                tuple(local(t.render(item=item, **ctx).strip()) if t else "" for _, _, t, item, _ in cols)
                if any(totals)
                else None
            )
            grid = Table(
                clause.table.style,
                tuple(local(head) for *_, head in cols),
                tuple(c.width for c, *_ in cols),
                rows,
                tuple(c.align for c, *_ in cols),
                total,
                block_starts(source),
            )
    return clause_blocks, grid


def assemble(spec: Spec, settings: Settings, library: Library, draft: bool = False) -> Agreement:
    lang = spec.language
    compiled, conditions, env = compile_library(library, lang)
    ctx = context(spec, settings, library)
    digits: Words = lambda s: thai.localise_digits(s, lang, settings.digits)  # noqa: E731  (headings: short, kept with their text)
    local: Words = lambda s: thai.keep_together(digits(s))  # noqa: E731
    by_section = _by_section(spec, library, ctx, compiled, env)
    # Annexes lettered in document order (ภาคผนวก ก, ข …), known before any clause text that refers to them.
    annexes = [sd for sd in library.sections.sections if sd.part == "annex" and by_section.get(sd.id)]
    word = library.labels["annex"][lang]
    ctx["annex"] = Annexes({sd.id: word.format(letter=ANNEX_LETTERS[lang][i]) for i, sd in enumerate(annexes)})
    ctx["annex_list"] = [(ctx["annex"][sd.id], _ANNEX_WORD.sub("", getattr(sd, lang))) for sd in annexes]
    # chosen again, now that clauses may depend on the annexes (the one that incorporates them)
    by_section = _by_section(spec, library, ctx, compiled, env)

    sections: list[Section] = []
    versions: dict[str, int] = {}
    number = 0
    extra_done = False
    for sdef in library.sections.sections:
        if sdef.id in GENERAL_SECTIONS and not extra_done:  # custom clauses: after the substantive ones
            for extra in spec.clauses.extra:
                number += 1
                sections.append(_extra_section(extra, number, library, lang, digits, local))
            extra_done = True
        clauses = sorted(by_section.get(sdef.id, []), key=lambda c: (c.order, c.id))
        if not clauses:
            continue
        title = getattr(sdef, lang)
        if sdef.part == "body":
            number += 1
            heading = getattr(library.sections.numbering, lang).format(n=number, title=title)
        elif sdef.part == "annex":
            heading = f"{ctx['annex'][sdef.id]} {_ANNEX_WORD.sub('', title)}"
        else:
            heading = title
        rendered = []  # (its blocks, its table or None) of each clause
        for clause in clauses:
            versions[clause.id] = clause.version
            rendered.append(_render_clause(clause, compiled, env, library, ctx, local, lang))
        blocks = _section_blocks(rendered, sdef.part == "body", number, library, lang, local)
        sections.append(Section(sdef.id, sdef.part, digits(heading), tuple(blocks)))

    keep_with_signatures(sections)
    required = required_sections(spec, library, ctx, conditions, env)
    present = {s.id for s in sections}
    missing = [r for r in required if r not in present]
    if missing:
        raise DocumentError(
            "ข้อตกลงที่ประกอบขึ้นขาดหมวดที่ต้องมี / the assembled agreement lacks required sections: "
            + ", ".join(f"{m} ({library.heading(m, lang)})" for m in missing)
        )
    front = _front(spec, library, lang, digits, draft)
    return Agreement(
        lang, spec.model, front, tuple(sections), versions, tuple(required), draft, signers=signature_roles(spec)
    )


def _by_section(
    spec: Spec, library: Library, ctx: dict[str, Any], compiled: dict[str, Any], env: LimitedSandbox
) -> dict[str, list[Clause]]:
    by_section: dict[str, list[Clause]] = {}
    for clause in _selected(spec, library, ctx, compiled, env):
        by_section.setdefault(clause.section, []).append(clause)
    return by_section


def _extra_section(
    extra: ExtraClause, number: int, library: Library, lang: str, digits: Words, local: Words
) -> Section:
    """A custom clause (clauses.extra), numbered as the body's clauses are."""
    heading = getattr(library.sections.numbering, lang).format(n=number, title=extra.title)
    return Section("extra", "body", digits(heading), tuple(Block(b.kind, local(b.text)) for b in blocks_of(extra.text)))


def _section_blocks(
    rendered: list[tuple[list[Block], Table | None]], body: bool, number: int, library: Library, lang: str, local: Words
) -> list[Block]:
    """A section's clauses as its blocks: in the body, sub-clauses numbered (๕.๑, ๕.๒ …) when there is more than one;
    the paragraph that introduces a table kept with it."""
    blocks: list[Block] = []
    numbered = body and sum(b.sub for blocks_, _ in rendered for b in blocks_) > 1
    m = 0
    for clause_blocks, grid in rendered:
        for b in clause_blocks:
            text = b.text
            if numbered and b.sub:
                m += 1
                text = f"{getattr(library.sections.subnumbering, lang).format(n=number, m=m)} {text}"
            blocks.append(Block("para" if b.kind == "item" and b.sub and numbered else b.kind, local(text)))
        if grid:
            if blocks and blocks[-1].kind == "para":  # what introduces a table stays with it
                blocks[-1] = Block("lead", blocks[-1].text)
            blocks.append(Block("table", table=grid))
    return blocks


def _front(spec: Spec, library: Library, lang: str, digits: Words, draft: bool) -> dict[str, str]:
    """The title page's words: the document's title, the model, the subject, the parties, the number, the draft mark."""
    labels = library.labels
    return {
        "doc_title": labels["document"]["title"][lang],
        "model_label": labels["model"][spec.model][lang],
        "subject": digits(spec.title.replace("\n", " ")),
        "delegator": digits(bound_name(spec.parties.delegator, lang, article=False)),
        "partner": digits(bound_name(spec.parties.partner, lang, article=False)),
        "reference_no": digits(spec.reference_no or ""),
        "draft_mark": labels["document"]["draft"][lang] if draft else "",
    }
