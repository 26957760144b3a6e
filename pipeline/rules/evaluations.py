"""What each payment waits for (SPEC §2): an evaluation the spec schedules, on or before the payment falls due;
in the performance model, every instalment after the first waits for one; a payment that waits to pass an
evaluation has criteria for passing and a target for that evaluation in every indicator."""

from __future__ import annotations

import re

from pipeline import values
from pipeline.library.clauses import Library
from pipeline.spec.model import Instalment, Spec
from pipeline.spec.settings import Settings

from .facts import Add, eval_words, evaluation_date, named_evaluations

_PASS = re.compile(r"ผ่านการประเมิน|pass(?:es|ed)? the .{0,40}?evaluation", re.I)


def payments_wait(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    for i, inst in enumerate(spec.instalments):
        waits = ([inst.after] if inst.after else []) + named_evaluations(inst.condition)
        for after in waits:
            when = evaluation_date(spec, after)
            th, en = eval_words(after)
            field = ("instalments", i, "after" if after == inst.after else "condition")
            if when is None:
                add(
                    field,
                    f"งวดที่ {i + 1} รอ{th} แต่ evaluation ไม่ได้กำหนด{th} ไว้",
                    f"instalment {i + 1} waits for the {en}, which evaluation does not schedule",
                )
            elif when > inst.due:
                add(
                    field,
                    f"งวดที่ {i + 1} ครบกำหนด {values.date(inst.due, 'th')} ก่อน{th} ({values.date(when, 'th')})",
                    f"instalment {i + 1} falls due on {inst.due}, before the {en} ({when})",
                )


def performance(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    """The performance model: two instalments or more, a mid-term evaluation, later instalments tied to evaluations."""
    midterms = spec.evaluation.midterms
    if spec.model == "performance":
        if len(spec.instalments) < 2:
            add(
                ("instalments",),
                "รูปแบบการทำสัญญาข้อตกลงต้องมีงวดเงินอย่างน้อย ๒ งวด",
                "the performance model needs at least two instalments",
            )
        if not midterms:
            add(
                ("evaluation", "midterm"),
                "รูปแบบการทำสัญญาข้อตกลงต้องมีการประเมินผลระยะกลาง",
                "the performance model needs a mid-term evaluation",
            )
        for i, inst in enumerate(spec.instalments[1:], 1):
            waits = ([inst.after] if inst.after and inst.after != "signing" else []) + named_evaluations(inst.condition)
            if not waits:
                add(
                    ("instalments", i, "after"),
                    f"งวดที่ {i + 1} ต้องจ่ายหลังผลการประเมิน (ระบุว่าจ่ายหลังการประเมินครั้งใด)",
                    f"instalment {i + 1} must wait for an evaluation (after: midterm, yearly N or final): a later instalment is tied to an evaluation",
                )


def waits_to_pass(after: str | None, condition: str | None) -> bool:
    """An instalment paid once an evaluation is passed: its `after` names one, or its condition names one or says
    ผ่านการประเมิน / pass the … evaluation."""
    condition = condition if isinstance(condition, str) else ("" if condition is None else str(condition))
    return bool((after and after != "signing") or named_evaluations(condition) or _PASS.search(condition))


def pass_criteria(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    """An instalment paid when an evaluation is passed needs the spec to say what passing means."""
    if spec.evaluation.pass_criteria:
        return
    for k, inst in enumerate(spec.instalments):
        if waits_to_pass(inst.after, inst.condition):
            add(
                ("evaluation", "pass_criteria"),
                f"งวดที่ {k + 1} จ่ายเมื่อผ่านการประเมินผล ต้องระบุเกณฑ์การผ่านการประเมิน (evaluation.pass_criteria)",
                f"instalment {k + 1} is paid once an evaluation is passed: give evaluation.pass_criteria, "
                f"what passing means",
            )
            return


def _same(a: str, b: str) -> bool:
    """Two `after` values for one evaluation ("midterm" is "midterm 1")."""

    def norm(v: str) -> str:
        return v if " " in v or v in ("final", "signing") else f"{v} 1"

    return norm(a) == norm(b)


def _evaluations_passed(spec: Spec, inst: Instalment) -> list[str]:
    """The evaluations an instalment waits to pass; a condition that names none means the latest one scheduled on or
    before its due date."""
    named = ([inst.after] if inst.after and inst.after != "signing" else []) + named_evaluations(inst.condition)
    if named or not _PASS.search(inst.condition or ""):
        return named
    ev = spec.evaluation
    dated = [(d, f"midterm {k + 1}") for k, d in enumerate(ev.midterms)]
    dated += [(d, f"yearly {k + 1}") for k, d in enumerate(ev.yearly)] + [(ev.final, "final")]
    before = [(d, at) for d, at in dated if d <= inst.due]
    return [max(before)[1]] if before else []


def steps(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    """Passing is measured against targets that exist for the period evaluated: every indicator has a step for each
    evaluation a payment waits to pass (for the final evaluation its end-of-term target serves)."""
    wanted: list[str] = []
    for inst in spec.instalments:
        for at in _evaluations_passed(spec, inst):
            if at != "final" and not any(_same(at, w) for w in wanted):
                wanted.append(at)
    for k, ind in enumerate(spec.indicators):
        for at in wanted:
            if not any(_same(at, s.at) for s in ind.steps):
                th, en = eval_words(at)
                add(
                    ("indicators", k, "steps"),
                    f"มีงวดเงินที่จ่ายเมื่อผ่าน{th} ตัวชี้วัด '{ind.name}' จึงต้องระบุค่าเป้าหมาย ณ {th} (steps: at: {at})",
                    f"a payment waits to pass the {en}: indicator '{ind.name}' needs its target for that evaluation "
                    f"(steps: at: {at})",
                )
