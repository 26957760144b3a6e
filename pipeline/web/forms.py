"""A page's form: its fields as typed or stored, what a post changes (the questionnaire's own conversion and checks),
answers typed wrong kept until they are put right, and the rules' messages under their fields."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from flask import g

from pipeline.errors import Message
from pipeline.questionnaire.answers import (
    MAX_ITEMS,
    MAX_TEXT,
    Invalid,
    Q,
    amount_text,
    answer_amount,
    clean,
    convert,
    default_of,
    drop,
    get,
    group,
    put,
    sum_of,
)
from pipeline.questionnaire.checks import delegator_money
from pipeline.questionnaire.pages import page_of, page_questions
from pipeline.questionnaire.questions import MODELS
from pipeline.render import thai
from pipeline.spec.settings import Settings
from pipeline.web.context import TYPED, missing_of, office, problems_of
from pipeline.web.strings import t
from pipeline.web.words import as_date, method_words, question_label, question_of, typed_text


@dataclass
class Field:
    q: Q
    id: str
    label: str
    kind: str
    value: object  # text for inputs; rows for records
    error: str | None
    hint: str | None
    choices: list
    rows: list | None = None
    total: str | None = None
    dormant: bool = False  # a question the answers do not call for yet: hidden, its inputs disabled, until they do
    required: bool = False  # marked with a star: needed, given the answers as the page shows them


def optional_clauses(answers: dict) -> list[tuple[str, str, bool]]:
    """(id, title, on by default) of the clauses a spec of this model may add or leave out (clauses.include and
    clauses.exclude): not required, not added by a condition of their own."""
    library, lang = office().library, g.lang
    model_ = answers.get("model")
    return [
        (c.id, getattr(c.title, lang), c.default)
        for c in sorted(library.clauses.values(), key=lambda c: (c.section, c.order, c.id))
        if not c.required and not c.when and model_ in c.models
    ]


def clauses_on(answers: dict) -> list[str]:
    chosen = group(answers, "clauses")
    include, exclude = set(chosen.get("include") or []), set(chosen.get("exclude") or [])
    return [cid for cid, _, default in optional_clauses(answers) if (default and cid not in exclude) or cid in include]


def _set_clauses(answers: dict, picked: set[str]) -> None:
    """The optional clauses ticked: an off-by-default one ticked is included, an on-by-default one not ticked is
    excluded; the spec's other include, exclude and extra entries stay as they are."""
    offered = optional_clauses(answers)
    ids = {cid for cid, _, _ in offered}
    chosen = dict(group(answers, "clauses"))
    include = [c for c in chosen.get("include") or [] if c not in ids]
    include += [cid for cid, _, default in offered if not default and cid in picked]
    exclude = [c for c in chosen.get("exclude") or [] if c not in ids]
    exclude += [cid for cid, _, default in offered if default and cid not in picked]
    for key, value in (("include", include), ("exclude", exclude)):
        if value:
            chosen[key] = value
        else:
            chosen.pop(key, None)
    if chosen:
        answers["clauses"] = chosen
    else:
        answers.pop("clauses", None)


def form_field(q: Q, answers: dict, errors: dict, typed_raw: dict, extra_rows: int = 1) -> Field:
    label = question_label(q)
    if q.kind == "clauses":
        offered = [(cid, title) for cid, title, _ in optional_clauses(answers)]
        return Field(q, f"f-{q.path}", label, "clauses", ",".join(clauses_on(answers)), None, None, offered)
    choices = (
        [(c[0], c[1] if g.lang == "th" else c[2]) for c in q.choices]
        if q.kind != "methods"
        else list(method_words().items())
    )
    current = get(answers, q.path)
    if q.kind == "records":
        records = current if isinstance(current, list) else []
        origins: list[int] = list(range(len(records)))
        if q.path in YEAR_ROWS:  # a source's fiscal_years: one row per year
            origins, records = year_rows(records)
        rows = []
        for i, rec in enumerate(records + [None] * extra_rows):
            cells = []
            for f in q.fields:
                key = f"r.{q.path}.{i}.{f.path}"
                if key in typed_raw:
                    text = typed_raw[key]
                elif isinstance(rec, dict):
                    text = typed_text(rec.get(f.path), f)
                elif rec is None and not records and i == 0:
                    text = typed_text(default_of(f, answers), f)
                else:
                    text = ""
                cells.append(
                    {
                        "name": key,
                        "q": f,
                        "text": text,
                        "error": errors.get(key),
                        "label": question_label(f),
                        "choices": [(c[0], c[1] if g.lang == "th" else c[2]) for c in f.choices],
                    }
                )
            of = origins[i] if rec is not None and q.path in YEAR_ROWS else None
            rows.append({"index": i, "cells": cells, "blank": rec is None, "of": of})
        return Field(
            q,
            f"f-{q.path}",
            label,
            "records",
            None,
            errors.get(q.path),
            None,
            choices,
            rows,
            running_total(q, answers),
        )
    key = f"f.{q.path}"
    if key in typed_raw:
        text = typed_raw[key]
    else:
        # a yes or no is never answered for them (personal data "no" by default was a no nobody gave)
        value = current if current is not None or q.kind == "bool" else default_of(q, answers)
        text = typed_text(value, q) if q.kind not in ("bool", "choice") else value
    hint = None
    if q.kind == "date" and text and key not in errors:
        d = as_date(text) if isinstance(text, str) else None
        if d:
            hint = f"{t('understood')} {thai.date(d, g.lang)}"
    return Field(q, f"f-{q.path}", label, q.kind, text, errors.get(key), hint, choices)


YEAR_ROWS = {"budget.sources"}


def year_rows(sources: list) -> tuple[list[int], list]:
    """Budget sources as the money page shows them: a source whose money is split by fiscal year (fiscal_years) is
    one row per year, each with its fiscal_year and that year's amount; with each row, the source it came from."""
    origins, rows = [], []
    for i, src in enumerate(sources):
        years = src.get("fiscal_years") if isinstance(src, dict) else None
        if isinstance(years, dict) and years:
            rest = {k: v for k, v in src.items() if k not in ("fiscal_years", "amount", "fiscal_year")}
            for year, amount in years.items():
                origins.append(i)
                rows.append({**rest, "amount": amount, "fiscal_year": year})
        else:
            origins.append(i)
            rows.append(src)
    return origins, rows


def fold_years(rows: list[tuple[int | None, dict]], sources: list) -> list:
    """The rows of the money page back into sources: the rows of one source (its `of`) that all give a fiscal year
    become that source again, its fiscal_years the rows' years and its amount their sum, everything else it had kept;
    a row of its own (new, or a source of one year) stays one source."""
    groups: dict[int, list[dict]] = {}
    for of, rec in rows:
        if of is not None:
            groups.setdefault(of, []).append(rec)
    out, done = [], set()
    for of, rec in rows:
        group = groups.get(of) if of is not None else None
        original = sources[of] if of is not None and of < len(sources) and isinstance(sources[of], dict) else {}
        split = isinstance(original.get("fiscal_years"), dict) or (group is not None and len(group) > 1)
        if not group or not split or any(not isinstance(r.get("fiscal_year"), int) for r in group):
            out.append(rec)
            continue
        if of in done:
            continue
        done.add(of)
        first = group[0]
        source = {k: v for k, v in original.items() if k != "fiscal_year"}
        source.update({k: v for k, v in first.items() if k not in ("fiscal_year", "amount")})
        source["amount"] = sum_of(group, "amount")  # the questionnaire's own sum, a Decimal as its answers are
        source["fiscal_years"] = {r["fiscal_year"]: r.get("amount") for r in group}
        out.append(_ordered(source, original))
    return out


def _ordered(record: dict, like: dict) -> dict:
    """A record with its keys in the order of the record it replaces, new keys after."""
    return {**{k: record[k] for k in like if k in record}, **{k: v for k, v in record.items() if k not in like}}


def running_total(q: Q, answers: dict) -> str | None:
    """Sources against the total; instalments against 100 per cent."""
    items = get(answers, q.path)
    if not isinstance(items, list):
        return None
    if q.path == "budget.sources":  # the questionnaire's own sum, as its check reads it
        got, total = sum_of(items, "amount"), answer_amount(get(answers, "budget.total"))
        unit = "บาท" if g.lang == "th" else "baht"
        return f"{t('sum')} {amount_text(got)} {t('of')} {amount_text(total)} {unit}"
    if q.path == "instalments":
        if any(isinstance(i, dict) and i.get("amount") is not None for i in items):  # in baht: against the delegator's
            unit = "บาท" if g.lang == "th" else "baht"
            got, owed = sum_of(items, "amount"), delegator_money(answers)
            return f"{t('sum')} {amount_text(got)} {t('of')} {amount_text(owed)} {unit}"
        return f"{t('sum')} {sum_of(items, 'percent')} {t('of')} 100 %"
    return None


def apply_page(pg, answers: dict, form, settings: Settings) -> tuple[dict, dict]:
    """Convert and check each answer of the page (the questionnaire's own convert and checks); valid answers go into
    answers, an empty one is removed, a wrong one keeps its old value and is shown again as typed, with its message."""
    errors: dict[str, str] = {}
    typed_raw: dict[str, object] = {}
    if pg.id == "screening":
        _apply_screening(pg, answers, form, settings, errors, typed_raw)
        return errors, typed_raw
    shown = set(
        form.getlist("shown")
    )  # the questions the page showed: one that has just come to apply is not "missing"
    applied: set[str] = set()

    def twice():  # a follow-up the page's script showed when its answer was given ("CSO", then the registration)
        yield from page_questions(pg, answers, settings)  # applies only once that answer is in: asked again after
        yield from page_questions(pg, answers, settings)

    for q in twice():
        if q.path not in shown or q.path in applied:
            continue
        applied.add(q.path)
        if form.get(f"keep.{q.path}") == "stored":  # after a clash: the value saved by the other person is kept
            continue
        if q.path in form.getlist("clash") and not form.get(f"keep.{q.path}"):
            errors[f"f.{q.path}"] = (
                "เลือกว่าจะใช้ค่าใด: ที่บันทึกไว้แล้ว หรือของคุณ" if g.lang == "th" else "choose which value to keep"
            )
            continue
        _apply_answer(q, answers, form, errors, typed_raw)
    return errors, typed_raw


def _apply_screening(pg, answers: dict, form, settings: Settings, errors: dict, typed_raw: dict) -> None:
    """The screening page: its answers (blank allowed once a model is chosen), the model, the language."""
    had_model = bool(answers.get("model"))
    for q in page_questions(pg, answers, settings):
        raw = form.get(f"f.{q.path}", "")
        if had_model and not raw.strip():  # the screening only recommends: with a model chosen, it may stay blank
            drop(answers, q.path)
            continue
        set_answer(q, raw, answers, errors, typed_raw)
    chosen = form.get("model")
    if chosen in {m for m, _, _ in MODELS}:
        answers["model"] = chosen
    elif not answers.get("model"):  # nothing is chosen for them: the recommendation is shown, with its reasons
        errors["model"] = t("model_needed")
    if form.get("language") in ("th", "en"):
        answers["language"] = form.get("language")
    answers.setdefault("spec_version", 1)


def _apply_answer(q: Q, answers: dict, form, errors: dict, typed_raw: dict) -> None:
    """One question's answer from the form, by its kind: a table, a list (one item a line), ticked methods or
    clauses, or one value."""
    if q.kind == "records":
        set_records(q, answers, form, errors, typed_raw)
    elif q.kind == "list":
        _set_list(q, answers, form.get(f"f.{q.path}", ""), errors, typed_raw)
    elif q.kind == "methods":
        set_answer(q, ", ".join(form.getlist(f"f.{q.path}")), answers, errors, typed_raw)
    elif q.kind == "clauses":
        _set_clauses(answers, set(form.getlist(f"f.{q.path}")))
    else:
        set_answer(q, form.get(f"f.{q.path}", ""), answers, errors, typed_raw)


def _set_list(q: Q, answers: dict, raw: str, errors: dict, typed_raw: dict) -> None:
    items = [line.strip() for line in clean(raw).splitlines() if line.strip()]  # \r\n too
    if len(raw) > MAX_TEXT * 5 or len(items) > MAX_ITEMS or any(len(i) > MAX_TEXT for i in items):
        errors[f"f.{q.path}"] = (
            f"ยาวเกินไป รับได้ไม่เกิน {MAX_ITEMS} รายการ รายการละไม่เกิน {MAX_TEXT:,} ตัวอักษร"
            if g.lang == "th"
            else f"too long: at most {MAX_ITEMS} items of at most {MAX_TEXT:,} characters each"
        )
        typed_raw[f"f.{q.path}"] = raw[: MAX_TEXT * 5]
    elif items:
        put(answers, q.path, items)
    else:
        drop(answers, q.path)
        if q.required and q.minimum(answers) > 0:  # personal-data categories: asked, so said when left empty
            errors[f"f.{q.path}"] = "ต้องตอบข้อนี้" if g.lang == "th" else "an answer is needed"


def set_answer(q: Q, raw: str, answers: dict, errors: dict, typed_raw: dict) -> None:
    key = f"f.{q.path}"
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if raw.strip() == "":
        drop(answers, q.path)
        if q.needed(answers):
            errors[key] = "ต้องตอบข้อนี้" if g.lang == "th" else "an answer is needed"
            typed_raw[key] = raw  # shown as left (every method unticked), not as the default beside the message
        return
    try:
        put(answers, q.path, convert(q, raw, answers))
    except Invalid as exc:
        errors[key] = exc.message.in_(g.lang)
        typed_raw[key] = raw


def set_records(q: Q, answers: dict, form, errors: dict, typed_raw: dict) -> None:
    """A table's rows from the form. Each row starts from the record it shows, so what the page does not ask (a
    source's fiscal_years, supporter or note) is kept as it was; only the fields shown are set or cleared."""
    existing = get(answers, q.path)
    existing = existing if isinstance(existing, list) else []
    prefix = f"r.{q.path}."
    rows = {k[len(prefix) :].split(".", 1)[0] for k in form if k.startswith(prefix)}
    n = 0
    while str(n) in rows and n < MAX_ITEMS:  # rows 0, 1, 2 … as the page numbers them; no more than a table holds
        n += 1
    records: list[dict] = []
    origins: list[int | None] = []
    any_bad = False
    split = q.path in YEAR_ROWS
    for i in range(n):
        if form.get(f"r.{q.path}.{i}._delete"):
            continue
        raws = {f.path: form.get(f"r.{q.path}.{i}.{f.path}", "") for f in q.fields}
        if not any(v.strip() for v in raws.values()):
            continue  # a blank row
        of = _row_of(form.get(f"r.{q.path}.{i}._of"), len(existing)) if split else (i if i < len(existing) else None)
        before = existing[of] if of is not None and isinstance(existing[of], dict) else {}
        if split:  # the row is one year of its source: the source's split is made again from its rows
            before = {k: v for k, v in before.items() if k != "fiscal_years"}
        j = len(records)  # the row's place once deleted and blank rows are gone
        record, bad = _record(q, dict(before), raws, answers, errors, f"r.{q.path}.{j}.")
        records.append(record)
        origins.append(of)
        any_bad = any_bad or bad
        if bad:  # the row is shown again as it was typed
            for f in q.fields:
                typed_raw[f"r.{q.path}.{j}.{f.path}"] = raws[f.path]
    if split and not any_bad:  # (with a row typed wrong, the rows stay as shown, so each error keeps its place)
        records = fold_years(list(zip(origins, records)), existing)
    if records:
        put(answers, q.path, records)
        if q.check:
            problem = q.check(records, answers)
            if problem:
                errors[q.path] = Message(*problem).in_(g.lang)
    else:
        drop(answers, q.path)


def _record(q: Q, record: dict, raws: dict, answers: dict, errors: dict, prefix: str) -> tuple[dict, bool]:
    """One row of a table: each field shown set from what was typed, or cleared; (the row, whether any was wrong)."""
    bad = False
    for f in q.fields:
        key = prefix + f.path
        raw = raws[f.path]
        if raw.strip() == "":
            record.pop(f.path, None)
            if f.required:
                errors[key] = "ต้องตอบข้อนี้" if g.lang == "th" else "an answer is needed"
                bad = True
            continue
        try:
            record[f.path] = convert(f, raw, answers)
        except Invalid as exc:
            errors[key] = exc.message.in_(g.lang)
            bad = True
    return record, bad


def _row_of(raw: str | None, count: int) -> int | None:
    """The source a year's row belongs to (a hidden field): a small number in ASCII digits, else none ("²" is a
    digit to str.isdigit, not to int)."""
    return int(raw) if raw and re.fullmatch(r"[0-9]{1,4}", raw) and int(raw) < count else None


def on_page(pg, key: str) -> bool:
    path = key.split(".", 1)[1] if "." in key else key
    return page_of(path).id == pg.id


def keep_typed(answers: dict, pg, typed_raw: dict) -> None:
    kept = (
        {k: v for k, v in (answers.get(TYPED) or {}).items() if not on_page(pg, k)}
        if isinstance(answers.get(TYPED), dict)
        else {}
    )
    kept.update({k: v for k, v in typed_raw.items() if isinstance(v, str)})
    if kept:
        answers[TYPED] = kept
    else:
        answers.pop(TYPED, None)


def as_shown(pg, answers: dict, settings: Settings) -> dict:
    """The answers as the page shows them: a choice not answered yet holds its default on the page (a partner's kind
    shows "CSO"), so the questions that default calls for are shown with it (the CSO's registration), not only after a
    save. (A yes or no is never ticked for them: `form_field`.) The stored answers are not touched."""
    seen = copy.deepcopy(answers)
    for q in page_questions(pg, seen, settings):
        if q.kind == "choice" and get(seen, q.path) is None:
            value = default_of(q, seen)
            if value is not None:
                put(seen, q.path, value)
    return seen


def pending(pg, answers: dict) -> tuple[dict, dict]:
    """The wrong answers of this page kept as typed, each with its message again."""
    typed = (
        {k: v for k, v in (answers.get(TYPED) or {}).items() if on_page(pg, k)}
        if isinstance(answers.get(TYPED), dict)
        else {}
    )
    errors = {}
    for key, raw in typed.items():
        q = question_of(key)
        if q is None:
            continue
        try:
            convert(q, raw, answers)
        except Invalid as exc:
            errors[key] = exc.message.in_(g.lang)
    return typed, errors


def form_key(field_path: str) -> str:
    """A rule's field path as the form key of its answer: `instalments[1].due` (or `instalments.1.due`, as the rules
    write it) -> `r.instalments.1.due`."""
    field_path = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", field_path)
    m = re.fullmatch(r"([\w.]+)\[(\d+)\](?:\.(\w+))?", field_path)
    if m and m.group(3):
        return f"r.{m.group(1)}.{int(m.group(2))}.{m.group(3)}"
    if m:
        return m.group(1)  # a whole row: the table's own message
    return f"f.{field_path}" if question_of(f"f.{field_path}") else field_path


def rule_problems(pg, answers: dict) -> dict:
    """The rules of `mou build` that fail on answers of this page (a due date now after the term's end), by form key;
    only once the answers are complete enough to be checked."""
    if missing_of(answers):
        return {}
    out: dict[str, str] = {}
    for p in problems_of(answers):
        if page_of(p.field).id == pg.id:
            out.setdefault(form_key(p.field), p.message.in_(g.lang))
    return out
