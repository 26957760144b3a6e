"""One agreement as a whole: what is still missing or wrong (every rule of `mou build` at once), its answers page by
page, its history, its draft and final files; a legal officer builds the final and records the signing."""

from __future__ import annotations

import copy
import re

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, session, url_for

from pipeline.questionnaire.answers import get
from pipeline.questionnaire.pages import page_questions
from pipeline.render import thai
from pipeline.store.users import changes
from pipeline.store.workspace import DRAFTS, OUT
from pipeline.web.builds import build_draft, first_failure, run_here
from pipeline.web.context import TYPED, allowed, legal_only, missing_of, office, problems_of
from pipeline.web.strings import t
from pipeline.web.words import (
    field_label,
    field_link,
    question_label,
    shown_answer,
    title_of,
    value_of,
    visible_pages,
    when_words,
)

bp = Blueprint("review", __name__)


@bp.get("/a/<name>")
def review(name):
    ctx = office()
    allowed(name)
    agreement = ctx.ws.load(name)
    missing = missing_of(agreement.answers)
    links = [
        (field_link(name, q.path), question_label(q), "ยังไม่มีคำตอบ" if g.lang == "th" else "no answer yet")
        for q in missing
    ]
    typed = agreement.answers.get(TYPED) if isinstance(agreement.answers.get(TYPED), dict) else {}
    for key in typed:  # answers typed wrong and not yet put right
        path = key[2:] if key.startswith("f.") else re.sub(r"^r\.(.+)\.(\d+)\.(\w+)$", r"\1[\2].\3", key)
        links.append(
            (
                field_link(name, path),
                field_label(path),
                "คำตอบที่พิมพ์ไว้ยังไม่ถูกต้อง" if g.lang == "th" else "the answer typed is not valid yet",
            )
        )
    said = {q.path for q in missing}
    for p in problems_of(agreement.answers):  # every rule of mou build at once, not after the missing answers are in
        if p.field in said or p.en in ("Field required", "no answer given"):
            continue
        links.append((field_link(name, p.field), field_label(p.field), p.th if g.lang == "th" else p.en))
    links = list(dict.fromkeys(links))  # one line per field and reason
    summary = [
        (
            pg,
            [
                (question_label(q), shown_answer(get(agreement.answers, q.path), q))
                for q in page_questions(pg, agreement.answers, ctx.settings)
            ],
        )
        for pg in visible_pages(agreement.answers, ctx.settings)
    ]
    finals = {k: (ctx.ws.root / OUT / f"{name}.{k}").is_file() for k in ("pdf", "docx")}
    history = [
        (
            when_words(e["time"]),
            e["user"],
            [
                (
                    field_label(c[0]) if not c[0].startswith("(") else c[0],
                    value_of(c[0], c[1]),
                    value_of(c[0], c[2]),
                )
                for c in e["changes"]
            ],
        )
        for e in reversed(ctx.record.of(name))
    ]
    signed = agreement.answers.get("signed") if isinstance(agreement.answers.get("signed"), dict) else None
    return render_template(
        "review.html",
        name=name,
        links=links,
        ready=not links,
        summary=summary,
        finals=finals,
        history=history,
        signed=signed,
        signed_words=value_of("signed.date", signed.get("date")) if signed else "",
        title=title_of(agreement.answers),
        message=session.pop("notice", None),
    )


@bp.get("/a/<name>/draft.<kind>")
def draft(name, kind):
    ws = office().ws
    allowed(name)
    if kind not in ("pdf", "docx"):
        abort(404)
    built = build_draft(name)
    if isinstance(built, str):
        return render_template("message.html", message=built, back=url_for("review.review", name=name)), 409
    path = ws.root / DRAFTS / f"{name}.{kind}"
    return send_file(
        path,
        as_attachment=kind == "docx" or request.args.get("download") == "1",
        download_name=f"{name}-draft.{kind}",
        max_age=0,
    )


@bp.get("/a/<name>/final.<kind>")
def final_file(name, kind):
    ws = office().ws
    allowed(name)
    path = ws.root / OUT / f"{name}.{kind}"
    if kind not in ("pdf", "docx") or not ws.exists(name) or not path.is_file():
        abort(404)
    return send_file(
        path,
        as_attachment=kind == "docx" or request.args.get("download") == "1",
        download_name=f"{name}.{kind}",
        max_age=0,
    )


@bp.post("/a/<name>/final")
def final(name):
    ws = office().ws
    legal_only()
    ws.load(name)
    if ws.answers_path(name).is_file():
        return redirect(url_for("review.review", name=name))
    result, message = run_here(only={name})
    if result is not None and not result.failed:
        message = t("final_built")
    session["notice"] = message or first_failure(result)
    return redirect(url_for("review.review", name=name))


@bp.post("/a/<name>/sign")
def sign(name):
    """A legal officer records the signing: `signed: {date}` in the spec; from then on it is never regenerated."""
    ctx = office()
    legal_only()
    with ctx.ws.lock:
        agreement = ctx.ws.load(name)
        if ctx.ws.answers_path(name).is_file():
            abort(409)
        try:
            day = thai.parse_user_date(request.form.get("date", ""))
        except ValueError:
            session["notice"] = t("bad_date")
            return redirect(url_for("review.review", name=name))
        before = copy.deepcopy(agreement.answers)
        agreement.answers["signed"] = {"date": day}
        ctx.ws.save(name, agreement.answers, complete=True)
        ctx.record.append(name, g.user, changes(before, agreement.answers))
    session["notice"] = t("signed_done")
    return redirect(url_for("review.review", name=name))
