"""Answers as the pages show them: a choice by its label, a date in words, a field path in the words of its
question, a link to the field's page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from flask import g, url_for

from pipeline.questionnaire.answers import Q, amount_text, steps_text
from pipeline.questionnaire.pages import PAGES, page_of, page_questions
from pipeline.questionnaire.questions import MODELS, QUESTIONS, SCREENING
from pipeline.render import thai
from pipeline.spec.settings import Settings
from pipeline.values import typed_date
from pipeline.web.context import office
from pipeline.web.strings import t


def when_words(stamp: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return f"{thai.date(moment.date(), g.lang)} {moment:%H:%M}"


def value_of(path: str, value) -> str:
    """A recorded value as the questions show it: a choice by its label, a date in words, yes or no."""
    if value is None or value == []:
        return "—"
    base = re.sub(r"\[\d+\]", "", path)

    q = next((q for q in QUESTIONS + SCREENING if q.path == base), None)
    if q is None and "." in base:  # a field of a table's row
        table, _, sub = base.rpartition(".")
        parent = next((q for q in QUESTIONS if q.path == table), None)
        q = next((f for f in parent.fields if f.path == sub), None) if parent else None
    if q is None and base == "signed.date" or (q is not None and q.kind == "date"):
        d = as_date(value)
        return thai.date(d, g.lang) if d else str(value)
    if base == "model":
        return dict((m, th if g.lang == "th" else en) for m, th, en in MODELS).get(value, str(value))
    if base in ("clauses.include", "clauses.exclude"):  # a clause the history names by its id: by its title
        clause = office().library.clauses.get(str(value))
        return getattr(clause.title, g.lang) if clause is not None else str(value)
    if q is not None:
        if q.kind == "bool" or isinstance(value, bool):
            return t("yes") if value in (True, "True", "true") else t("no")
        return shown_answer(value, q)
    return str(value)


def title_of(answers: dict) -> str:
    title = answers.get("title")
    return " ".join(str(title).split()) if title else ""


def visible_pages(answers: dict, settings: Settings) -> list:
    return [p for p in PAGES if page_questions(p, answers, settings)]


def next_page(pg, answers, settings):
    visible = visible_pages(answers, settings)
    later = [p for p in visible if PAGES.index(p) > PAGES.index(pg)]
    return later[0] if later else None


def field_link(name: str, field_path: str) -> str:
    page = page_of(field_path)
    anchor = re.sub(r"\[(\d+)\]", lambda m: f".{int(m.group(1))}", field_path)
    return url_for("agreements.page", name=name, page_id=page.id) + f"#f-{anchor}"


def shown_answer(value, q: Q) -> str:
    if q.kind == "clauses":  # the optional clauses the agreement has, by their titles
        return clause_titles()
    if value is None or value == [] or value == "":
        return "—"
    if q.kind == "choice":
        labels = {c[0]: (c[1] if g.lang == "th" else c[2]) for c in q.choices}
        return labels.get(value, str(value))
    if q.kind in ("date", "dates"):
        dates = [as_date(v) for v in (value if isinstance(value, list) else [value])]
        return ", ".join(
            thai.date(d, g.lang) if d else str(v) for d, v in zip(dates, value if isinstance(value, list) else [value])
        )
    if q.kind == "bool":
        return t("yes") if value else t("no")
    if q.kind == "amount" and isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        value = Decimal(value)  # as the history records an amount: "1500000", shown "1,500,000" as it was typed
    if q.kind == "amount" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return amount_text(value)
    if q.kind == "steps":
        return steps_text(value, g.lang)
    if q.kind == "methods":  # a list of them, or one item of it as the history records a change
        words = method_words()
        return ", ".join(words.get(str(m), str(m)) for m in (value if isinstance(value, list) else [value]))
    if q.kind == "records" and isinstance(value, list):
        return "; ".join(
            ", ".join(
                shown_answer(r.get(f.path), f)
                for f in q.fields
                if isinstance(r, dict) and r.get(f.path) not in (None, "")
            )
            for r in value
        )
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return thai.parse_user_date(str(value))
    except ValueError:
        return None


def _typed_date(value) -> str:
    d = as_date(value)
    if d is None:
        return str(value)
    return typed_date(d, g.lang)


def typed_text(value, q: Q) -> str:
    """An answer as the user would type it back: 1/3/2568, 1,250,000, one list item per line."""
    if value is None:
        return ""
    if q.kind in ("date", "dates"):
        return ", ".join(_typed_date(v) for v in (value if isinstance(value, list) else [value]))
    if q.kind == "amount" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return amount_text(value)
    if q.kind == "methods" and isinstance(value, list):
        return ", ".join(map(str, value))
    if q.kind == "list" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if q.kind == "steps":
        return steps_text(value, g.lang)
    return str(value)


_TERMINAL_HINT = re.compile(
    r"\s*\((Enter เพื่อข้าม|Enter to skip|หลายย่อหน้าคั่นด้วย \| |separate paragraphs with \| |ทีละ[^)]*|"
    r"one at a time|คั่นด้วยจุลภาค[^)]*|[^)]*comma-separated[^)]*)\)"
)


# What a hint about the terminal's Enter key says in a form, where an optional field is simply left empty.
_ENTER_KEY = {
    "th": (("Enter เพื่อข้ามถ้า", "เว้นว่างถ้า"), ("Enter เพื่อข้าม", "เว้นว่างได้"), ("Enter = ", "ถ้าเว้นว่าง = ")),
    "en": (
        ("Enter to skip if", "leave empty if"),
        ("Enter to skip", "may be left empty"),
        ("Enter = ", "if left empty: "),
    ),
}


def question_label(q: Q) -> str:
    """A question's words without the terminal's typing hints ("Enter เพื่อข้าม", "ทีละข้อ"): a form shows them its own
    way (an optional field has no "ต้องตอบ"), and a hint that says more than "skip" says it without the Enter key."""
    lang = "th" if g.lang == "th" else "en"
    words = _TERMINAL_HINT.sub("", q.th if lang == "th" else q.en)
    for terminal, form in _ENTER_KEY[lang]:
        words = words.replace(terminal, form)
    return words


def method_words() -> dict:
    """Evaluation methods by their words in the clause library's labels (the ones the agreement itself prints)."""
    labels = office().library.labels.get("method", {})
    return {code: words.get(g.lang, code) for code, words in labels.items()}


def question_of(key: str) -> Q | None:
    """The question behind a form key: `f.term.end`, or `r.instalments.2.due` (a field of a table's row)."""

    if key.startswith("f."):
        return next((q for q in QUESTIONS if q.path == key[2:]), None)
    m = re.fullmatch(r"r\.(.+)\.(\d+)\.([^.]+)", key)
    if m is None:
        return None
    table = next((q for q in QUESTIONS if q.path == m.group(1)), None)
    return next((f for f in table.fields if f.path == m.group(3)), None) if table else None


def field_label(field_path: str) -> str:
    """A rule's field path in the words of the questions: `instalments[2].due` is "งวดเงิน รายการที่ ๓: กำหนดจ่าย"."""

    special = {"signed.date": t("signed_on"), "model": t("model"), "language": t("language")}
    if field_path in special:
        return special[field_path]

    screening = next((q for q in SCREENING if q.path == field_path), None)
    if screening is not None:
        return question_label(screening)
    m = re.fullmatch(r"([\w.]+?)(?:\[(\d+)\](?:\.(\w+))?)?", field_path)
    base = m.group(1) if m else field_path
    q = next((q for q in QUESTIONS if q.path == base), None)
    if q is None:
        q = next((q for q in QUESTIONS if q.path.startswith(base + ".") or base.startswith(q.path + ".")), None)
        return question_label(q) if q else (page_of(field_path).th if g.lang == "th" else page_of(field_path).en)
    text = question_label(q)
    if m and m.group(2) is not None:
        n = str(int(m.group(2)) + 1)
        text += f" รายการที่ {thai.thai_digits(n)}" if g.lang == "th" else f" item {n}"
        sub = next((f for f in q.fields if f.path == m.group(3)), None) if m.group(3) else None
        if sub is not None:
            text += f": {question_label(sub)}"
    return text


_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
MAX_FILE_TITLE = 100
MAX_FILE_BYTES = 240


def file_title(answers: dict, name: str, suffix: str = "") -> str:
    """A download named after the agreement's title (its file name when it has none): characters no file system
    takes removed, at most 100 characters and, with the suffix (" (ร่าง)", " SLA ปีที่ 2" …), at most MAX_FILE_BYTES in
    UTF-8 (a file name on Linux is at most 255 bytes, and a Thai character takes 3: Chromium silently dropped longer
    ones), cut between whole characters (a Thai vowel or tone mark stays with its letter)."""
    import unicodedata

    title = " ".join(_UNSAFE.sub(" ", str(answers.get("title") or name)).split()).strip(" .") or name
    room = MAX_FILE_BYTES - len(suffix.encode("utf-8"))
    if len(title) > MAX_FILE_TITLE or len(title.encode("utf-8")) > room:
        cut = min(MAX_FILE_TITLE, len(title))
        while cut > 0 and len(title[:cut].encode("utf-8")) > room:
            cut -= 1
        while 0 < cut < len(title) and unicodedata.category(title[cut]) in (
            "Mn",
            "Mc",
        ):  # the mark goes with its letter
            cut -= 1
        title = title[:cut].rstrip(" .")
    return title + suffix


def ascii_fallback(resp) -> None:
    """A download's name for a browser that reads only `filename=` (not `filename*=`): the agreement's file name when it
    is ASCII, else "agreement", and the file's extension — never the blank "  ().pdf" Werkzeug derives from Thai."""
    from pathlib import PurePosixPath

    from flask import request

    disposition = resp.headers.get("Content-Disposition", "")
    if "filename*=" not in disposition:
        return
    name = str((request.view_args or {}).get("name") or "")
    base = name if name and name.isascii() and name.isprintable() and '"' not in name else "agreement"
    kind = disposition.split(";")[0].strip()
    ext = PurePosixPath(request.path).suffix
    resp.headers["Content-Disposition"] = (
        f'{kind}; filename="{base}{ext}"; ' + disposition[disposition.index("filename*=") :]
    )


def clause_titles() -> str:
    """The titles of the optional clauses in force in the agreement of this request (for the review)."""
    from flask import request

    from pipeline.web.context import office
    from pipeline.web.forms import clauses_on, optional_clauses

    name = (request.view_args or {}).get("name")
    answers = office().ws.load(name).answers if name else {}
    titles = {cid: title for cid, title, _ in optional_clauses(answers)}
    chosen = [titles[c] for c in clauses_on(answers)]
    return ", ".join(chosen) if chosen else "—"
