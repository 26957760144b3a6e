"""Money (SPEC §2): sources add up to the total, instalments to 100 % or the delegator's money, the money of
each fiscal year covers what falls due in it, a unit cost explains the total."""

from __future__ import annotations

from decimal import Decimal

from pipeline.spec.model import Spec
from pipeline.values import money_figures, number

from .facts import delegator_amount, payment_year, payment_years, unit_cost_exact


def check(spec, settings, library, add) -> None:
    total = spec.budget.total
    sources = sum((s.amount for s in spec.budget.sources), Decimal(0))
    if sources != total:
        add(
            ("budget", "sources"),
            f"แหล่งงบประมาณรวมกันได้ {money_figures(sources)} บาท ไม่เท่ากับงบประมาณรวม {money_figures(total)} บาท",
            f"the budget sources add up to {money_figures(sources)}, not to budget.total {money_figures(total)}",
        )
    if spec.instalments:
        percents = [i.percent for i in spec.instalments]
        amounts = [i.amount for i in spec.instalments]
        for i, inst in enumerate(spec.instalments):
            if (inst.percent is None) == (inst.amount is None):
                add(
                    ("instalments", i),
                    "แต่ละงวดต้องระบุอย่างใดอย่างหนึ่ง ระหว่างร้อยละ (percent) หรือจำนวนเงิน (amount)",
                    "each instalment needs exactly one of percent or amount",
                )
        if all(p is not None for p in percents) and sum(percents) != 100:
            add(
                ("instalments",),
                f"ร้อยละของงวดเงินรวมกันได้ {sum(percents)} ต้องเท่ากับ 100",
                f"the instalment percentages add up to {sum(percents)}, not 100",
            )
        elif all(a is not None for a in amounts):
            paid, owed = sum(amounts), delegator_amount(spec)
            if paid != owed:
                add(
                    ("instalments",),
                    f"เงินงวดรวมกันได้ {money_figures(paid)} บาท ไม่เท่ากับเงินที่ผู้มอบภารกิจสนับสนุน {money_figures(owed)} บาท",
                    f"the instalments add up to {money_figures(paid)}, not to the {money_figures(owed)} the delegator provides",
                )
        elif any(p is not None for p in percents) and any(a is not None for a in amounts):
            add(
                ("instalments",),
                "งวดเงินต้องระบุเป็นร้อยละทั้งหมดหรือเป็นจำนวนเงินทั้งหมด",
                "instalments must all use percent or all use amount",
            )
    check_fiscal_years(spec, add)
    uc = spec.budget.unit_cost
    if uc is not None and not unit_cost_exact(spec):
        product = uc.amount * uc.quantity
        # Exact within rounding: the unit amount, rounded to the satang, explains the total (the text says เฉลี่ย).
        if abs(product - total) > uc.quantity * Decimal("0.005") or uc.quantity == 0:
            add(
                ("budget", "unit_cost"),
                f"ต้นทุนต่อหน่วย {money_figures(uc.amount)} บาท × {number(uc.quantity)} {uc.unit} = {money_figures(product)} บาท ไม่เท่ากับงบประมาณรวม {money_figures(total)} บาท",
                f"the unit cost {money_figures(uc.amount)} x {number(uc.quantity)} = {money_figures(product)}, not budget.total {money_figures(total)}",
            )


def check_fiscal_years(spec: Spec, add) -> None:
    """Money over time: a source's years add up to it, and the delegator pays in each fiscal year no more than it has."""
    for k, s in enumerate(spec.budget.sources):
        path = ("budget", "sources", k)
        if s.fiscal_year is not None and s.fiscal_years:
            add(
                path + ("fiscal_years",),
                "ระบุได้อย่างใดอย่างหนึ่ง ระหว่าง fiscal_year หรือ fiscal_years",
                "give fiscal_year or fiscal_years, not both",
            )
        for year in ([s.fiscal_year] if s.fiscal_year is not None else []) + list(s.fiscal_years or {}):
            if not 2500 <= year <= 2743:
                add(
                    path + (("fiscal_years", year) if s.fiscal_years and year in s.fiscal_years else ("fiscal_year",)),
                    f"ปีงบประมาณ {year} ต้องเป็นปีพุทธศักราช เช่น 2568",
                    f"the fiscal year {year} must be a Buddhist-Era year, e.g. 2568 (= 2024-10-01 to 2025-09-30)",
                )
        if s.fiscal_years and sum(s.fiscal_years.values()) != s.amount:
            add(
                path + ("fiscal_years",),
                f"เงินรายปีงบประมาณรวมกันได้ {money_figures(sum(s.fiscal_years.values()))} บาท ไม่เท่ากับจำนวนเงินของแหล่งนี้ {money_figures(s.amount)} บาท",
                f"fiscal_years add up to {money_figures(sum(s.fiscal_years.values()))}, not to the source's amount {money_figures(s.amount)}",
            )
    delegator = [s for s in spec.budget.sources if s.provider == "delegator"]
    if not spec.instalments or not delegator:
        return
    per_year: dict[int, Decimal] = {}
    free = Decimal(0)  # delegator money tied to no year: it may pay in any
    for s in delegator:
        years = s.fiscal_years or ({s.fiscal_year: s.amount} if s.fiscal_year is not None else None)
        if years is None:
            free += s.amount
            continue
        for y, amount in years.items():
            per_year[y] = per_year.get(y, Decimal(0)) + amount
    paid = payment_years(spec)
    if not per_year:
        if len(paid) > 1:
            add(
                ("budget", "sources"),
                "เงินงวดครบกำหนดในหลายปีงบประมาณ ควรระบุเงินของผู้มอบภารกิจแยกตามปีงบประมาณ (fiscal_years)",
                "the instalments fall due in several fiscal years: name the delegator's money per fiscal year (fiscal_years)",
                True,
            )
        return
    for i, inst in enumerate(spec.instalments):
        year = payment_year(spec, inst)
        if paid.get(year, Decimal(0)) > per_year.get(year, Decimal(0)) + free:
            has = per_year.get(year, Decimal(0)) + free
            add(
                ("instalments", i, "due"),
                f"งวดที่ {i + 1} ครบกำหนดในปีงบประมาณ พ.ศ. {year} ซึ่งมีเงินงวดรวม {money_figures(paid[year])} บาท แต่ผู้มอบภารกิจมีงบประมาณปีนั้น {money_figures(has)} บาท",
                f"instalment {i + 1} falls due in fiscal year {year} (B.E.), where the instalments total {money_figures(paid[year])} but the delegator's money for that year is {money_figures(has)}",
            )
            paid[year] = Decimal(0)  # reported once per year
