"""Plain data -> the typed `Spec`, or every type problem at once, each with its file, line and field, in Thai and
English (pydantic's errors said as a user reads them)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from pipeline.errors import Problem
from pipeline.spec.model import Spec
from pipeline.spec.source import Source, dotted

# pydantic error type -> (Thai, English) sentence; {x} fields come from the error's ctx and input.
_MESSAGES = {
    "missing": ("ต้องระบุข้อมูลนี้", "this field is required"),
    "extra_forbidden": ("ไม่รู้จักคีย์นี้ (พิมพ์ผิดหรือไม่)", "unknown key (a typo?)"),
    "literal_error": (
        "ค่า '{input}' ใช้ไม่ได้ ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: {expected}",
        "'{input}' is not allowed; use one of {expected}",
    ),
    "date_from_datetime_parsing": (
        "วันที่ไม่ถูกต้อง ต้องเป็นวันที่มีอยู่จริง เขียนแบบ ค.ศ. ปปปป-ดด-วว เช่น 2024-04-22",
        "not a valid date: write a real date as YYYY-MM-DD (Gregorian), e.g. 2024-04-22",
    ),
    "date_parsing": (
        "วันที่ไม่ถูกต้อง ต้องเป็นวันที่มีอยู่จริง เขียนแบบ ค.ศ. ปปปป-ดด-วว เช่น 2024-04-22",
        "not a valid date: write a real date as YYYY-MM-DD (Gregorian), e.g. 2024-04-22",
    ),
    "date_type": (
        "ต้องเป็นวันที่ เขียนแบบ ค.ศ. ปปปป-ดด-วว เช่น 2024-04-22",
        "must be a date written as YYYY-MM-DD, e.g. 2024-04-22",
    ),
    "decimal_parsing": ("ต้องเป็นตัวเลข", "must be a number"),
    "decimal_type": ("ต้องเป็นตัวเลข", "must be a number"),
    "int_parsing": ("ต้องเป็นจำนวนเต็ม", "must be a whole number"),
    "int_type": ("ต้องเป็นจำนวนเต็ม", "must be a whole number"),
    "int_from_float": ("ต้องเป็นจำนวนเต็ม", "must be a whole number"),
    "string_type": ("ต้องเป็นข้อความ", "must be a text"),
    "string_too_short": ("ต้องไม่เว้นว่าง", "must not be empty"),
    "list_type": ("ต้องเป็นรายการ (เขียนแต่ละรายการขึ้นต้นด้วย - )", "must be a list (one '- ' item per line)"),
    "dict_type": ("ต้องเป็นชุดคีย์และค่า", "must be a mapping of keys to values"),
    "model_type": ("ต้องเป็นชุดคีย์และค่า", "must be a mapping of keys to values"),
    "bool_type": ("ต้องเป็น true หรือ false", "must be true or false"),
    "bool_parsing": ("ต้องเป็น true หรือ false", "must be true or false"),
    "too_short": ("ต้องมีอย่างน้อย {min_length} รายการ", "needs at least {min_length} item(s)"),
    "greater_than_equal": ("ต้องไม่น้อยกว่า {ge} (ห้ามติดลบ)", "must be at least {ge} (not negative)"),
    "less_than_equal": ("ต้องไม่เกิน {le}", "must be at most {le}"),
    "date_buddhist_era": (
        "ปี {be} เป็นปีพุทธศักราช วันที่ในไฟล์ต้องเป็นคริสต์ศักราช หมายถึง {meant} หรือไม่",
        "the year {be} is a Buddhist-Era year; dates in the spec are Gregorian: did you mean {meant}?",
    ),
    "date_short_year": (
        "ปี {year} ไม่ใช่ปีที่เป็นไปได้ (พิมพ์ปีสองหลักหรือไม่) เขียนปี ค.ศ. ให้ครบสี่หลัก หมายถึง {meant} หรือไม่",
        "the year {year} is not plausible (a two-digit year?): write the Gregorian year in full: did you mean {meant}?",
    ),
    "date_range": (
        "วันที่ต้องอยู่ระหว่าง 1957-01-01 ถึง 2200-12-31 (ค.ศ.)",
        "a date must lie between 1957-01-01 and 2200-12-31 (Gregorian)",
    ),
    "after": (
        "ค่า '{input}' ใช้ไม่ได้ ต้องเป็น signing, midterm, midterm N, yearly N หรือ final",
        "'{input}' is not allowed; use signing, midterm, midterm N, yearly N or final",
    ),
    "after_or_condition": (
        "งวดเงินต้องระบุ after (การประเมินที่รอ) หรือ condition (เงื่อนไข) อย่างน้อยหนึ่งอย่าง",
        "an instalment needs after (the evaluation it waits for) or a condition, or both",
    ),
    "union_tag_invalid": ("ค่าไม่ถูกต้อง", "invalid value"),
}


def _field_path(loc: tuple[str | int, ...], data: object) -> tuple[str | int, ...]:
    """The field path of a pydantic location, without the union members' tags ("date", "list[date]", "function-after")
    it puts between fields: a part is kept when the data has it there (or when it is a missing key of a mapping)."""
    out, node = [], data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif (
            isinstance(node, dict)
            and isinstance(part, str)
            and "[" not in part
            and "-" not in part
            and part not in _UNION_TAGS
        ):
            out.append(part)  # a required key that is missing
            node = None
    return tuple(out)


_UNION_TAGS = {"decimal", "str", "constrained-str", "date", "int", "bool", "list", "dict"}


def _in_message(v: Any) -> object:
    """A value as a message names it: a large number with commas, what is not a number or text as text."""
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool) and abs(Decimal(v)) >= 10000:
        return f"{v:,}"
    return v if isinstance(v, (int, str)) else str(v)


def _problem_from_pydantic(err: Mapping[str, Any], src: Source) -> Problem:
    loc = _field_path(err["loc"], src.data)
    if err["type"] == "missing" and err["loc"] and loc[-1:] != err["loc"][-1:]:
        loc += (err["loc"][-1],)
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    ctx.setdefault("input", err.get("input"))
    ctx = {k: _in_message(v) for k, v in ctx.items()}
    th, en = _MESSAGES.get(err["type"], ("ค่าไม่ถูกต้อง: {msg}", "{msg}"))
    ctx["msg"] = err["msg"]
    try:
        th, en = th.format(**ctx), en.format(**ctx)
    except (KeyError, IndexError):
        th, en = "ค่าไม่ถูกต้อง", err["msg"]
    return Problem(src.name, src.line(loc), dotted(loc), th, en)


def typed(src: Source) -> tuple[Spec | None, list[Problem]]:
    """Plain data -> Spec, or the list of every type problem with its line."""
    problems = [
        Problem(src.name, line if line else src.line(path), dotted(path), th, en) for path, line, th, en in src.problems
    ]
    told = {dotted(path) for path, *_ in src.problems if path}  # a value the reader refused is not refused again
    if src.data is None:
        return None, problems
    try:
        spec = Spec.model_validate(src.data)
    except ValidationError as exc:
        seen = set()
        found = []
        located = [(err, _problem_from_pydantic(err, src)) for err in exc.errors()]
        for err, p in located:
            if (
                err["type"] == "date_type"
                and isinstance(err.get("input"), list)
                and any(q.field == p.field and e is not err for e, q in located)
            ):
                continue  # `midterm: [..]`: the list member of the union speaks for it, not the single-date one
            if (p.field, p.en) not in seen:  # a union reports the same field once per member
                seen.add((p.field, p.en))
                found.append((err["type"], p))
        # A value of one member's shape (a date where a date or a list is allowed) is not also told to be the other.
        shaped = {p.field for kind, p in found if kind not in ("list_type", "dict_type")}
        told_here = [
            p
            for kind, p in found
            if (kind not in ("list_type", "dict_type") or p.field not in shaped) and p.field not in told
        ]
        problems += told_here or ([] if problems else [p for _, p in found])  # never "invalid" without a reason
        return None, problems
    return (spec if not problems else None), problems
