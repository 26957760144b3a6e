"""The rules of SPEC.md §2 and the required sections of §3, checked on a typed spec; each failure names its field.

One module per family of rules, each rule a function (spec, settings, library, add) registered in RULES, which
`check` runs in order: `mou validate`, the questionnaire and the browser all call `check`."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import Message
from pipeline.library.clauses import Library
from pipeline.spec.model import Spec
from pipeline.spec.settings import Settings

from . import committee, dates, document, evaluations, money, parties, scope, sla
from .facts import (
    delegator_amount,
    evaluation_date,
    instalment_amounts,
    later_fiscal_years,
    named_evaluations,
    payment_years,
    section_status,
    sla_required,
    unit_cost_exact,
)


@dataclass(frozen=True)
class Finding:
    path: tuple[str | int, ...]
    th: str
    en: str
    warning: bool = False  # a warning does not stop a build (unless --strict)
    rule: str = ""  # which rule found it: "family.function" ("dates.check", "parties.authority")

    @property
    def message(self) -> Message:
        return Message(self.th, self.en)


RULES = (
    dates.check,
    money.check,
    evaluations.payments_wait,
    parties.copies,
    parties.supporters,
    parties.bound,
    parties.authority,
    parties.named_parties,
    scope.safeguarding,
    evaluations.pass_criteria,
    evaluations.steps,
    money.budget_lines,
    evaluations.performance,
    committee.check,
    sla.check,
    sla.periods,
    sla.renewals,
    document.warnings,
    document.payment_warnings,
    document.personal_data,
    document.sections,
)


HARD = frozenset({dates.check, money.check, evaluations.payments_wait, sla.periods, sla.renewals})


def check(spec: Spec, settings: Settings, library: Library) -> list[Finding]:
    """Every rule, every failure: nothing stops at the first. Warnings are Findings with warning=True."""
    out: list[Finding] = []
    for rule in RULES:
        name = f"{rule.__module__.rsplit('.', 1)[-1]}.{rule.__name__}"
        # A signed spec records what was signed: a rule not about types, dates or sums (one added after it was
        # signed) warns on it, so that its obligations, SLAs and amendments still work (SPEC §2).
        soft = spec.signed is not None and rule not in HARD

        def add(
            path: tuple[str | int, ...], th: str, en: str, warning: bool = False, name: str = name, soft: bool = soft
        ) -> None:
            out.append(Finding(tuple(path), th, en, warning or soft, name))

        rule(spec, settings, library, add)
    return out


__all__ = [
    "RULES",
    "Finding",
    "check",
    "delegator_amount",
    "evaluation_date",
    "instalment_amounts",
    "later_fiscal_years",
    "named_evaluations",
    "payment_years",
    "section_status",
    "sla_required",
    "unit_cost_exact",
]
