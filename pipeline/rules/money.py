"""Money (SPEC §2): sources add up to the total, instalments to 100 % or the delegator's money, the money of
each fiscal year covers what falls due in it, a unit cost explains the total."""

from __future__ import annotations

from decimal import Decimal

from pipeline.library.clauses import Library
from pipeline.spec.model import Spec
from pipeline.spec.settings import Settings
from pipeline.values import money_figures, number

from .facts import (
    Add,
    delegator_amount,
    delegator_by_year,
    instalments_sum_problem,
    payment_year,
    payment_years,
    sources_sum_problem,
    unit_cost_exact,
)


def check(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    total = spec.budget.total
    problem = sources_sum_problem(total, [s.amount for s in spec.budget.sources])
    if problem:
        add(("budget", "sources"), *problem)
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
        problem = instalments_sum_problem(percents, amounts, delegator_amount(spec))
        if problem:
            add(("instalments",), *problem)
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


def check_fiscal_years(spec: Spec, add: Add) -> None:
    """Money over time: a source's years add up to it, and the delegator pays in each fiscal year no more than it has."""
    _source_years(spec, add)
    if not spec.instalments or not any(s.provider == "delegator" for s in spec.budget.sources):
        return
    per_year, free = delegator_by_year(spec)
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


def _source_years(spec: Spec, add: Add) -> None:
    """Each source's fiscal years: one way of giving them, Buddhist-Era years, adding up to the source's amount."""
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


def budget_lines(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    """The line-item budget adds up to the delegator's money, and per fiscal year where the lines give one."""
    lines = spec.budget.lines
    if not lines:
        return
    total = sum((line.amount for line in lines), Decimal(0))
    money = delegator_amount(spec)
    if total != money:
        add(
            ("budget", "lines"),
            f"รายการงบประมาณรวมกันได้ {total:,} บาท ไม่เท่ากับเงินของผู้มอบภารกิจ {money:,} บาท",
            f"the budget lines add up to {total:,}, not to the delegator's money {money:,}",
        )
    years: dict[int, Decimal] = {}
    for line in lines:
        if line.fiscal_year is not None:
            years[line.fiscal_year] = years.get(line.fiscal_year, Decimal(0)) + line.amount
    if not years or any(line.fiscal_year is None for line in lines):  # per year only when every line says its year
        return
    given, _ = delegator_by_year(spec)
    for year, amount in sorted(years.items()):
        if year in given and given[year] != amount:
            add(
                ("budget", "lines"),
                f"รายการงบประมาณปีงบประมาณ {year} รวม {amount:,} บาท ไม่เท่ากับเงินของผู้มอบภารกิจในปีนั้น {given[year]:,} บาท",
                f"the budget lines of fiscal year {year} add up to {amount:,}, not to the delegator's {given[year]:,} that year",
            )
