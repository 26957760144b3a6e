"""What the rules, the assembly and the questionnaire compute from a spec: the delegator's money, what each
instalment pays, when an SLA is required, which evaluations a condition names."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal, Protocol

from pipeline.errors import Message
from pipeline.library.clauses import Library
from pipeline.spec.model import Instalment, Spec
from pipeline.spec.settings import Settings
from pipeline.values import arabic_digits, fiscal_year, money_figures, months_between, number, to_money


class Add(Protocol):
    """How a rule reports what it found: the field's path, a sentence in Thai and in English, and whether it only
    warns."""

    def __call__(self, path: tuple[str | int, ...], th: str, en: str, warning: bool = False) -> None: ...


def delegator_amount(spec: Spec) -> Decimal:
    return sum((s.amount for s in spec.budget.sources if s.provider == "delegator"), Decimal(0))


def instalment_amounts(spec: Spec) -> list[Decimal]:
    """What each instalment pays, in baht: its amount, or its percent of the delegator's money rounded to the satang;
    when every instalment is in percent and they make 100, the last takes the remainder, so the amounts printed add
    up to the delegator's money exactly (three of 33.33 % of 1,000,000: 333,333.33, 333,333.33 and 333,333.34)."""
    base = delegator_amount(spec)
    out = [i.amount if i.amount is not None else to_money(base * (i.percent or 0) / 100) for i in spec.instalments]
    if out and all(i.amount is None for i in spec.instalments):
        if sum((i.percent or Decimal(0) for i in spec.instalments), Decimal(0)) == 100:
            out[-1] = base - sum(out[:-1], Decimal(0))
    return out


def instalments_rounded(spec: Spec) -> bool:
    """Whether an instalment in percent came to a fraction of a satang (the agreement then says how it was rounded)."""
    base = delegator_amount(spec)
    return any(
        i.amount is None and base * (i.percent or 0) / 100 != to_money(base * (i.percent or 0) / 100)
        for i in spec.instalments
    )


# The SLA rule's answer: an SLA the agreement must have, or may have (the questionnaire asks, the rules do not).
SlaRule = Literal["required", "may"]


def sla_rule(
    model: str | None,
    start: dt.date | None,
    end: dt.date | None,
    total: Decimal,
    settings: Settings,
    vulnerable: bool = False,
) -> SlaRule | None:
    """The SLA rule (SPEC §2), the one copy the rules and the questionnaire read: "required" for a performance agreement
    of at least `sla_min_term_months` and `sla_threshold` baht, and for a performance or commissioning agreement with
    vulnerable users whatever its term and total (a direct service to them has written standards); "may" for a
    commissioning agreement as long and large (the questionnaire offers the SLA's questions, the rules do not ask for
    one); None otherwise (a grant never)."""
    if model not in ("performance", "commissioning"):
        return None
    if vulnerable:
        return "required"
    if not start or not end:
        return None
    if months_between(start, end) < settings.sla_min_term_months or total < settings.sla_threshold:
        return None
    return "required" if model == "performance" else "may"


def sla_required(spec: Spec, settings: Settings) -> bool:
    """The manual gives SLAs (NHS practice) in the performance model: required there for a long, large enough one."""
    return (
        sla_rule(spec.model, spec.term.start, spec.term.end, spec.budget.total, settings, spec.scope.vulnerable_users)
        == "required"
    )


def section_status(library: Library, section_id: str, model: str) -> str | None:
    return library.section(section_id).models.get(model)


# Evaluations a free-text condition may name, in Thai and English: the `after` value each stands for.
_NAMED = (
    (
        re.compile(
            r"ประเมินผล(?:การดำเนินงาน)?ระยะกลาง(?:\s*ครั้งที่\s*([0-9๐-๙]+))?|mid-?term evaluation(?:\s+(?:no\.?\s*)?([0-9]+))?",
            re.I,
        ),
        "midterm",
    ),
    (
        re.compile(
            r"ประเมินผล(?:การดำเนินงาน)?ประจำปี(?:\s*(?:ที่|ครั้งที่)\s*([0-9๐-๙]+))?|(?:yearly|annual) evaluation(?:\s+(?:no\.?\s*)?([0-9]+))?",
            re.I,
        ),
        "yearly",
    ),
    (re.compile(r"ประเมินผล(?:การดำเนินงาน)?หลังสิ้นสุด|final evaluation", re.I), "final"),
)


def named_evaluations(text: str | None) -> list[str]:
    """The evaluations a condition names, as `after` values: "เมื่อผ่านการประเมินผลประจำปีที่ ๑" -> ["yearly 1"]."""
    out = []
    text = text if isinstance(text, str) else ("" if text is None else str(text))  # an answers file holds anything
    for pattern, kind in _NAMED:
        for m in pattern.finditer(text):
            n = next((g for g in m.groups() if g), None)
            out.append(f"{kind} {arabic_digits(n)}" if n else kind)
    return out


def evaluation_date(spec: Spec, after: str) -> dt.date | None:
    """The date of the evaluation an `after` value names, or None when the spec does not schedule it."""
    ev = spec.evaluation
    kind, _, n = after.partition(" ")
    if kind == "signing":
        return spec.signing.date
    if kind == "final":
        return ev.final
    dates = ev.midterms if kind == "midterm" else ev.yearly
    index = int(n) - 1 if n else 0
    return dates[index] if 0 <= index < len(dates) else None


FINAL_LATE_DAYS = 120  # the final evaluation may lie this many days after the term at most (SPEC §2)


def final_report_due(spec: Spec) -> dt.date:
    """The day the final report is due: the end of the term and `reporting.final_within_days` (30 by default)."""
    days = spec.reporting.final_within_days if spec.reporting and spec.reporting.final_within_days else 30
    return spec.term.end + dt.timedelta(days=days)


def waits_for_final(inst: Instalment) -> bool:
    """The instalment waits for the final evaluation: its `after` is final, or its condition names that evaluation."""
    return inst.after == "final" or "final" in named_evaluations(inst.condition)


def payment_year(spec: Spec, inst: Instalment) -> int:
    """The Thai fiscal year an instalment's money comes from: the year it falls due in, except a payment after the
    term that waits for the final evaluation under `budget.carry_over`, which counts against the term's last year."""
    if spec.budget.carry_over and inst.due > spec.term.end and waits_for_final(inst):
        return fiscal_year(spec.term.end)
    return fiscal_year(inst.due)


def payment_years(spec: Spec) -> dict[int, Decimal]:
    """The delegator's instalments by the Thai fiscal year their money comes from (payment_year)."""
    out: dict[int, Decimal] = {}
    for inst, amount in zip(spec.instalments, instalment_amounts(spec)):
        year = payment_year(spec, inst)
        out[year] = out.get(year, Decimal(0)) + amount
    return out


def later_fiscal_years(spec: Spec) -> list[int]:
    """The fiscal years after the signing's in which the delegator pays (an instalment falls due, or its money is
    named for that year): those payments depend on a later allocation, and the agreement says so."""
    signed = fiscal_year(spec.signing.date)
    years = {payment_year(spec, i) for i in spec.instalments}
    for s in spec.budget.sources:
        if s.provider == "delegator":
            years |= set(s.fiscal_years or ()) | ({s.fiscal_year} if s.fiscal_year is not None else set())
    return sorted(y for y in years if y > signed)


def unit_cost_exact(spec: Spec) -> bool:
    uc = spec.budget.unit_cost
    return uc is None or uc.amount * uc.quantity == spec.budget.total


_EVAL_TH = {
    "midterm": "การประเมินผลระยะกลาง",
    "yearly": "การประเมินผลประจำปี",
    "final": "การประเมินผลหลังสิ้นสุด",
    "signing": "การลงนาม",
}
_EVAL_EN = {
    "midterm": "mid-term evaluation",
    "yearly": "yearly evaluation",
    "final": "final evaluation",
    "signing": "signing",
}


def eval_words(after: str) -> tuple[str, str]:
    kind, _, n = after.partition(" ")
    return _EVAL_TH[kind] + (f" ครั้งที่ {n}" if n else ""), _EVAL_EN[kind] + (f" {n}" if n else "")


# -- sums: one wording for the rules of mou build and the questionnaire's checks of a table as it is typed --------


def sources_sum_problem(total: Decimal, amounts: list[Decimal]) -> Message | None:
    """The budget's sources add up to its total (SPEC §2)."""
    got = sum(amounts, Decimal(0))
    if got == total:
        return None
    return Message(
        f"แหล่งงบประมาณรวมกันได้ {money_figures(got)} บาท ไม่เท่ากับงบประมาณรวม {money_figures(total)} บาท",
        f"the budget sources add up to {money_figures(got)}, not to the total budget {money_figures(total)}",
    )


def instalments_sum_problem(
    percents: list[Decimal | None], amounts: list[Decimal | None], owed: Decimal
) -> Message | None:
    """Instalments all in percent add up to 100; all in baht, to the delegator's money; not some of each (SPEC §2)."""
    if percents and all(p is not None for p in percents):
        got = sum((p for p in percents if p is not None), Decimal(0))
        if got != 100:
            return Message(
                f"ร้อยละของงวดเงินรวมกันได้ {number(got)} ต้องเท่ากับ 100",
                f"the instalment percentages add up to {number(got)}, not 100",
            )
    elif amounts and all(a is not None for a in amounts):
        paid = sum((a for a in amounts if a is not None), Decimal(0))
        if paid != owed:
            return Message(
                f"เงินงวดรวมกันได้ {money_figures(paid)} บาท ไม่เท่ากับเงินที่ผู้มอบภารกิจสนับสนุน {money_figures(owed)} บาท",
                f"the instalments add up to {money_figures(paid)}, not to the {money_figures(owed)} the delegator provides",
            )
    elif any(p is not None for p in percents) and any(a is not None for a in amounts):
        return Message(
            "งวดเงินต้องระบุเป็นร้อยละทั้งหมดหรือเป็นจำนวนเงินทั้งหมด",
            "instalments must all use percent or all use amount",
        )
    return None


def delegator_by_year(spec: Spec) -> tuple[dict[int, Decimal], Decimal]:
    """The delegator's money by fiscal year as its sources give it (`fiscal_years`, or one `fiscal_year`), and the
    money tied to no year (it may pay in any)."""
    per_year: dict[int, Decimal] = {}
    free = Decimal(0)
    for s in spec.budget.sources:
        if s.provider != "delegator":
            continue
        years = s.fiscal_years or ({s.fiscal_year: s.amount} if s.fiscal_year is not None else None)
        if years is None:
            free += s.amount
            continue
        for y, amount in years.items():
            per_year[int(y)] = per_year.get(int(y), Decimal(0)) + amount
    return per_year, free
