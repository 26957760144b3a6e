"""The amendment (บันทึกข้อตกลงแก้ไขเพิ่มเติม, `mou amend`): what turns the signed agreement into the new one, clause by
clause with the signed numbering, the parties and the recitals too; and what an amendment may not change (SPEC §2):
an instalment already due, the money of a fiscal year already closed, anything after the term has ended."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from pipeline.documents.after_signing import (
    AMEND_FILE,
    amendment_text,
    title_block,
    with_signatures,
)
from pipeline.documents.agreement import (
    assemble,
    blocks_of,
    context,
)
from pipeline.documents.redline import word_diff
from pipeline.documents.rendering import Words, clause_env
from pipeline.documents.signatures import acting_words, bound_name, keep_with_signatures, signature_roles
from pipeline.errors import LibraryError, Message, MouError
from pipeline.library.clauses import Library
from pipeline.render import thai
from pipeline.render.document import Agreement, Block, Section
from pipeline.rules.facts import delegator_by_year, instalment_amounts, payment_years
from pipeline.spec.model import Spec
from pipeline.spec.settings import Settings
from pipeline.values import gregorian_year

Change = tuple[str, dict[str, str], list[Block]]  # (kind: replace, add, remove…, the words it names, its blocks)

_CLAUSE_NO = re.compile(r"^(ข้อ|Clause)\s*([๐-๙0-9]+)\.?\s*")


def _key(section: Section) -> tuple[str, ...]:
    """What a section is, whatever its number: its id, and the title of a custom clause (several share the id)."""
    return (section.id, _CLAUSE_NO.sub("", section.heading)) if section.id == "extra" else (section.id,)


def _number(section: Section) -> str:
    m = _CLAUSE_NO.match(section.heading)
    return m.group(2) if m else ""


def _content(section: Section) -> list[object]:
    """A section's words with its own clause number taken out of its sub-clause numbers (๕.๑ -> #.๑), so a clause that
    only moved is not a change."""
    n = _number(section)
    out: list[object] = [_CLAUSE_NO.sub("", section.heading)]
    for b in section.blocks:
        if b.table is not None:
            out.append(("table", b.table.headers, b.table.rows, b.table.total))
        else:
            out.append((b.kind, re.sub(rf"^{re.escape(n)}\.", "#.", b.text) if n else b.text))
    return out


def _renumbered(section: Section, old: str, heading_prefix: str) -> list[Block]:
    """The new text of a clause, as it will read in the signed agreement: its heading and sub-clauses under the old
    number, quoted as Thai amendments quote the replacing text."""
    n = _number(section)
    title = _CLAUSE_NO.sub("", section.heading)
    blocks = [Block("para", f"“{heading_prefix}{old} {title}".rstrip())]
    for b in section.blocks:
        if b.kind == "table":
            blocks.append(b)
        else:
            text = re.sub(rf"^{re.escape(n)}\.", f"{old}.", b.text) if n and old else b.text
            blocks.append(Block(b.kind, text))  # a lead-in stays with what it introduces
    return _close_quote(blocks)


def _close_quote(blocks: list[Block]) -> list[Block]:
    """The quotation holds the text whole, its tables too: it closes after the last of them."""
    if blocks[-1].kind == "table":
        return blocks + [Block("para", "”")]
    return blocks[:-1] + [Block(blocks[-1].kind, blocks[-1].text + "”")]


def _preamble_changes(old_doc: Agreement, new_doc: Agreement) -> list[Change]:
    """The legal authority and the recitals are amended too: each part that changed is cancelled and quoted whole in
    its new words. The parties paragraph never is: it records who made the agreement on that day, and whoever now
    represents a party makes and signs the amendment, named in its own opening (DRAFTING: parties)."""
    old = {s.id: s for s in old_doc.sections if s.part == "preamble"}
    out = []
    for s in new_doc.sections:
        if s.part != "preamble" or s.id == "parties":
            continue
        before = old.get(s.id)
        if before is None or _content(before) != _content(s):
            quoted = list(s.blocks)
            quoted[0] = Block(quoted[0].kind, "“" + quoted[0].text)
            out.append(("replace_preamble", {"label": s.heading}, _close_quote(quoted)))
    return out


def _parties_differ(old_doc: Agreement, new_doc: Agreement) -> bool:
    old = [_content(s) for s in old_doc.sections if s.id == "parties"]
    return old != [_content(s) for s in new_doc.sections if s.id == "parties"]


def _refuse_empty(changes: list[Change], old_doc: Agreement, new_doc: Agreement) -> None:
    """Nothing to amend, said with its reason when only the parties paragraph differs."""
    if not changes and _parties_differ(old_doc, new_doc):
        raise MouError(
            Message(
                "ข้อกำหนดใหม่ต่างจากเดิมเพียงผู้แทน ที่อยู่ หรือหนังสือมอบอำนาจของคู่ภาคี ซึ่งไม่ต้องแก้ไขบันทึกข้อตกลง: "
                "ส่วนคู่ภาคีของบันทึกข้อตกลงที่ลงนามแล้วบันทึกผู้ทำข้อตกลงในวันนั้น ผู้แทนคนใหม่ลงนามในบันทึกข้อตกลงแก้ไขเพิ่มเติมฉบับถัดไป",
                "the new spec differs only in a party's representative, address or authority, which needs no amendment: "
                "the signed parties paragraph records who made the agreement that day; the new representative signs the "
                "next amendment",
            )
        )
    if not changes:
        raise MouError(
            Message(
                "ข้อกำหนดทั้งสองประกอบเป็นบันทึกข้อตกลงเดียวกัน ไม่มีข้อใดต้องแก้ไข",
                "the two specs assemble to the same agreement: there is nothing to amend",
            )
        )


def _fiscal_year_ended(year_be: int) -> dt.date:
    """Thai fiscal year N (B.E.) ends on 30 September of B.E. year N."""
    return dt.date(gregorian_year(year_be), 9, 30)


def _delegator_money_by_year(spec: Spec) -> dict[int | tuple[str, int], Decimal]:
    """The delegator's money by fiscal year: paid (by year) and provided by its sources (("source", year))."""
    out: dict[int | tuple[str, int], Decimal] = {year: paid for year, paid in payment_years(spec).items()}
    given, _ = delegator_by_year(spec)
    out.update({("source", year): amount for year, amount in given.items()})
    return out


def recorded_paid(statuses: Mapping[str, Any], agreement: str) -> dict[int, dt.date]:
    """The instalments of `agreement` the office's record marks as paid (the calendar's done status): number -> the
    day it was paid. `statuses` is the record's obligation status by uid (`Record.statuses()`)."""
    prefix = f"{agreement}.instalment."
    paid = {}
    for uid, row in statuses.items():
        number = uid.removesuffix("@mou-pipeline").removeprefix(prefix)
        if uid.startswith(prefix) and number.isdigit():
            paid[int(number)] = row.done_on  # store.obligations.ObligationStatus
    return paid


def amendment_problems(
    signed: Spec, new: Spec, when: dt.date, paid: dict[int, dt.date] | None = None
) -> list[tuple[str, str]]:
    """What an amendment dated `when` may not do (SPEC §2): come after the term has ended, change an instalment that
    fell due before it or that the office's record marks as paid (`paid`, whatever its due date), or change the
    delegator's money of a fiscal year that ended before it."""
    paid = paid or {}
    problems = []
    if when > signed.term.end:
        problems.append(
            (
                f"บันทึกข้อตกลงเดิมสิ้นสุดเมื่อวันที่ {thai.date(signed.term.end, 'th')} แล้ว แก้ไขเพิ่มเติมเมื่อวันที่ {thai.date(when, 'th')} ไม่ได้ (ต้องทำบันทึกข้อตกลงใหม่)",
                f"the agreement ended on {thai.date(signed.term.end, 'en')}: it cannot be amended on {thai.date(when, 'en')} (make a new agreement)",
            )
        )
    old_amounts, new_amounts = instalment_amounts(signed), instalment_amounts(new)
    for k, (inst, amount) in enumerate(zip(signed.instalments, old_amounts)):
        if inst.due >= when and k + 1 not in paid:
            continue
        same = k < len(new.instalments) and (
            new.instalments[k].due,
            new_amounts[k],
            new.instalments[k].after,
            new.instalments[k].condition,
        ) == (inst.due, amount, inst.after, inst.condition)
        if not same and inst.due >= when:
            problems.append(
                (
                    f"งวดที่ {k + 1} บันทึกในทะเบียนของสำนักงานว่าจ่ายแล้วเมื่อวันที่ {thai.date(paid[k + 1], 'th')} จึงแก้ไขหรือยกเลิกไม่ได้ แม้ยังไม่ถึงวันครบกำหนด ({thai.date(inst.due, 'th')})",
                    f"instalment {k + 1} is recorded as paid on {thai.date(paid[k + 1], 'en')} in the office's record: it cannot be changed or removed, though it falls due only on {thai.date(inst.due, 'en')}",
                )
            )
        elif not same:
            problems.append(
                (
                    f"งวดที่ {k + 1} ครบกำหนดจ่ายเมื่อวันที่ {thai.date(inst.due, 'th')} ก่อนวันที่แก้ไขเพิ่มเติม ({thai.date(when, 'th')}) จึงแก้ไขหรือยกเลิกไม่ได้",
                    f"instalment {k + 1} fell due on {thai.date(inst.due, 'en')}, before the amendment's date ({thai.date(when, 'en')}): it cannot be changed or removed",
                )
            )
    old_years, new_years = _delegator_money_by_year(signed), _delegator_money_by_year(new)
    closed = sorted(
        {k[1] if isinstance(k, tuple) else k for k in set(old_years) | set(new_years)},
    )
    for year in closed:
        if _fiscal_year_ended(year) >= when:
            continue
        keys: tuple[int | tuple[str, int], ...] = (year, ("source", year))
        if any(old_years.get(key, 0) != new_years.get(key, 0) for key in keys):
            problems.append(
                (
                    f"ปีงบประมาณ พ.ศ. {year} สิ้นสุดแล้ว (๓๐ กันยายน {year}) ก่อนวันที่แก้ไขเพิ่มเติม จึงแก้ไขเงินของปีนั้นไม่ได้",
                    f"fiscal year {year} ended on 30 September {gregorian_year(year)}, before the amendment's date: its money cannot be changed",
                )
            )
    return problems


def _changes(old_parts: dict[tuple[str, ...], Section], new_parts: list[Section], word: str) -> list[Change]:
    """What the amendment does, clause by clause: (kind, words for the heading and the sentence, the new blocks) for
    each clause added (numbered after the clause it follows: ข้อ ๕/๑), replaced, or removed."""
    changes = []
    previous_old = ""
    added_after: dict[str, int] = {}
    for s in new_parts:
        before = old_parts.get(_key(s))
        title = _CLAUSE_NO.sub("", s.heading)
        if before is None:
            base = previous_old or "0"
            added_after[base] = added_after.get(base, 0) + 1
            label_no = f"{word}{base}/{added_after[base]}" if s.part == "body" else title
            changes.append(
                ("add", {"new": label_no, "label": title}, _renumbered(s, f"{base}/{added_after[base]}", word))
            )
            continue
        old_no = _number(before)
        previous_old = old_no or previous_old
        if _content(before) != _content(s):
            if s.part == "annex":
                changes.append(
                    (
                        "replace_annex",
                        {"old": title, "label": title},
                        [Block("para", f"“{s.heading}”")] + list(s.blocks),
                    )
                )
            else:
                changes.append(("replace", {"old": f"{word}{old_no}", "label": title}, _renumbered(s, old_no, word)))
    kept = {_key(s) for s in new_parts}
    for key, s in old_parts.items():
        if key not in kept:
            changes.append(
                (
                    "remove",
                    {
                        "old": f"{word}{_number(s)}" if s.part == "body" else s.heading,
                        "label": _CLAUSE_NO.sub("", s.heading),
                    },
                    [],
                )
            )
    return changes


def _lines(section: Section) -> list[str]:
    """A section as the lines a reader compares: its heading, its paragraphs, each row of its tables."""
    out = [section.heading]
    for b in section.blocks:
        if b.table is not None:
            out += [" | ".join(map(str, row)) for row in ([b.table.headers] + list(b.table.rows))]
        else:
            out.append(b.text)
    return out


def _paragraph_diff(old: list[str], new: list[str]) -> list[list[tuple[str, str]]]:
    """The changed lines of a clause, each a word diff (a line only added or only removed is one run)."""
    import difflib

    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        pairs = list(zip(old[i1:i2], new[j1:j2]))
        out += [word_diff(a, b) for a, b in pairs]
        out += [[("del", a)] for a in old[i1 + len(pairs) : i2]]
        out += [[("ins", b)] for b in new[j1 + len(pairs) : j2]]
    return out


def amendment_redline(signed: Spec, new: Spec, settings: Settings, library: Library) -> list[dict[str, Any]]:
    """What the amendment will change, for a reader before it is built: each clause or annex added, replaced or
    removed (the same comparison `mou amend` makes), with its changed lines word by word."""
    old_doc, new_doc = assemble(signed, settings, library), assemble(new, settings, library)
    parts = ("preamble", "body", "annex")
    old_parts = {_key(s): s for s in old_doc.sections if s.part in parts}
    out = []
    if signed.title != new.title:
        heading = "เรื่อง" if signed.language == "th" else "Title"
        out.append({"kind": "replace", "heading": heading, "lines": [word_diff(signed.title, new.title)]})
    for s in (s for s in new_doc.sections if s.part in parts):
        before = old_parts.get(_key(s))
        if before is None:
            out.append({"kind": "add", "heading": s.heading, "lines": [[("ins", x)] for x in _lines(s)]})
        elif _content(before) != _content(s):
            out.append(
                {"kind": "replace", "heading": before.heading, "lines": _paragraph_diff(_lines(before), _lines(s))}
            )
    kept = {_key(s) for s in new_doc.sections}
    for key, s in old_parts.items():
        if key not in kept:
            out.append({"kind": "remove", "heading": s.heading, "lines": [[("del", x)] for x in _lines(s)]})
    return out


def _amendable(signed: Spec, new: Spec) -> None:
    """An amendment amends a signed agreement, in its model and language."""
    if signed.signed is None:
        raise MouError(
            Message(
                "ข้อกำหนดแรกต้องเป็นของบันทึกข้อตกลงที่ลงนามแล้ว (มี signed: {date: …})",
                "the first spec must be the signed agreement's (with `signed: {date: …}`)",
            )
        )
    if (signed.model, signed.language) != (new.model, new.language):
        raise MouError(
            Message(
                "การเปลี่ยนรูปแบบหรือภาษาเป็นการทำบันทึกข้อตกลงใหม่ ไม่ใช่การแก้ไขเพิ่มเติม",
                "a change of model or language is a new agreement, not an amendment",
            )
        )


def _renderer(signed: Spec, new: Spec, library: Library, number: int, when: dt.date) -> Callable[..., str]:
    """A function that renders one of the amendment's texts (_amendment.yaml) with what it may name; a failure names
    the file to fix."""
    lang = signed.language
    env = clause_env(lang, library.labels)
    ctx = {name: getattr(signed, name) for name in type(signed).model_fields}
    ctx.update(
        number=number,
        made=signed.signing.date,
        when=when,
        parties=new.parties,  # who signs the amendment: the parties as they now are
        bound=lambda who: bound_name(who, lang),
        acting=lambda who: acting_words(who, library, lang),
        place=new.signing.place,
        copies=new.copy_count(),
        lang=lang,
    )

    def render(template: str, **more: object) -> str:
        try:
            return env.from_string(template).render(**ctx, **more)
        except Exception as exc:
            raise LibraryError(
                f"{library.root / 'clauses' / AMEND_FILE}: แสดงผลไม่ได้ / failed to render: {type(exc).__name__}: {exc}"
            ) from exc

    return render


def _amendment_sections(
    changes: list[Change],
    text: dict[str, Any],
    render: Callable[..., str],
    library: Library,
    lang: str,
    digits: Words,
    local: Words,
) -> list[Section]:
    """The preamble, one clause per change, and the clause that keeps the rest of the agreement in force."""
    numbering = getattr(library.sections.numbering, lang)
    sections = [
        Section(
            "amend_preamble",
            "preamble",
            text["headings"]["preamble"][lang],
            tuple(Block(b.kind, local(b.text)) for b in blocks_of(render(text["preamble"][lang]))),
        )
    ]
    for i, (kind, words, blocks) in enumerate(changes, 1):
        head = render(text["headings"][kind][lang], **words)
        lead = render(text[kind][lang], **words)
        body = [Block("lead" if blocks else "para", local(lead))] + [
            b if b.kind == "table" else Block(b.kind, local(b.text)) for b in blocks
        ]
        sections.append(Section(f"amend_{i}", "body", digits(numbering.format(n=i, title=head)), tuple(body)))
    rest = text["rest"]
    sections.append(
        Section(
            "amend_rest",
            "body",
            digits(numbering.format(n=len(changes) + 1, title=rest["heading"][lang])),
            tuple(Block(b.kind, local(b.text)) for b in blocks_of(render(rest[lang]))),
        )
    )
    return sections


def amendment_document(
    signed: Spec,
    new: Spec,
    settings: Settings,
    library: Library,
    number: int = 1,
    when: dt.date | None = None,
    draft: bool = False,
    paid: dict[int, dt.date] | None = None,
) -> Agreement:
    """The amendment that turns what `signed` assembles to into what `new` assembles to, clause by clause; `paid`:
    the instalments the office's record marks as paid (`recorded_paid`)."""
    _amendable(signed, new)
    when = when or dt.date.today()
    problems = amendment_problems(signed, new, when, paid)
    if problems:
        raise MouError(
            "แก้ไขเพิ่มเติมไม่ได้ / the amendment is refused:\n" + "\n".join(f"- {th}\n  {en}" for th, en in problems)
        )
    lang = signed.language
    old_doc, new_doc = assemble(signed, settings, library), assemble(new, settings, library)
    word = "ข้อ " if lang == "th" else "Clause "
    old_parts = {_key(s): s for s in old_doc.sections if s.part in ("body", "annex")}
    new_parts = [s for s in new_doc.sections if s.part in ("body", "annex")]
    text = amendment_text(library)
    render = _renderer(signed, new, library, number, when)
    digits: Words = lambda s: thai.localise_digits(s, lang, settings.digits)  # noqa: E731
    local: Words = lambda s: thai.keep_together(digits(s))  # noqa: E731

    changes = _preamble_changes(old_doc, new_doc) + _changes(old_parts, new_parts, word)
    _refuse_empty(changes, old_doc, new_doc)

    sections = _amendment_sections(changes, text, render, library, lang, digits, local)
    signing = context(new, settings, library)
    closing = [Block("para", local(render(text["closing"][lang])))]
    with_signatures(closing, signing["signature_rows"], signing["witness_rows"], local)
    sections.append(Section("signatures", "closing", library.heading("signatures", lang), tuple(closing)))
    keep_with_signatures(sections)
    front = title_block(
        signed, digits(render(text["title"][lang])), digits(render(text["refers"][lang])), digits, library, draft
    )
    front["reference_no"] = (
        ""  # the original's number is in the line that names it: under the parties it would read as this one's
    )
    return Agreement(
        lang,
        new.model,
        front,
        tuple(sections),
        {"_amendment": int(text.get("version", 1))},
        ("amend_preamble", "amend_rest", "signatures"),
        draft,
        {"document": "amendment", "changes": len(changes)},
        signature_roles(new),
    )
