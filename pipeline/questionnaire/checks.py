"""What the questionnaire's answers are checked against as they are typed (each a (value, answers) -> (th, en) or
None), and the conditions on the answers that decide whether a question applies — the rules of `mou build` on answers
that may still be incomplete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pipeline.errors import Message
from pipeline.questionnaire.answers import answer_amount, answer_date, get, model, sum_of
from pipeline.render.thai import date as fmt_date
from pipeline.render.thai import months_between
from pipeline.rules.evaluations import waits_to_pass
from pipeline.rules.facts import FINAL_LATE_DAYS, instalments_sum_problem, sla_rule, sources_sum_problem
from pipeline.rules.scope import names_vulnerable
from pipeline.spec.model import count_signatories
from pipeline.spec.settings import Settings


def check_in_term(value, a):
    s, e = answer_date(a, "term.start"), answer_date(a, "term.end")
    if s and e and not (s <= value <= e):
        return Message(
            f"วันที่ต้องอยู่ระหว่าง {fmt_date(s, 'th')} ถึง {fmt_date(e, 'th')} (ระยะเวลาดำเนินการ)",
            f"the date must lie within the term, {fmt_date(s, 'en')} to {fmt_date(e, 'en')}",
        )
    return None


def check_due(value, a):
    """An instalment's due date: inside the term, or after it (a payment that waits for the final evaluation may;
    the rules of mou build, run on the page's answers, say whether this one does)."""
    e = answer_date(a, "term.end")
    return None if e and value > e else check_in_term(value, a)


def check_final(value, a):
    """The final evaluation: inside the term or at most FINAL_LATE_DAYS after it (SPEC §2)."""
    s, e = answer_date(a, "term.start"), answer_date(a, "term.end")
    if s and e and not (s <= value <= e + dt.timedelta(days=FINAL_LATE_DAYS)):
        last = e + dt.timedelta(days=FINAL_LATE_DAYS)
        return Message(
            f"วันที่ต้องอยู่ระหว่าง {fmt_date(s, 'th')} ถึง {fmt_date(last, 'th')} "
            f"(ระยะเวลาดำเนินการและอีกไม่เกิน {FINAL_LATE_DAYS} วัน)",
            f"the date must lie between {fmt_date(s, 'en')} and {fmt_date(last, 'en')} "
            f"(the term and at most {FINAL_LATE_DAYS} days after it)",
        )
    return None


def check_term_end(value, a):
    s = answer_date(a, "term.start")
    return Message("วันสิ้นสุดต้องอยู่หลังวันเริ่มต้น", "the end must come after the start") if s and value <= s else None


def check_term_start(value, a):
    s = answer_date(a, "signing.date")
    return (
        Message("วันเริ่มต้นต้องไม่อยู่ก่อนวันลงนาม", "the term must not start before the signing date")
        if s and value < s
        else None
    )


def check_sources_sum(items, a):
    """The rule's own sum (rules.facts.sources_sum_problem) on the table as typed."""
    return sources_sum_problem(answer_amount(get(a, "budget.total")), [sum_of([i], "amount") for i in items])


def delegator_money(a) -> Decimal:
    """The delegator's money in the answers: what instalments given in baht add up to."""
    sources = get(a, "budget.sources")
    return sum_of([x for x in (sources or []) if isinstance(x, dict) and x.get("provider") == "delegator"], "amount")


def check_instalments_sum(items, a):
    """Instalments all in percent (adding up to 100) or all in baht (adding up to the delegator's money)."""
    given = [(i.get("percent") is not None, i.get("amount") is not None) for i in items if isinstance(i, dict)]
    if any(p and m for p, m in given) or (any(p for p, _ in given) and any(m for _, m in given)):
        return Message(
            "งวดเงินทุกงวดต้องระบุเป็นร้อยละ หรือเป็นจำนวนเงิน อย่างใดอย่างหนึ่งเหมือนกันทุกงวด",
            "give every instalment in percent, or every one in baht, not both",
        )
    if not all(p or m for p, m in given):
        return Message("แต่ละงวดต้องระบุร้อยละหรือจำนวนเงิน", "each instalment needs a percent or an amount")
    rows = [i for i in items if isinstance(i, dict)]
    percents = [sum_of([i], "percent") if i.get("percent") is not None else None for i in rows]
    amounts = [sum_of([i], "amount") if i.get("amount") is not None else None for i in rows]
    return instalments_sum_problem(percents, amounts, delegator_money(a))  # the rule's own sums


def check_sla_end(value, a):
    s = answer_date(a, "sla.start")
    if s and months_between(s, value) > 12:
        return Message("SLA แต่ละฉบับมีอายุได้ไม่เกิน 12 เดือน", "an SLA lasts at most 12 months")
    return check_in_term(value, a)


def sla_needed(a, settings: Settings):
    """The SLA rule of the rules (rules.facts.sla_rule) on answers that may still be incomplete: asked when an SLA is
    required (performance) or may be given (commissioning)."""
    total = answer_amount(get(a, "budget.total"))
    vulnerable = get(a, "scope.vulnerable_users") is True
    return (
        sla_rule(model(a), answer_date(a, "term.start"), answer_date(a, "term.end"), total, settings, vulnerable)
        is not None
    )


def extra_copies(a) -> int:
    """Copies beyond one per signatory (delegator, partner, supporters that sign): each needs a named keeper."""
    try:
        copies = int(a.get("copies") or 0)
    except (TypeError, ValueError):
        return 0
    supporters = get(a, "parties.supporters")
    supporters = supporters if isinstance(supporters, list) else []
    return copies - count_signatories(s.get("signs") for s in supporters if isinstance(s, dict))


def year_later(a):
    s, e = answer_date(a, "sla.start") or answer_date(a, "term.start"), answer_date(a, "term.end")
    if not s:
        return None
    try:
        end = s.replace(year=s.year + 1) - dt.timedelta(days=1)
    except ValueError:
        end = s.replace(year=s.year + 1, day=28)
    return min(end, e) if e else end


def answer_text(a, path) -> str:
    v = get(a, path)
    return v if isinstance(v, str) else ""


def names_children(a) -> bool:
    """The rule's own test (rules.scope.names_vulnerable) on answers that may still be incomplete."""
    acts = get(a, "scope.activities")
    objectives = get(a, "objectives")
    return names_vulnerable(
        answer_text(a, "scope.target_group"),
        objectives if isinstance(objectives, list) else [],
        [(x.get("name"), x.get("description")) for x in acts if isinstance(x, dict)] if isinstance(acts, list) else [],
    )


def waits_for_evaluation(a) -> bool:
    insts = a.get("instalments")
    return any(
        isinstance(i, dict) and waits_to_pass(i.get("after"), i.get("condition"))
        for i in (insts if isinstance(insts, list) else [])
    )


def _instalment_list(a) -> list:
    insts = a.get("instalments")
    return [i for i in insts if isinstance(i, dict)] if isinstance(insts, list) else []


def waits_for_midterm(a) -> bool:
    return any(str(i.get("after") or "").startswith("midterm") for i in _instalment_list(a))


def paid_after_the_term(a) -> bool:
    end = answer_date(a, "term.end")
    dues = [d for d in (answer_date(i, "due") for i in _instalment_list(a)) if d]
    return bool(end and any(d > end for d in dues))
