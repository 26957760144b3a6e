"""What falls due under the signed agreements (issue 23): each instalment (its date, amount and the condition it
waits for), each mid-term, yearly and final evaluation, each report the reporting clause asks for, the end of each
year's SLA and the signing of the next year's (a set number of days before: the setting `sla_renewal_days`), and the
end of the term. One function computes them; `mou obligations`, the calendar page and the .ics all read it.

An obligation is known by its UID: agreement, kind and number, never its date, so that after an amendment (a signed
spec that `amends` another, whose obligations replace the other's under the other's name) a calendar moves the event
instead of adding a second one."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.documents.agreement import DEFAULT_REPORTING, _waits_for, assemble
from pipeline.documents.check import check_spec
from pipeline.errors import MouError
from pipeline.library.clauses import Library
from pipeline.render import thai
from pipeline.rules.facts import instalment_amounts
from pipeline.spec.model import Spec
from pipeline.spec.settings import Settings

if TYPE_CHECKING:
    from pipeline.render.ics import Event

KINDS = {  # kind: (Thai, English, who acts)
    "instalment": ("งวดเงินที่ {n}", "instalment {n}", "delegator"),
    "midterm": ("การประเมินผลระยะกลาง ครั้งที่ {n}", "mid-term evaluation {n}", "delegator"),
    "yearly": ("การประเมินผลประจำปี ครั้งที่ {n}", "yearly evaluation {n}", "delegator"),
    "final_evaluation": ("การประเมินผลหลังสิ้นสุดการดำเนินงาน", "final evaluation", "delegator"),
    "report": ("รายงานความก้าวหน้า ครั้งที่ {n}", "progress report {n}", "partner"),
    "final_report": ("รายงานฉบับสมบูรณ์", "final report", "partner"),
    "sla_end": ("สิ้นสุดข้อตกลงระดับการให้บริการ ปีที่ {n}", "end of the SLA of year {n}", "both"),
    "sla_renewal": ("ลงนามข้อตกลงระดับการให้บริการ ปีที่ {n}", "signing of the SLA of year {n}", "both"),
    "term_end": ("สิ้นสุดระยะเวลาดำเนินการ", "end of the term", "both"),
}
# Dates that pass by themselves (the end of the term, the end of a year's SLA): never overdue, nothing to mark done.
MILESTONES = frozenset({"sla_end", "term_end"})
SECTION = {  # the clause that sets each kind
    "instalment": "instalments",
    "midterm": "monitoring",
    "yearly": "monitoring",
    "final_evaluation": "monitoring",
    "report": "reporting",
    "final_report": "reporting",
    "sla_end": "annex_sla",
    "sla_renewal": "annex_sla",
    "term_end": "term",
}
MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
_CLAUSE = re.compile(r"^((?:ข้อ|Clause)\s*[๐-๙0-9]+|ภาคผนวก\s*\S+|Annex\s*\S+)")


@dataclass(frozen=True)
class Obligation:
    agreement: str  # the spec's name (file stem); after an amendment, the name of the agreement it amends
    title: str
    lang: str
    kind: str
    n: int
    date: dt.date
    amount: Decimal | None = None
    condition: str = ""
    clause: str = ""  # "ข้อ ๗", "ภาคผนวก ข": where the agreement sets it
    signed: bool = True
    source: str = ""  # the spec file it comes from (an amendment's, after one)
    sequence: int = 0  # grows with each amendment that replaces it (the .ics SEQUENCE)

    @property
    def uid(self) -> str:
        return f"{self.agreement}.{self.kind}.{self.n}@mou-pipeline"

    @property
    def party(self) -> str:
        return KINDS[self.kind][2]

    @property
    def milestone(self) -> bool:
        """A date that passes by itself (the end of the term or of an SLA year), not something someone must do."""
        return self.kind in MILESTONES

    @staticmethod
    def kind_words(kind: str, lang: str) -> str:
        """A kind without its number, for a filter: งวดเงิน, การประเมินผลระยะกลาง, progress report."""
        th, en, _ = KINDS[kind]
        return re.sub(r"\s*(ครั้งที่|ปีที่|ที่)?\s*\{n\}|\s*(of year)?\s*\{n\}", "", th if lang == "th" else en)

    def label(self, lang: str | None = None) -> str:
        th, en, _ = KINDS[self.kind]
        return (th if (lang or self.lang) == "th" else en).format(n=self.n)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _clauses(spec: Spec, settings: Settings, library: Library) -> dict[str, str]:
    """Section id -> the clause number or annex letter it prints under."""
    out = {}
    for s in assemble(spec, settings, library).sections:
        m = _CLAUSE.match(s.heading)
        if m and s.id not in out:
            out[s.id] = m.group(1)
    return out


def obligations_of(
    name: str, spec: Spec, settings: Settings, library: Library, source: str = "", sequence: int = 0
) -> list[Obligation]:
    """Every obligation of one agreement, in date order."""
    lang, words = spec.language, library.labels["evaluation"]
    clauses = _clauses(spec, settings, library)
    signed = spec.signed is not None
    out: list[Obligation] = []

    def add(kind: str, n: int, day: dt.date, amount: Decimal | None = None, condition: str = "") -> None:
        out.append(
            Obligation(
                name,
                spec.title,
                lang,
                kind,
                n,
                day,
                amount,
                condition,
                clauses.get(SECTION[kind], ""),
                signed,
                source,
                sequence,
            )
        )

    for n, (inst, amount) in enumerate(zip(spec.instalments, instalment_amounts(spec)), 1):
        waits = _waits_for(spec, inst.after, words, lang) if inst.after else ""
        add("instalment", n, inst.due, amount, " ".join(x for x in (waits, inst.condition or "") if x))
    ev = spec.evaluation
    for n, day in enumerate(ev.midterms, 1):
        add("midterm", n, day)
    for n, day in enumerate(ev.yearly, 1):
        add("yearly", n, day)
    add("final_evaluation", 1, ev.final)
    frequency = spec.reporting.frequency if spec.reporting else DEFAULT_REPORTING
    if frequency in MONTHS:
        k, day = 1, _add_months(spec.term.start, MONTHS[frequency])
        while day <= spec.term.end:
            add("report", k, day - dt.timedelta(days=1))  # the last day of each period
            k, day = k + 1, _add_months(spec.term.start, MONTHS[frequency] * (k + 1))
    days = spec.reporting.final_within_days if spec.reporting and spec.reporting.final_within_days else 30
    add("final_report", 1, spec.term.end + dt.timedelta(days=days))
    slas = ([spec.sla] if spec.sla else []) + list(spec.sla_renewals)
    for year, sla in enumerate(slas, 1):
        add("sla_end", year, sla.end)
        if sla.end < spec.term.end and year == len(slas):  # the next year's SLA is still to be made
            add("sla_renewal", year + 1, sla.end - dt.timedelta(days=settings.sla_renewal_days))
    add("term_end", 1, spec.term.end)
    return sorted(out, key=lambda o: (o.date, list(KINDS).index(o.kind), o.n))


@dataclass
class Calendar:
    obligations: list[Obligation]
    failed: list[str]  # a spec that fails to load: named, the others still listed


def _specs(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.glob("*.yaml") if not p.name.startswith((".", "_")) and not p.name.endswith(".answers.yaml")
    )


def calendar(
    folder: Path, settings: Settings, library: Library, drafts: bool = False, only: set[str] | None = None
) -> Calendar:
    """The obligations of every signed agreement in a folder (and the unsigned ones with `drafts`, marked); a signed
    amendment's replace those of the agreement it amends, under that agreement's name and UIDs. `only`: the names
    to read (the browser's user may see some)."""
    loaded: dict[str, Spec] = {}
    failed = []
    for path in _specs(folder):
        if only is not None and path.stem not in only:
            continue
        try:
            loaded[path.stem] = check_spec(path, settings, library).spec
        except MouError as exc:
            failed.append(f"{path.name}: {exc.format().splitlines()[0]}")
    root: dict[str, str] = {}
    for name in loaded:  # the agreement a chain of amendments started from
        seen, at = {name}, name
        while (parent := loaded[at].amends if loaded.get(at) is not None else None) and parent not in seen:
            seen.add(parent)
            at = parent
        root[name] = at
    chosen: dict[str, tuple[str, Spec]] = {}
    for name, spec in loaded.items():
        if spec.signed is None and not drafts:
            continue
        key = root[name]
        if spec.signed is None:  # a draft stands for itself (an amendment in progress does not replace anything)
            key = name
        held = chosen.get(key)
        later = spec.signed is not None and (
            held is None or held[1].signed is None or (spec.signed.date, name) > (held[1].signed.date, held[0])
        )
        if held is None or later:
            chosen[key] = (name, spec)
    out = []
    for key, (name, spec) in chosen.items():
        # the .ics SEQUENCE: how many signed amendments the chain holds, so that it only rises (a correction of an
        # amendment's date must not lower it, as days since a fixed day did)
        sequence = (
            sum(1 for n, s in loaded.items() if root[n] == key and n != key and s.signed is not None)
            if name != key and spec.signed
            else 0
        )
        out += obligations_of(key, spec, settings, library, source=name, sequence=sequence)
    out.sort(key=lambda o: (o.date, o.agreement, list(KINDS).index(o.kind), o.n))
    return Calendar(out, failed)


def money_by_fiscal_year(obligations: list[Obligation]) -> dict[int, Decimal]:
    """The delegator's money falling due, by Thai fiscal year (B.E.)."""
    out: dict[int, Decimal] = {}
    for o in obligations:
        if o.kind == "instalment" and o.amount is not None:
            year = thai.fiscal_year(o.date)
            out[year] = out.get(year, Decimal(0)) + o.amount
    return dict(sorted(out.items()))


def _local(text: str, lang: str, settings: Settings) -> str:
    return thai.localise_digits(text, lang, settings.digits)


def amount_words(o: Obligation, settings: Settings) -> str:
    if o.amount is None:
        return ""
    figures = f"{thai.to_money(o.amount):,.2f}"
    return _local(f"{figures} บาท" if o.lang == "th" else f"{figures} baht", o.lang, settings)


def obligation_line(o: Obligation, settings: Settings) -> str:
    """One line: the date as the agreement's language writes it, the agreement, the kind, the amount."""
    when = _local(thai.date(o.date, o.lang), o.lang, settings)
    kind = _local(o.label("th"), o.lang, settings) + " / " + o.label("en")
    parts = [when, o.agreement, kind]
    if o.amount is not None:
        parts.append(amount_words(o, settings))
    if not o.signed:
        parts.append("(ร่าง ยังไม่ลงนาม / draft, not signed)")
    return "  ".join(parts)


def obligation_event(o: Obligation, settings: Settings) -> Event:
    """The .ics event: a Thai summary (the agreement's language), its title and clause in the description."""
    from pipeline.render.ics import Event

    summary = f"{o.label()}: {o.title}"
    where = _local(o.clause, o.lang, settings)
    lines = [o.title, (f"ตาม{where}" if o.lang == "th" else f"under {where}") if where else ""]
    if o.amount is not None:
        lines.append(amount_words(o, settings))
    if o.condition:
        lines.append(o.condition)
    lines.append(f"{o.agreement} ({o.source})" if o.source and o.source != o.agreement else o.agreement)
    if not o.signed:
        lines.append("ร่าง ยังไม่ลงนาม / draft, not signed")
    return Event(
        o.uid,
        o.date,
        _local(summary, o.lang, settings),
        "\n".join(_local(x, o.lang, settings) for x in lines if x),
        o.sequence,
        o.kind,
    )
