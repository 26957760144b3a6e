"""The questionnaire: asks in Thai (or English), checks each answer when given, returns a complete spec as a dict.

Prompting only returns answers; saving and building are the caller's (cli) job, as in cookiecutter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

import click

from pipeline.errors import Problem, SpecError, printable
from pipeline.questionnaire import pages
from pipeline.questionnaire.answers import (
    Invalid,
    Q,
    amount_text,
    convert,
    default_of,
    drop,
    get,
    human_path,
    put,
    shown,
    yes_or_no,
)
from pipeline.questionnaire.pages import page_of
from pipeline.questionnaire.questions import MODELS, SCREENING
from pipeline.questionnaire.recommend import recommend
from pipeline.render.thai import arabic_digits, parse_user_date
from pipeline.spec.settings import Settings
from pipeline.values import typed_date


def _echo(message="") -> None:
    """Questions and answers as the terminal should show them: an answer's control characters written out."""
    click.echo(printable(str(message)))


@dataclass
class Interview:
    lang: str = "th"
    answers: dict = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    library: object = None

    def say(self, th: str, en: str) -> None:
        _echo(th if self.lang == "th" else en)

    def text(self, q: Q) -> str:
        return q.th if self.lang == "th" else q.en

    def prompt(self, label: str, default=None) -> str:
        shown_default = (
            None
            if default in (None, "")
            else (
                shown(default, self.lang)
                if not isinstance(default, (int, str)) or isinstance(default, bool)
                else str(default)
            )
        )
        return click.prompt(
            label, default=shown_default if shown_default is not None else "", show_default=shown_default is not None
        )

    # -- one question --------------------------------------------------------------------------------------
    def ask_value(self, q: Q, context: dict, previous=None):
        if q.kind == "choice":
            for i, (value, th, en) in enumerate(q.choices, 1):
                _echo(f"  {i}) {th if self.lang == 'th' else en} [{value}]")
        suffix = {
            "bool": " (y/n)" if q.required else self.say_text(" (y/n, Enter = ไม่แน่ใจ)", " (y/n, Enter = not sure)")
        }.get(q.kind, "")
        default = previous if previous is not None else default_of(q, context)
        if q.kind == "choice" and default is not None and default in [c[0] for c in q.choices]:
            default = str([c[0] for c in q.choices].index(default) + 1)
        if q.kind in ("amount", "int") and isinstance(default, (int, Decimal)) and not isinstance(default, bool):
            default = amount_text(default)
        if q.kind == "bool" and default is not None:
            default = "y" if default else "n"
        if q.kind == "date" and isinstance(default, str):
            try:
                default = parse_user_date(default)
            except ValueError:
                pass
        if q.kind == "date" and isinstance(default, dt.date):  # as a Thai user types it: 1/2/2568
            default = typed_date(default, self.lang)
        while True:
            raw = self.prompt(self.text(q) + suffix, default)
            try:
                return convert(q, raw, context)
            except Invalid as exc:
                self.say(f"  ✗ {exc.th} — กรุณาตอบอีกครั้ง", f"  ✗ {exc.en} — please answer again")

    def ask_list(self, q: Q, a: dict):
        items: list[str] = []
        need = q.minimum(a)
        self.say(f"{q.th} — พิมพ์ทีละรายการ กด Enter ที่บรรทัดว่างเมื่อครบ", f"{q.en} — one per line, an empty line to finish")
        while True:
            raw = click.prompt(f"  {len(items) + 1}", default="", show_default=False).strip()
            if not raw:
                if len(items) >= need:
                    return items
                self.say(f"  ✗ ต้องมีอย่างน้อย {need} รายการ", f"  ✗ at least {need} item(s) needed")
                continue
            items.append(raw)

    def ask_records(self, q: Q, a: dict):
        need = q.minimum(a)
        previous: list = list(get(a, q.path) or []) if isinstance(get(a, q.path), list) else []
        while True:
            items: list = []
            while True:
                if len(items) >= need:
                    again = len(items) < len(previous)  # after a failed check the earlier entries are offered back
                    if not self.yes_no(
                        self.say_text(
                            f"เพิ่ม{q.th} รายการที่ {len(items) + 1} หรือไม่ (y/n)",
                            f"Add {q.en} item {len(items) + 1}? (y/n)",
                        ),
                        "y" if again else "n",
                    ):
                        break
                self.say(f"— {q.th} รายการที่ {len(items) + 1}", f"— {q.en}, item {len(items) + 1}")
                record: dict = {}
                context = dict(a)
                put(context, q.path, items)
                before = (
                    previous[len(items)]
                    if len(items) < len(previous) and isinstance(previous[len(items)], dict)
                    else {}
                )
                for sub in q.fields:
                    value = self.ask_value(sub, context, before.get(sub.path))
                    if value is not None:
                        record[sub.path] = value
                items.append(record)
            problem = q.check(items, a) if q.check else None
            if not problem:
                return items
            previous = items
            self.say(
                f"  ✗ {problem[0]} — แก้ไข{q.th} (Enter เพื่อคงคำตอบเดิม)",
                f"  ✗ {problem[1]} — correct the {q.en.lower()} (Enter keeps an answer)",
            )

    def yes_no(self, label: str, default: str) -> bool:
        """A yes or a no, asked again until it is one (ครับ or ค่ะ is a yes; a title typed at the wrong prompt is neither)."""
        while True:
            answer = yes_or_no(self.prompt(label, default))
            if answer is not None:
                return answer
            self.say("  ✗ ตอบ y (ใช่) หรือ n (ไม่)", "  ✗ answer y (yes) or n (no)")

    def say_text(self, th, en):
        return th if self.lang == "th" else en

    def ask(self, q: Q) -> None:
        a = self.answers
        if q.kind == "clauses":  # a browser's tick list; in a terminal, clauses.include in the spec file
            return
        if q.kind == "list":
            put(a, q.path, self.ask_list(q, a))
        elif q.kind == "records":
            put(a, q.path, self.ask_records(q, a))
        else:
            value = self.ask_value(q, a)
            if value is None:
                drop(a, q.path)
            else:
                put(a, q.path, value)
        if q.path == "personal_data.involved" and not get(a, q.path):
            a.setdefault("personal_data", {})["involved"] = False

    # -- the whole interview -----------------------------------------------------------------------------
    def applicable(self) -> list[Q]:
        return pages.applicable(self.answers, self.settings)

    def missing(self) -> list[Q]:
        return pages.missing(self.answers, self.settings)

    def fill_defaults(self) -> None:
        for q in self.applicable():
            if get(self.answers, q.path) is not None or q.kind == "list":
                continue
            if q.kind == "records":  # a list whose one needed row the questions fill alone (a grant's single payment)
                if q.minimum(self.answers) == 1:
                    record = {f.path: default_of(f, self.answers) for f in q.fields}
                    if all(record[f.path] is not None for f in q.fields if f.required):
                        put(self.answers, q.path, [{k: v for k, v in record.items() if v is not None}])
                continue
            d = default_of(q, self.answers)
            if d is not None:
                put(self.answers, q.path, d if q.kind != "methods" else [m.strip() for m in d.split(",")])

    def choose_model(self, interactive: bool) -> None:
        a = self.answers
        a.setdefault("spec_version", 1)
        a.setdefault("language", self.lang)
        if a.get("model"):
            return
        if interactive:
            self.say("ขั้นที่ ๑ การเลือกรูปแบบความร่วมมือ", "Step 1: choosing the model")
            for q in SCREENING:
                if get(a, q.path) is None:
                    self.ask(q)
        rec = recommend(**(a.get("screening") or {}))
        if not interactive:
            a["model"] = rec.model
            return
        label = dict((m, th if self.lang == "th" else en) for m, th, en in MODELS)[rec.model]
        self.say(f"แนะนำ: {label} — {rec.th}", f"Recommended: {label} — {rec.en}")
        q = Q(
            "model",
            "ยอมรับรูปแบบที่แนะนำ หรือเลือกรูปแบบอื่น",
            "Accept the recommendation or choose another",
            "choice",
            MODELS,
            default=rec.model,
        )
        self.ask(q)

    def problems(self) -> list:
        return pages.problems(self.answers, self.settings, self.library)

    def question_for(self, field_path: str) -> Q | None:
        bare = re.sub(r"\[\d+\].*", "", field_path)
        candidates = [
            q
            for q in self.applicable()
            if bare == q.path or bare.startswith(q.path + ".") or q.path.startswith(bare + ".") or q.path == bare
        ]
        return max(candidates, key=lambda q: len(q.path), default=None) if candidates else None

    def run(self) -> dict:
        self.choose_model(interactive=True)
        self.say("ขั้นที่ ๒ รายละเอียดของบันทึกข้อตกลง", "Step 2: the agreement")
        page, asked = None, set()
        while (
            True
        ):  # the questions that apply are found again after each answer: an SLA once the term and money call for one
            q = next((q for q in self.applicable() if get(self.answers, q.path) is None and q.path not in asked), None)
            if q is None:
                break
            asked.add(q.path)
            if page_of(q.path) is not page:  # the same parts, in the same order, as the pages of `mou serve`
                page = page_of(q.path)
                self.say(f"— {page.th} —", f"— {page.en} —")
            self.ask(q)
        while True:
            problems = self.problems()
            if problems:
                stuck = [
                    Problem(p.file, None, p.field, p.th, p.en) for p in problems if self.question_for(p.field) is None
                ]
                if stuck:  # e.g. an SLA for a grant in an answers file: no question here can mend it
                    raise SpecError(stuck, "answers (แก้ไขในไฟล์คำตอบ / fix them in the answers file)")
                for p in problems:
                    self.say(f"  ✗ {human_path(p.field, 'th')}: {p.th}", f"  ✗ {human_path(p.field, 'en')}: {p.en}")
                for q in dict.fromkeys(q for p in problems if (q := self.question_for(p.field)) is not None):
                    self.say(f"แก้ไข: {q.th}", f"Fix: {q.en}")
                    self.ask(q)
                for later in self.missing():  # answers that now apply (a keeper for a copy beyond the signatories)
                    self.ask(later)
                continue
            if not self.review():
                return self.answers

    def review(self) -> bool:
        """Shows every answer; returns True when the user changed one (then everything is checked again)."""
        qs = [q for q in self.applicable() if get(self.answers, q.path) is not None]
        self.say("ขั้นที่ ๓ ตรวจทานคำตอบ", "Step 3: review your answers")
        for i, q in enumerate(qs, 1):
            _echo(f"  {i:>2}. {self.text(q)}: {shown(get(self.answers, q.path), self.lang)}")
        while True:
            raw = arabic_digits(
                click.prompt(
                    self.say_text(
                        "พิมพ์หมายเลขข้อที่ต้องการแก้ไข หรือ Enter เพื่อยืนยันและสร้างร่าง",
                        "Number of an answer to change, or Enter to confirm and build the draft",
                    ),
                    default="",
                    show_default=False,
                ).strip()
            )
            if raw == "" or (raw.isdigit() and 1 <= int(raw) <= len(qs)):
                break
            self.say(f"  ✗ พิมพ์หมายเลข 1-{len(qs)} หรือกด Enter", f"  ✗ type a number from 1 to {len(qs)}, or Enter")
        if raw:
            q = qs[int(raw) - 1]
            drop(self.answers, q.path)
            self.ask(q)
            for later in self.missing():  # answers that now apply and are missing (e.g. an SLA after a longer term)
                self.ask(later)
            return True
        return False
