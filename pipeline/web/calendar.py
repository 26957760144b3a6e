"""The calendar of obligations (issue 23): what falls due across the agreements the user may see, overdue first, then
month by month, filtered by agreement, party and kind; a legal officer marks one done (paid on, received on, held on:
a date, an optional note or document number) or undoes it. The money per Thai fiscal year, committed and paid; and
the .ics of it all. Everything is read from the one function `mou obligations` reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, Response, abort, g, redirect, render_template, request, session, url_for

from pipeline.api import Obligation, calendar, money_by_fiscal_year, obligation_event
from pipeline.questionnaire.answers import clean
from pipeline.render import thai
from pipeline.render.ics import calendar as ics_calendar
from pipeline.web.context import legal_officers_only, office, visible_to
from pipeline.web.strings import t
from pipeline.web.words import _typed_date

bp = Blueprint("calendar", __name__)
PARTIES = ("delegator", "partner", "both")


def _visible() -> set[str] | None:
    return visible_to(g.user)


def _obligations():
    ctx = office()
    found = calendar(ctx.ws.root, ctx.settings, ctx.library, drafts=False, only=_visible())
    return found.obligations, found.failed


def _money(value) -> str:
    return f"{thai.to_money(value):,.2f}"


@bp.get("/calendar")
def page():
    ctx = office()
    obligations, failed = _obligations()
    statuses = ctx.record.statuses()
    today = dt.date.today()
    chosen = {k: request.args.get(k, "") for k in ("agreement", "party", "kind")}
    rows = []
    for o in obligations:
        if chosen["agreement"] and o.agreement != chosen["agreement"]:
            continue
        if chosen["party"] and o.party != chosen["party"]:
            continue
        if chosen["kind"] and o.kind != chosen["kind"]:
            continue
        done = statuses.get(o.uid)
        rows.append(
            {
                "o": o,
                "uid": o.uid,
                "date": thai.date(o.date, g.lang),
                "month": thai.date(o.date, g.lang).split(" ", 1)[1],
                "label": o.label(g.lang),
                "amount": _money(o.amount) if o.amount is not None else "",
                "done": done,
                "done_date": thai.date(done.done_on, g.lang) if done else "",
                "overdue": o.date < today and not done and not o.milestone,
                "passed": o.date < today and o.milestone,
            }
        )
    overdue = [r for r in rows if r["overdue"]]
    months: dict[str, list] = {}
    for r in rows:
        if not r["overdue"]:
            months.setdefault(r["month"], []).append(r)
    strip = _months_ahead(today, [r for r in rows if not r["done"] and r["o"].date >= today])
    return render_template(
        "calendar.html",
        overdue=overdue,
        months=months,
        strip=strip,
        chosen=chosen,
        agreements=sorted({o.agreement: o.title for o in obligations}.items()),
        kinds=sorted({o.kind for o in obligations}),
        kind_label=lambda k: Obligation.kind_words(k, g.lang),
        parties=PARTIES,
        failed=failed,
        today=_typed_date(today),
        message=session.pop("notice", None),
        refused=session.pop("refused", None),
    )


STRIP_MONTHS = 12


def _months_ahead(today: dt.date, rows: list[dict]) -> list[dict]:
    """The next twelve months, each with how many obligations fall due in it and the money among them: the strip at
    the top of the calendar, each month linking to its part of the list."""
    out = []
    year, month = today.year, today.month
    for _ in range(STRIP_MONTHS):
        here = [r for r in rows if (r["o"].date.year, r["o"].date.month) == (year, month)]
        label = thai.date(dt.date(year, month, 1), g.lang).split(" ", 1)[1]
        money = sum((r["o"].amount for r in here if r["o"].amount is not None), Decimal(0))
        out.append(
            {"label": label, "count": len(here), "money": _money(money) if money else "", "anchor": _anchor(label)}
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _anchor(month_label: str) -> str:
    return "m-" + "-".join(month_label.split())


@bp.post("/calendar/done")
@legal_officers_only
def done():
    ctx = office()
    uid = request.form.get("uid", "")
    known = {o.uid: o for o in _obligations()[0]}
    if uid not in known:
        abort(404)
    try:
        day = thai.parse_user_date(request.form.get("date", ""))
    except ValueError:
        session["refused"] = t("bad_date")
        return redirect(url_for("calendar.page"))
    if day > dt.date.today():  # paid on, held on: a date that has come
        session["refused"] = t("future_date").format(date=thai.date(day, g.lang))
        return redirect(url_for("calendar.page"))
    note = " ".join(clean(request.form.get("note", "")[:2000]).split())[:500]
    number = " ".join(clean(request.form.get("document_no", "")[:400]).split())[:100]
    ctx.record.mark_done(uid, known[uid].agreement, day, g.user, note, number)
    session["notice"] = t("obligation_done")
    return redirect(url_for("calendar.page") + f"#o-{uid.split('@')[0]}")


@bp.post("/calendar/undo")
@legal_officers_only
def undo():
    uid = request.form.get("uid", "")
    statuses = office().record.statuses()
    if uid not in statuses:  # only what is marked done can be undone: no event for a uid that is not there
        abort(404)
    if statuses[uid].agreement not in (visible_to(g.user) or {statuses[uid].agreement}):
        abort(404)
    office().record.undo(uid, g.user)
    session["notice"] = t("obligation_undone")
    return redirect(url_for("calendar.page"))


@bp.get("/calendar/money")
def money():
    ctx = office()
    obligations, failed = _obligations()
    statuses = ctx.record.statuses()
    committed = money_by_fiscal_year(obligations)
    paid = money_by_fiscal_year([o for o in obligations if o.uid in statuses])
    rows = [
        {
            "year": year,
            "committed": _money(amount),
            "paid": _money(paid.get(year, Decimal(0))),
            "owed": _money(amount - paid.get(year, Decimal(0))),
        }
        for year, amount in committed.items()
    ]
    return render_template("money.html", rows=rows, failed=failed, chart=_bars(committed, paid))


CHART = {"left": 64, "width": 380, "bar": 14, "gap": 4, "row": 44}  # the money chart's geometry, in SVG units


def _bars(committed: dict, paid: dict) -> dict:
    """Committed and paid per fiscal year as bars scaled to the largest year, the figures as text beside each bar: a
    picture drawn on the server (no script), which a screen reader and a printout read as its figures."""
    top = max(committed.values(), default=Decimal(0)) or Decimal(1)
    bars = []
    for i, (year, amount) in enumerate(committed.items()):
        done = paid.get(year, Decimal(0))
        y = 8 + i * CHART["row"]
        bars.append(
            {
                "year": year,
                "y": y,
                "committed_w": max(1, round(CHART["width"] * float(amount / top))),
                "paid_w": round(CHART["width"] * float(done / top)),
                "committed": _money(amount),
                "paid": _money(done),
            }
        )
    return {**CHART, "bars": bars, "height": 16 + len(bars) * CHART["row"]}


@bp.get("/calendar.ics")
def ics():
    ctx = office()
    events = [obligation_event(o, ctx.settings) for o in _obligations()[0]]
    data = ics_calendar(events, t("calendar"))
    return Response(
        data,
        mimetype="text/calendar",
        headers={"Content-Disposition": "attachment; filename=mou-obligations.ics"},
    )
