"""After signing, in the browser: the SLA of year N (a form for `sla_renewals`, the same checks as `mou sla`, built by a
legal officer, a draft for a coordinator) and the amendment (a copy of the signed agreement to edit through the usual
pages, then `mou amend`'s document and checks, built by a legal officer)."""

from __future__ import annotations

import copy
import datetime as dt
import re

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, session, url_for

from pipeline.api import amendment_problems, amendment_redline, check_spec, recorded_paid
from pipeline.errors import MouError
from pipeline.questionnaire.questions import FREQ
from pipeline.render import thai
from pipeline.store.history import changes
from pipeline.store.workspace import DRAFTS, OUT, valid_name
from pipeline.values import typed_date
from pipeline.web.builds import amendment_work, sla_work
from pipeline.web.context import (
    ask,
    legal_officers_only,
    missing_of,
    office,
    problems_of,
    public,
    their_agreement,
)
from pipeline.web.strings import t
from pipeline.web.words import as_date, file_title

bp = Blueprint("after", __name__)


def _signed(name: str):
    """The agreement, which must be signed (and complete) for anything after signing."""
    ctx = office()
    agreement = ctx.ws.load(name)
    if not isinstance(agreement.answers.get("signed"), dict) or ctx.ws.answers_path(name).is_file():
        abort(409)
    return agreement


def _typed(d) -> str:
    d = as_date(d) if d else None
    return typed_date(d, g.lang) if d else ""


def _next_year_defaults(answers: dict) -> dict:
    """The next year's SLA as the last one left it: the day after it ends, a year long (within the term)."""
    renewals = answers.get("sla_renewals") or []
    last = renewals[-1] if renewals else answers.get("sla") or {}
    end = as_date(last.get("end"))
    term_end = as_date((answers.get("term") or {}).get("end"))
    start = end + dt.timedelta(days=1) if end else None
    stop = None
    if start:
        try:
            stop = start.replace(year=start.year + 1) - dt.timedelta(days=1)
        except ValueError:
            stop = start.replace(year=start.year + 1, day=28)
        if term_end and stop > term_end:
            stop = term_end
    services = "\n".join(
        " | ".join(str(s.get(k) or "") for k in ("name", "description", "standard"))
        for s in last.get("services") or []
        if isinstance(s, dict)
    )
    return {
        "start": _typed(start),
        "end": _typed(stop),
        "review": last.get("review") or "quarterly",
        "lead_delegator": (last.get("leads") or {}).get("delegator", ""),
        "lead_partner": (last.get("leads") or {}).get("partner", ""),
        "services": services,
        "escalation": "\n".join(str(x) for x in last.get("escalation") or []),
        "remedy": last.get("remedy") or "",
        "place": "",
        "date": "",
    }


def _renewal_from(form) -> tuple[dict, dict]:
    """The year's SLA from the form, and the messages of what could not be read, by field."""
    errors: dict[str, str] = {}
    sla: dict[str, object] = {}
    for key in ("start", "end"):
        try:
            sla[key] = thai.parse_user_date(form.get(key, ""))
        except ValueError:
            errors[key] = t("bad_date")
    sla["review"] = form.get("review") if form.get("review") in {c[0] for c in FREQ} else "quarterly"
    sla["leads"] = {
        "delegator": form.get("lead_delegator", "").strip(),
        "partner": form.get("lead_partner", "").strip(),
    }
    services = []
    for line in form.get("services", "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not any(parts):
            continue
        name, description, standard = (parts + ["", "", ""])[:3] if len(parts) >= 3 else (parts[0], "", parts[-1])
        service = {"name": name, "standard": standard}
        if description:
            service["description"] = description
        services.append(service)
    sla["services"] = services
    sla["escalation"] = [x.strip() for x in form.get("escalation", "").splitlines() if x.strip()]
    sla["remedy"] = form.get("remedy", "").strip()
    if form.get("place", "").strip() or form.get("date", "").strip():
        try:
            sla["signing"] = {
                "place": form.get("place", "").strip(),
                "date": thai.parse_user_date(form.get("date", "")),
            }
        except ValueError:
            errors["date"] = t("bad_date")
    for key in ("lead_delegator", "lead_partner", "remedy", "services", "escalation"):
        if not form.get(key, "").strip():
            errors[key] = "ต้องตอบข้อนี้" if g.lang == "th" else "an answer is needed"
    return sla, errors


@bp.route("/a/<name>/sla-year", methods=["GET", "POST"])
@their_agreement
def sla(name):
    """The next year's SLA: the form, checked as `mou sla` checks it, added to the spec's `sla_renewals`."""
    ctx = office()
    agreement = _signed(name)
    answers = agreement.answers
    if not answers.get("sla"):
        abort(404)
    year = len(answers.get("sla_renewals") or []) + 2
    typed, errors = _next_year_defaults(answers), dict[str, str]()
    if request.method == "POST":
        typed = {k: request.form.get(k, "") for k in typed}
        renewal, errors = _renewal_from(request.form)
        if not errors:
            with ctx.ws.lock:
                current = ctx.ws.load(name)
                after = copy.deepcopy(current.answers)
                after.setdefault("sla_renewals", []).append(renewal)
                # the rules name the year's fields sla_renewals.0.end (the path's parts joined), a spec file's
                # messages sla_renewals[0].end: either is this year's, and refuses the form (the spec is not touched)
                paths = (f"sla_renewals.{year - 2}", f"sla_renewals[{year - 2}]")
                found = [p for p in problems_of(after) if p.field.startswith(paths)]
                if found:
                    errors["form"] = "; ".join(p.message.in_(g.lang) for p in found)
                else:
                    with ctx.record.journal(name, g.user, changes(current.answers, after), ctx.ws.dump(after)):
                        ctx.ws.save(name, after, complete=True)
                    session["notice"] = t("sla_saved").format(year=year)
                    return redirect(url_for("review.review", name=name) + "#after")
    return render_template(
        "sla.html",
        name=name,
        year=year,
        typed=typed,
        errors=errors,
        freq=[(c[0], c[1] if g.lang == "th" else c[2]) for c in FREQ[:4]],
    )


@bp.post("/a/<name>/sla-year/<int:year>/build")
@their_agreement
def sla_build(name, year):
    """The SLA of year N: a final (legal officers) into out/, or a draft (coordinators) into .drafts/."""
    ctx = office()
    answers = _signed(name).answers
    if not 2 <= year < 2 + len(answers.get("sla_renewals") or []):
        abort(404)
    final = g.role == "legal"
    session["notice"] = ask(f"sla:{name}:{year}", lambda: sla_work(ctx, name, year, final))
    return redirect(url_for("review.review", name=name) + "#after")


@bp.get("/a/<name>/sla-<int:year>.<kind>")
@their_agreement
def sla_file(name, year, kind):
    ctx = office()
    if kind not in ("pdf", "docx"):
        abort(404)
    for folder in (OUT, DRAFTS):
        path = ctx.ws.root / folder / f"{name}.sla-{year}.{kind}"
        if path.is_file():
            title = file_title(ctx.ws.load(name).answers, name, f" SLA {year}.{kind}")
            return send_file(path, as_attachment=kind == "docx", download_name=title, max_age=0)
    abort(404)


@bp.post("/a/<name>/amend-start")
@their_agreement
def amend_start(name):
    """An amendment starts as a copy of the signed agreement (without its signing), edited through the usual pages;
    it says which agreement it amends. Its number (the next of that agreement's) and its link to the agreement are
    kept in the record, and its owner is the agreement's: the name (NAME-amend-K, the next free one) is only a name,
    so one taken by someone else changes neither the number nor who sees it."""
    ctx = office()
    agreement = _signed(name)
    with ctx.ws.lock:
        number = ctx.record.next_amendment(name)
        k = number
        while ctx.ws.exists(f"{name}-amend-{k}") or f"{name}-amend-{k}" in ctx.record.amendments():
            k += 1
        new = f"{name}-amend-{k}"
        if not valid_name(new):
            abort(409)
        answers = copy.deepcopy(agreement.answers)
        answers.pop("signed", None)
        answers["amends"] = name
        owner = ctx.record.owners().get(name) or g.user
        complete = not missing_of(answers) and not problems_of(answers)
        with ctx.record.journal(
            new,
            g.user,
            [["(แก้ไขเพิ่มเติมจาก / amending)", None, name]],
            ctx.ws.dump(answers),
            beside=ctx.record.amendment(new, name, number, owner),
        ):
            ctx.ws.save(new, answers, complete=complete)
    return redirect(url_for("agreements.page", name=new, page_id="general"))


@bp.post("/a/<name>/amendment/build")
@legal_officers_only
@their_agreement
def amendment_build(name):
    """The amendment document of an agreement that amends a signed one: `mou amend`'s checks, legal officers only."""
    ctx = office()
    agreement = ctx.ws.load(name)
    signed_name = agreement.answers.get("amends")
    if not signed_name or not ctx.ws.exists(signed_name) or ctx.ws.answers_path(name).is_file():
        abort(409)
    number = amendment_number(name)
    try:
        when = thai.parse_user_date(request.form.get("date", "")) if request.form.get("date", "").strip() else None
    except ValueError:
        session["notice"] = t("bad_date")
        return redirect(url_for("review.review", name=name) + "#after")
    session["notice"] = ask(f"amendment:{name}", lambda: amendment_work(ctx, name, signed_name, number, when))
    return redirect(url_for("review.review", name=name) + "#after")


@bp.get("/a/<name>/amendment.<kind>")
@their_agreement
def amendment_file(name, kind):
    ctx = office()
    agreement = ctx.ws.load(name)
    signed_name, number = agreement.answers.get("amends"), amendment_number(name)
    if kind not in ("pdf", "docx") or not signed_name or not valid_name(str(signed_name)):
        abort(404)
    path = ctx.ws.root / OUT / f"{signed_name}.amendment-{number}.{kind}"
    if not path.is_file():
        abort(404)
    title = file_title(agreement.answers, name, f" ({t('amendment')}).{kind}")
    return send_file(path, as_attachment=kind == "docx", download_name=title, max_age=0)


def amendment_number(name: str) -> int:
    """An amendment's number, as the record keeps it (its name's -amend-K for one started before the record did)."""
    recorded = office().record.amendments().get(name)
    if recorded:
        return recorded[1]
    found = re.search(r"-amend-(\d+)$", name)
    return int(found.group(1)) if found else 1


def after_signing_view(name: str, answers: dict) -> dict:
    """What the review page shows after signing: the SLA years and their files, the amendments started, and, for
    an amendment, its document."""
    ctx = office()
    renewals = answers.get("sla_renewals") or []
    years = []
    for k, _ in enumerate(renewals):
        year = k + 2
        files = {
            kind: any((ctx.ws.root / f / f"{name}.sla-{year}.{kind}").is_file() for f in (OUT, DRAFTS))
            for kind in ("pdf", "docx")
        }
        years.append({"year": year, "files": files})
    mine = ctx.record.amendments(name)  # the record says which copies amend it, not their names
    amendments = sorted((n for n in mine if ctx.ws.exists(n)), key=lambda n: mine[n][1])
    amends = answers.get("amends")
    built = bool(amends and (ctx.ws.root / OUT / f"{amends}.amendment-{amendment_number(name)}.pdf").is_file())
    redline, refused = _redline(name, amends) if amends else ([], [])
    return {
        "redline": redline,
        "refused": refused,
        "signed": isinstance(answers.get("signed"), dict),
        "has_sla": bool(answers.get("sla")),
        "years": years,
        "amendments": amendments,
        "amends": amends,
        "amendment_built": built,
    }


def _redline(name: str, amends: str) -> tuple[list[dict], list[str]]:
    """An amendment copy against the signed agreement: the clauses it changes, word by word, and what `mou amend`
    would refuse if it were built today; nothing while the copy is not yet a complete spec."""
    ctx = office()
    if ctx.ws.answers_path(name).is_file() or not ctx.ws.exists(amends) or ctx.ws.answers_path(amends).is_file():
        return [], []
    try:
        signed = check_spec(ctx.ws.spec_path(amends), ctx.settings, ctx.library).spec
        new = check_spec(ctx.ws.spec_path(name), ctx.settings, ctx.library).spec
        changed = amendment_redline(signed, new, ctx.settings, ctx.library)
    except MouError as exc:
        return [], [public(exc.format())]
    problems = amendment_problems(signed, new, dt.date.today(), recorded_paid(ctx.record.statuses(), amends))
    return changed, [t("if_today") + (th if g.lang == "th" else en) for th, en in problems]
