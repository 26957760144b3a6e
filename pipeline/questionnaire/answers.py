"""Answers as data, for both front ends: a question (`Q`), reading and writing an answer at its dotted path, what a
user types turned into a spec value (or `Invalid`, in Thai and English), and an answer read back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import yaml

from pipeline.errors import Message
from pipeline.render.thai import ShortYear, arabic_digits, parse_user_amount, parse_user_date
from pipeline.render.thai import date as fmt_date
from pipeline.spec.source import plain_text
from pipeline.values import typed_date

METHODS = "internal, external, field_visit, service_user_feedback"
ONE_OR_MORE = {"evaluation.midterm"}  # spec fields that hold one date, or a list of them


# What a question asks for, and so how it is typed, converted and shown: a line of text, a date (or several, comma
# separated), an amount in baht, a whole number, one of its choices, yes or no, a list (one item per line), a table of
# records (its `fields`), evaluation methods and optional clauses (ticked), targets by stage ("ระยะกลาง 80").
QuestionKind = Literal[
    "text", "date", "dates", "amount", "int", "choice", "bool", "list", "records", "methods", "clauses", "steps"
]


@dataclass(frozen=True)
class Q:
    path: str
    th: str
    en: str
    kind: QuestionKind = "text"
    choices: tuple = ()  # (value, th, en)
    default: object = None  # a value, or a function of the answers
    when: Callable = lambda a, settings: True  # (answers, settings) -> does the question apply
    required: bool | Callable[[dict], bool] = True  # or a function of the answers (a CSO's authority: `needed`)
    fields: tuple = ()  # the fields of one record (kind "records")
    minimum: Callable = lambda a: 1  # fewest items of a list
    check: Callable | None = None  # (value, answers) -> a Message when wrong (a (th, en) tuple)

    def needed(self, answers: dict) -> bool:
        """Whether an answer is required, given the other answers."""
        return bool(self.required(answers)) if callable(self.required) else self.required


# -- answers as a nested dict ----------------------------------------------------------------------------------
def get(a: dict, path: str, default=None):
    for part in path.split("."):
        if not isinstance(a, dict) or part not in a:
            return default
        a = a[part]
    return a


def group(a: dict, key: str) -> dict:
    """The answers under a key that holds a group of them (`signed`, `clauses`), or an empty group."""
    value = a.get(key)
    return value if isinstance(value, dict) else {}


def put(a: dict, path: str, value) -> None:
    """Set an answer; an empty one removes it, and the groups it leaves empty (an account skipped is no account)."""
    parts = path.split(".")
    if value is None or value == "" or value == []:
        groups = [a]
        for part in parts[:-1]:
            if not isinstance(groups[-1].get(part), dict):
                return
            groups.append(groups[-1][part])
        groups[-1].pop(parts[-1], None)
        for parent, part, group in reversed(list(zip(groups, parts, groups[1:]))):
            if group:
                break
            parent.pop(part, None)
        return
    for part in parts[:-1]:
        if not isinstance(a.get(part), dict):  # an answers file may hold a text where a group belongs
            a[part] = {}
        a = a[part]
    a[parts[-1]] = value


def drop(a: dict, path: str) -> None:
    put(a, path, None)


def model(a):
    return a.get("model")


def answer_date(a, path):
    """An answer as a date, None when it is not one yet (an answers file may hold anything: the rules then say so)."""
    v = get(a, path)
    if isinstance(v, str):
        try:
            return parse_user_date(v)
        except ValueError:
            return None
    return v if isinstance(v, dt.date) else None


def answer_amount(value) -> Decimal:
    """An answer as an amount, 0 when it is not one (the full rule check then names it)."""
    try:
        return parse_user_amount(value) if value is not None else Decimal(0)
    except (ValueError, TypeError, ArithmeticError):
        return Decimal(0)


def sum_of(items, key: str) -> Decimal:
    """The sum of one amount of every row of a table (sources' `amount`, instalments' `percent`), each read as
    `answer_amount` reads it: the one sum the questions' checks and the browser's running totals show."""
    return sum((answer_amount(i.get(key)) for i in items if isinstance(i, dict)), Decimal(0))


def amount_text(value) -> str:
    """An answer's number as the questionnaire and the browser show it, exactly as given, in groups of three
    (1,250,000; 33.333 per cent stays 33.333: a form typed back must not round it). The documents print amounts with
    render.thai.money_figures, in baht and satang."""
    return f"{value:,}"


# The most a user may type into one answer, by kind of question, checked before anything parses it: far above any
# real answer (a date is 20 characters, a background a few thousand), far below what would make a request slow.
LIMITS = {
    "date": 60,
    "amount": 60,
    "int": 20,
    "choice": 100,
    "bool": 20,
    "methods": 300,
    "dates": 1000,
    "steps": 1000,
}
MAX_TEXT = 20_000  # a text answer (the background is the longest: a page or two)
MAX_ITEMS = 200  # lines of a list, rows of a table


def limit_of(q: Q) -> int:
    return LIMITS.get(q.kind, MAX_TEXT)


def clean(raw: str) -> str:
    """What a user typed, cleaned of line-end variants and control characters (spec.source.plain_text)."""
    return plain_text(raw)


def too_long(q: Q, raw: str) -> Invalid | None:
    limit = limit_of(q)
    if len(raw) <= limit:
        return None
    return Invalid(
        f"ยาวเกินไป ({len(raw):,} ตัวอักษร) ข้อนี้รับได้ไม่เกิน {limit:,} ตัวอักษร",
        f"too long ({len(raw):,} characters): this answer takes at most {limit:,}",
    )


class Invalid(ValueError):
    """What a user typed, refused: why, in Thai and English."""

    def __init__(self, th: str, en: str):
        super().__init__(en)
        self.th, self.en = th, en

    @property
    def message(self) -> Message:
        return Message(self.th, self.en)


def _as_dates(q: Q, raw: str) -> object:
    """Several dates, comma- or line-separated: a list (one date alone where a spec allows one)."""
    value = [parse_user_date(part.strip()) for part in re.split(r"[,;\n]+", raw) if part.strip()]
    return value[0] if len(value) == 1 and q.path in ONE_OR_MORE else value


def _as_amount(q: Q, raw: str) -> Decimal:
    value = parse_user_amount(raw)
    if value < 0:
        raise Invalid("ต้องไม่ติดลบ", "must not be negative")
    return value


def _as_bool(q: Q, raw: str) -> bool:
    value = True if raw.lower() == "มี" else yes_or_no(raw)
    if value is None:
        raise Invalid("ตอบ ใช่ (y) หรือ ไม่ (n)", "answer y or n")
    return value


def _as_choice(q: Q, raw: str) -> str:
    values = [c[0] for c in q.choices]
    if raw.isdigit() and 1 <= int(raw) <= len(values):
        return values[int(raw) - 1]
    if raw in values:
        return raw
    raise Invalid(f"เลือกหมายเลข 1-{len(values)}", f"choose 1-{len(values)} or one of {', '.join(values)}")


def _as_methods(q: Q, raw: str) -> list[str]:
    value = [m.strip() for m in re.split(r"[,\s]+", raw) if m.strip()]
    bad = [m for m in value if m not in METHODS.split(", ")]
    if bad or not value:
        raise Invalid(f"ไม่รู้จักวิธี {', '.join(bad)}", f"unknown method(s) {', '.join(bad)}: use {METHODS}")
    return value


def _as_text(q: Q, raw: str) -> str:
    return raw


# What a user typed, by the kind of question, to the value the spec holds (a ValueError or ShortYear: said by
# `convert` in the kind's words; an Invalid: said as it is).
PARSERS: dict[str, Callable[[Q, str], object]] = {
    "date": lambda q, raw: parse_user_date(raw),
    "dates": _as_dates,
    "amount": _as_amount,
    "int": lambda q, raw: int(parse_user_amount(raw)),
    "bool": _as_bool,
    "choice": _as_choice,
    "steps": lambda q, raw: parse_steps(raw),
    "methods": _as_methods,
}


def convert(q: Q, raw: str, a: dict):
    """Text typed by a user -> the value for the spec, or Invalid with a Thai and English message. Its length is
    checked first (nothing parses an overlong answer), then control characters are cleaned out."""
    problem = too_long(q, raw)
    if problem:
        raise problem
    raw = clean(raw).strip()
    if raw in ("", "-", "–", "—") and not q.needed(a):  # a dash is how a form says "none"
        return None
    if raw == "":
        raise Invalid("ต้องตอบข้อนี้", "an answer is needed")
    try:
        value = PARSERS.get(q.kind, _as_text)(q, raw)
    except Invalid:
        raise
    except ShortYear as exc:
        m = exc.meant
        example = typed_date(m, "th") if m else "1/3/2568"
        raise Invalid(
            f"พิมพ์ปี พ.ศ. ให้ครบสี่หลัก เช่น {example}" + (f" (หมายถึง {fmt_date(m, 'th')} หรือไม่)" if m else ""),
            f"type the year in full (four digits), e.g. {example} or {m.isoformat() if m else '2025-03-01'}"
            + (f": did you mean {fmt_date(m, 'en')}?" if m else ""),
        ) from exc
    except ValueError:
        what = {
            "date": ("วันที่ไม่ถูกต้อง พิมพ์เช่น ๒๒/๔/๒๕๖๗ หรือ 2024-04-22", "not a date: type e.g. 22/4/2567 or 2024-04-22"),
            "amount": (
                ("ต้องเป็นตัวเลข เช่น 1,250,000", "must be a number, e.g. 1,250,000")
                if "baht" in q.en.lower()
                else (
                    "ต้องเป็นตัวเลข เช่น 75 (เว้นว่างได้ถ้าไม่มี)" if not q.needed(a) else "ต้องเป็นตัวเลข เช่น 75",
                    "must be a number, e.g. 75" + ("" if q.needed(a) else " (or leave it empty)"),
                )
            ),
            "int": ("ต้องเป็นจำนวนเต็ม", "must be a whole number"),
        }.get(q.kind, ("ค่าไม่ถูกต้อง", "invalid value"))
        raise Invalid(*what) from None
    if q.check and value is not None:
        for one in value if q.kind == "dates" and isinstance(value, list) else [value]:
            problem = q.check(one, a)
            if problem:
                raise Invalid(*problem)
    return value


# An indicator's step (SPEC §1 `indicators[].steps`): the evaluation, as a user names it, and the value to reach by it.
_STEP_KINDS = (("midterm", "ระยะกลาง", "mid-term"), ("yearly", "ประจำปี", "yearly"), ("final", "หลังสิ้นสุด", "final"))
_STEP_HINT = (
    "เขียนเช่น ระยะกลาง 65, ประจำปี 1 80 (การประเมินแล้วตามด้วยค่าเป้าหมาย คั่นด้วยจุลภาค)",
    "write e.g. midterm 65, yearly 1 80 (the evaluation, then the target; comma-separated)",
)


def _step_at(words: str) -> str | None:
    """'ระยะกลาง', 'ระยะกลาง ครั้งที่ 2', 'ประจำปีที่ 1', 'midterm 2', 'yearly 1', 'final' -> an `after` value."""
    low = arabic_digits(words).lower().replace("mid-term", "midterm").replace("annual", "yearly")
    kind = next((k for k, th, en in _STEP_KINDS if k in low or th in low), None)
    numbers = re.findall(r"[0-9]+", low)
    if kind is None or len(numbers) > 1 or (kind == "final" and numbers) or (kind == "yearly" and not numbers):
        return None
    return f"{kind} {int(numbers[0])}" if numbers else kind


def parse_steps(raw: str) -> list[dict]:
    """'ระยะกลาง 65, ประจำปี 1 80' -> [{at: midterm, target: 65}, {at: yearly 1, target: 80}]."""
    out = []
    for part in re.split(r"[,;\n]+", raw):
        words = part.replace(":", " ").replace("=", " ").split()
        if not words:
            continue
        at = _step_at(" ".join(words[:-1])) if len(words) > 1 else None
        try:
            target = parse_user_amount(words[-1])
        except ValueError:
            at = None
        if at is None:
            raise Invalid(
                f"อ่าน '{part.strip()[:40]}' ไม่ได้: {_STEP_HINT[0]}",
                f"cannot read '{part.strip()[:40]}': {_STEP_HINT[1]}",
            )
        out.append({"at": at, "target": target})
    return out


def steps_text(value, lang: str) -> str:
    """Steps as the user types them back: 'ระยะกลาง 65, ประจำปี 1 80' (or in English)."""
    if not isinstance(value, list):
        return str(value)
    words = {k: (th if lang == "th" else k) for k, th, _ in _STEP_KINDS}
    out = []
    for step in value:
        if not isinstance(step, dict):
            continue
        kind, _, n = str(step.get("at", "")).partition(" ")
        target = step.get("target")
        shown_target = amount_text(target) if isinstance(target, (int, Decimal)) else str(target)
        out.append(" ".join(x for x in (words.get(kind, kind), n, shown_target) if x))
    return ", ".join(out)


def default_of(q: Q, a: dict):
    return q.default(a) if callable(q.default) else q.default


def shown(value, lang: str = "th") -> str:
    """An answer as the user reads it back, in the questionnaire's language (dates in words, amounts with commas)."""
    if isinstance(value, str) and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}", value
    ):  # a date as a resumed answers file holds it
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, dt.date):
        return fmt_date(value, lang)
    if isinstance(value, bool):
        return ("ใช่" if value else "ไม่") if lang == "th" else ("yes" if value else "no")
    if isinstance(value, (Decimal, int)):
        return amount_text(value)
    if isinstance(value, list):
        return "; ".join(
            shown(v, lang) if not isinstance(v, dict) else ", ".join(shown(x, lang) for x in v.values()) for v in value
        )
    if isinstance(value, dict):
        return "; ".join(f"{k}: {shown(v, lang)}" for k, v in value.items())
    return str(value)


YES = ("y", "yes", "ใช่", "ครับ", "ค่ะ", "คะ", "จ้ะ", "ได้", "เพิ่ม", "1", "true")
NO = ("n", "no", "ไม่", "ไม่ใช่", "ไม่มี", "ไม่เพิ่ม", "พอ", "0", "false")


def yes_or_no(raw: str) -> bool | None:
    """True for a yes (y, ใช่, ครับ, ค่ะ), False for a no (n, ไม่, พอ), None for anything else: never a silent no."""
    low = raw.strip().lower()
    return True if low in YES else False if low in NO else None


def human_path(field: str, lang: str) -> str:
    """A field path as a user counts: `instalments[2].due` is item 3 of the instalments, not item 2."""
    word = "รายการที่" if lang == "th" else "item"
    return re.sub(r"\[(\d+)\]", lambda m: f" ({word} {int(m.group(1)) + 1})", field)


def plain_data(value):
    """Answers as YAML-safe data: Decimal amounts as int or float (their text stays exact)."""
    if isinstance(value, dict):
        return {k: plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_data(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None)
)


def yaml_block(data: dict) -> str:
    """Answers as the spec file writes them (a text of several lines as a `|` block), without comments."""
    return yaml.dump(plain_data(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
