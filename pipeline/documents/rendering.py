"""The clauses' Jinja, compiled once per library and language and rendered in the sandbox: the filters a clause
writes with (dates, money, labels, percent, lists joined), and every failure turned into the clause file to fix."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import StrictUndefined, TemplateError

from pipeline.errors import LibraryError, Message, MouError
from pipeline.library.clauses import Library
from pipeline.library.sandbox import LimitedSandbox, guard_filters
from pipeline.render import thai

Words = Callable[[str], str]  # text -> text as the document writes it (digits localised, words kept together)

CLAUSE_SECONDS = 5.0  # a clause renders in milliseconds; one that takes seconds is looping
CLAUSE_OUTPUT = 200_000  # characters: a long clause is 5,000


def clause_env(lang: str, labels: dict[str, Any]) -> LimitedSandbox:
    env = LimitedSandbox(
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=True,
        autoescape=False,
        seconds=CLAUSE_SECONDS,
        max_output=CLAUSE_OUTPUT,
    )

    def label(value: object, group: str) -> str:
        entry = labels.get(group, {}).get(str(value))
        return entry[lang] if entry else str(value)

    env.filters.update(
        date=lambda d: thai.date(d, lang),
        money=lambda v: thai.money(v, lang),
        figures=thai.money_figures,
        num=thai.number,
        label=label,
        percent=lambda v: thai.percent(v, lang),
        fy=lambda y: thai.fiscal_year_words(y, lang),
        and_join=lambda xs: thai.and_join([str(x) for x in xs], lang),
        plural=lambda word, n: thai.plural(n, word) if lang == "en" else word,
        the=lambda name: thai.with_article(name) if lang == "en" else name,
        inline=lambda text: _inline(str(text), lang),
        a_an=lambda noun: (("an " if noun[:1].lower() in "aeiou" else "a ") + noun) if lang == "en" else noun,
    )
    guard_filters(env)
    return env


def _inline(text: str, lang: str) -> str:
    """A value set inside an English sentence starts in lower case ("for five years", "when every indicator"), unless
    it starts with an acronym or a name in capitals (NHSO, UNICEF); Thai has no case."""
    if lang != "en" or len(text) < 2 or not text[1].islower():
        return text
    return text[0].lower() + text[1:]


@contextlib.contextmanager
def rendering_clause(env: LimitedSandbox, library: Library, clause_id: str) -> Iterator[None]:
    """One clause's text, table or condition, within the sandbox's time limit; whatever goes wrong in it (a Jinja
    error, a limit, an exception from a filter) is a LibraryError that names the clause file."""
    try:
        with env.time_limit():
            yield
    except (MouError, KeyboardInterrupt):
        raise
    except Exception as exc:  # the library's code failed: never a traceback, always the file to fix
        path = library.root / "clauses" / f"{clause_id}.yaml"
        raise LibraryError(
            f"ข้อสัญญา '{clause_id}' แสดงผลไม่ได้ ({path}) / clause '{clause_id}' failed to render ({path}): "
            f"{type(exc).__name__}: {exc}"
        ) from exc


@functools.lru_cache(maxsize=32)
def compile_library(library: Library, lang: str) -> tuple[dict[str, Any], dict[tuple[str, str], Any], LimitedSandbox]:
    """Compile every clause text, table cell and condition of a library once per language."""
    env = clause_env(lang, library.labels)
    out = {}
    cid = "_sections"
    try:
        for cid, clause in library.clauses.items():
            out[cid] = (
                env.from_string(getattr(clause.text, lang)),
                env.compile_expression(clause.when) if clause.when else None,
                (
                    env.compile_expression(clause.table.rows),
                    [env.from_string(c.cell) for c in clause.table.columns],
                    [env.from_string(c.total) if c.total else None for c in clause.table.columns],
                    [
                        (env.compile_expression(c.each), env.from_string(getattr(c, lang))) if c.each else None
                        for c in clause.table.columns
                    ],
                )
                if clause.table
                else None,
            )
        cid = "_sections"
        conditions = {
            (s.id, m): env.compile_expression(status[5:])
            for s in library.sections.sections
            for m, status in s.models.items()
            if status.startswith("when ")
        }
    except TemplateError as exc:
        path = library.root / "clauses" / f"{cid}.yaml"
        raise LibraryError(
            Message(f"ข้อความในคลังข้อสัญญามีรูปแบบ Jinja ผิด ({path})", f"{path} has a Jinja error: {exc}")
        ) from exc
    return out, conditions, env
