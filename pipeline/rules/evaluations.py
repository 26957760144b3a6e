"""What each payment waits for (SPEC §2): an evaluation the spec schedules, on or before the payment falls due;
in the performance model, every instalment after the first waits for one."""

from __future__ import annotations

from pipeline import values

from .facts import eval_words, evaluation_date, named_evaluations


def payments_wait(spec, settings, library, add) -> None:
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


def performance(spec, settings, library, add) -> None:
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
