"""After signing, in the browser: the SLA of year N (a form for `sla_renewals`, the same checks as `mou sla`, built by a
legal officer, a draft for a coordinator) and the amendment (a copy of the signed agreement to edit through the usual
pages, then `mou amend`'s document and checks, built by a legal officer)."""

from __future__ import annotations

import copy
import datetime as dt
import re

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, session, url_for

from pipeline.api import Converter, amendment_problems, amendment_redline, build_amendment, build_sla, check_spec
from pipeline.errors import MouError
from pipeline.questionnaire.questions import FREQ
from pipeline.render import thai
from pipeline.store.users import changes
from pipeline.store.workspace import DRAFTS, NAME, OUT
from pipeline.web.context import allowed, legal_only, missing_of, office, problems_of
from pipeline.web.strings import t
from pipeline.web.words import as_date, file_title

bp = Blueprint("after", __name__)


def _signed(name: str):
    """The agreement, which must be signed (and complete) for anything after signing."""
    ctx = office()
    allowed(name)
    agreement = ctx.ws.load(name)
    if not isinstance(agreement.answers.get("signed"), dict) or ctx.ws.answers_path(name).is_file():
        abort(409)
    return agreement


def _typed(d) -> str:
    d = as_date(d) if d else None
    return (f"{d.day}/{d.month}/{d.year + 543}" if g.lang == "th" else d.isoformat()) if d else ""


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
    errors, sla = {}, {}
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
def sla(name):
    """The next year's SLA: the form, checked as `mou sla` checks it, added to the spec's `sla_renewals`."""
    ctx = office()
    agreement = _signed(name)
    answers = agreement.answers
    if not answers.get("sla"):
        abort(404)
    year = len(answers.get("sla_renewals") or []) + 2
    typed, errors = _next_year_defaults(answers), {}
    if request.method == "POST":
        typed = {k: request.form.get(k, "") for k in typed}
        renewal, errors = _renewal_from(request.form)
        if not errors:
            with ctx.ws.lock:
                current = ctx.ws.load(name)
                after = copy.deepcopy(current.answers)
                after.setdefault("sla_renewals", []).append(renewal)
                path = f"sla_renewals[{year - 2}]"
                found = [p for p in problems_of(after) if p.field.startswith(path)]
                if found:
                    errors["form"] = "; ".join(p.th if g.lang == "th" else p.en for p in found)
                else:
                    ctx.ws.save(name, after, complete=True)
                    ctx.record.append(name, g.user, changes(current.answers, after))
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
def sla_build(name, year):
    """The SLA of year N: a final (legal officers) into out/, or a draft (coordinators) into .drafts/."""
    ctx = office()
    _signed(name)
    final = g.role == "legal"
    out = ctx.ws.root / (OUT if final else DRAFTS)
    try:
        with Converter(timeout=ctx.settings.convert_timeout) as converter:
            build_sla(ctx.ws.spec_path(name), year, out, ctx.library, ctx.settings, converter, draft=not final)
        session["notice"] = t("sla_built").format(year=year)
    except MouError as exc:
        session["notice"] = exc.format()
    return redirect(url_for("review.review", name=name) + "#after")


@bp.get("/a/<name>/sla-<int:year>.<kind>")
def sla_file(name, year, kind):
    ctx = office()
    allowed(name)
    if kind not in ("pdf", "docx"):
        abort(404)
    for folder in (OUT, DRAFTS):
        path = ctx.ws.root / folder / f"{name}.sla-{year}.{kind}"
        if path.is_file():
            title = file_title(ctx.ws.load(name).answers, name, f" SLA {year}.{kind}")
            return send_file(path, as_attachment=kind == "docx", download_name=title, max_age=0)
    abort(404)


@bp.post("/a/<name>/amend-start")
def amend_start(name):
    """An amendment starts as a copy of the signed agreement (without its signing), named NAME-amend-K, edited through
    the usual pages; it says which agreement it amends."""
    ctx = office()
    agreement = _signed(name)
    with ctx.ws.lock:
        k = 1
        while ctx.ws.exists(f"{name}-amend-{k}"):
            k += 1
        new = f"{name}-amend-{k}"
        if not NAME.match(new):
            abort(409)
        answers = copy.deepcopy(agreement.answers)
        answers.pop("signed", None)
        answers["amends"] = name
        ctx.ws.save(new, answers, complete=not missing_of(answers) and not problems_of(answers))
        ctx.record.set_owner(new, g.user)
        ctx.record.append(new, g.user, [["(แก้ไขเพิ่มเติมจาก / amending)", None, name]])
    return redirect(url_for("agreements.page", name=new, page_id="general"))


@bp.post("/a/<name>/amendment/build")
def amendment_build(name):
    """The amendment document of an agreement that amends a signed one: `mou amend`'s checks, legal officers only."""
    ctx = office()
    legal_only()
    allowed(name)
    agreement = ctx.ws.load(name)
    signed_name = agreement.answers.get("amends")
    if not signed_name or not ctx.ws.exists(signed_name) or ctx.ws.answers_path(name).is_file():
        abort(409)
    number = re.search(r"-amend-(\d+)$", name)
    try:
        when = thai.parse_user_date(request.form.get("date", "")) if request.form.get("date", "").strip() else None
    except ValueError:
        session["notice"] = t("bad_date")
        return redirect(url_for("review.review", name=name) + "#after")
    try:
        with Converter(timeout=ctx.settings.convert_timeout) as converter:
            build_amendment(
                ctx.ws.spec_path(signed_name),
                ctx.ws.spec_path(name),
                ctx.ws.root / OUT,
                ctx.library,
                ctx.settings,
                converter,
                int(number.group(1)) if number else 1,
                when,
            )
        session["notice"] = t("amendment_built")
    except MouError as exc:
        session["notice"] = exc.format()
    return redirect(url_for("review.review", name=name) + "#after")


@bp.get("/a/<name>/amendment.<kind>")
def amendment_file(name, kind):
    ctx = office()
    allowed(name)
    agreement = ctx.ws.load(name)
    signed_name, number = agreement.answers.get("amends"), re.search(r"-amend-(\d+)$", name)
    if kind not in ("pdf", "docx") or not signed_name or not NAME.match(str(signed_name)):
        abort(404)
    path = ctx.ws.root / OUT / f"{signed_name}.amendment-{number.group(1) if number else 1}.{kind}"
    if not path.is_file():
        abort(404)
    title = file_title(agreement.answers, name, f" ({t('amendment')}).{kind}")
    return send_file(path, as_attachment=kind == "docx", download_name=title, max_age=0)


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
    amendments = [n for n in ctx.ws.names() if re.fullmatch(rf"{re.escape(name)}-amend-\d+", n)]
    amends = answers.get("amends")
    number = re.search(r"-amend-(\d+)$", name)
    built = bool(
        amends and (ctx.ws.root / OUT / f"{amends}.amendment-{number.group(1) if number else 1}.pdf").is_file()
    )
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
        return [], [exc.format()]
    problems = amendment_problems(signed, new, dt.date.today())
    return changed, [t("if_today") + (th if g.lang == "th" else en) for th, en in problems]
