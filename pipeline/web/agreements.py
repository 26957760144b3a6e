"""The list of agreements, a new one, and the questionnaire's pages: each post converted and checked with the
questionnaire's own rules, saved atomically, recorded in the history; a save from a stale page is a conflict shown
to the user, never a silent overwrite."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, session, url_for

from pipeline.questionnaire.answers import get, group
from pipeline.questionnaire.pages import PAGES, all_page_questions, page_questions
from pipeline.questionnaire.questions import MODELS
from pipeline.questionnaire.recommend import recommend
from pipeline.render import thai
from pipeline.run.status import Status, amended_names, finals_manifest, status_of
from pipeline.store.history import changes
from pipeline.store.workspace import Agreement, valid_name
from pipeline.web.context import TYPED, missing_of, office, problems_of, their_agreement, visible_to
from pipeline.web.forms import (
    apply_page,
    as_shown,
    form_field,
    keep_typed,
    pending,
    rule_problems,
)
from pipeline.web.merge import merge_page, page_now
from pipeline.web.strings import t
from pipeline.web.words import field_label, next_page, question_label, shown_answer, title_of, visible_pages, when_words

bp = Blueprint("agreements", __name__)


@bp.get("/")
def index():
    ctx = office()
    loaded = {name: ctx.ws.load(name) for name in ctx.ws.names()}
    manifest, amended = finals_manifest(ctx.ws), amended_names(loaded)  # a signed amendment: its agreement "amended"
    visible = visible_to(g.user)
    rows = [
        list_row(status_of(ctx.ws, name, loaded[name], ctx.settings, ctx.library, manifest, amended), loaded[name])
        for name in loaded
        if visible is None or name in visible
    ]
    return render_template("index.html", rows=rows, error=session.pop("notice", None))


@bp.post("/new")
def new():
    ctx = office()
    name = request.form.get("name", "").strip()
    if not valid_name(name):
        session["notice"] = t("bad_name")
        return redirect(url_for("agreements.index"))
    with ctx.ws.lock:
        if ctx.ws.exists(name):
            # the same words whether it is theirs or another's: a name in use is not confirmed to someone who cannot see it
            session["notice"] = (
                f"{t('exists')}: {name}" if (seen := visible_to(g.user)) is None or name in seen else t("name_taken")
            )
            return redirect(url_for("agreements.index"))
        first = {"spec_version": 1, "language": "th"}
        ctx.record.set_owner(name, g.user)
        with ctx.record.journal(name, g.user, [["(สร้าง / created)", None, name]], ctx.ws.dump(first)):
            ctx.ws.save(name, first, complete=False)
    return redirect(url_for("agreements.page", name=name, page_id="screening"))


def _in_order(pg, fields: list) -> list:
    order = {q.path: i for i, q in enumerate(all_page_questions(pg))}
    return sorted(fields, key=lambda f: order.get(f.q.path, -1))


def _fields(pg, answers: dict, errors: dict, typed_raw: dict, grow: str, settings) -> list:
    """The page's fields in order: those the answers (as the page shows them) call for, with their values, errors and
    stars; then the page's other questions, hidden and disabled, which the page's script shows as soon as an answer
    calls for one (without script, they appear after the save)."""
    seen = as_shown(pg, answers, settings)
    questions = page_questions(pg, seen, settings)
    fields = [
        dataclasses.replace(
            form_field(q, answers, errors, typed_raw, extra_rows=1 + (grow == f"add_row:{q.path}")),
            required=q.needed(seen),
        )
        for q in questions
    ]
    applies = {q.path for q in questions}
    dormant = [
        dataclasses.replace(form_field(q, answers, {}, {}), dormant=True, required=q.needed(seen))
        for q in all_page_questions(pg)
        if q.path not in applies
    ]
    return _in_order(pg, fields + dormant)


@bp.post("/a/<name>/<page_id>/applies")
@their_agreement
def applies(name, page_id):
    """The page's questions that apply to the answers as the form now holds them (nothing is saved): what the page's
    script shows and hides as the user answers."""
    ctx = office()
    pg = next((p for p in PAGES if p.id == page_id), None)
    if pg is None or pg.id == "screening":
        abort(404)
    answers = copy.deepcopy(ctx.ws.load(name).answers)
    apply_page(pg, answers, request.form, ctx.settings)
    return jsonify([q.path for q in page_questions(pg, answers, ctx.settings)])


@bp.route("/a/<name>/<page_id>", methods=["GET", "POST"])
@their_agreement
def page(name, page_id):
    ctx = office()
    agreement = ctx.ws.load(name)
    pg = next((p for p in PAGES if p.id == page_id), None)
    if pg is None:
        abort(404)
    answers = agreement.answers
    errors: dict[str, str] = {}
    typed_raw: dict[str, object] = {}
    conflict = blocked = None
    grow = ""
    clashes: list = []
    if request.method == "POST":
        with ctx.ws.lock:
            current = ctx.ws.load(name)
            base = ctx.ws.at_version(name, request.form.get("version", ""))
            stale = request.form.get("version") != current.version and not request.form.get("force")
            if isinstance(current.answers.get("signed"), dict):
                blocked = t("amend_instead")
                answers, agreement = current.answers, current
                typed_raw = {k: v for k, v in request.form.items() if k.startswith(("f.", "r."))}
            elif stale and (base is None or pg.id == "screening"):  # nothing to merge from: show theirs, keep mine
                conflict = conflict_lines(name, request.form, current, pg)
                answers = current.answers
                agreement = current  # the next save is from this version: what they typed is kept in the form
                typed_raw = {k: v for k, v in request.form.items() if k.startswith(("f.", "r."))}
            else:
                if stale and base is not None:  # saved by someone else since: both people's changes are kept, field
                    # by field
                    answers, errors, typed_raw, clashes = merge_page(
                        pg, base, current.answers, request.form, ctx.settings
                    )
                else:
                    answers = copy.deepcopy(current.answers)
                    errors, typed_raw = apply_page(pg, answers, request.form, ctx.settings)
                done = _store(name, pg, current, answers, errors, typed_raw, clashes)
                if isinstance(done, NextPage):
                    return redirect(done.url)
                agreement, errors, grow = done.agreement, done.errors, done.grow
                if clashes:  # what they typed stays in the form; the other person's value is shown beside it
                    typed_raw.update(_typed_in(request.form, [q.path for q, _ in clashes]))
    else:  # what is still wrong on this page, whichever page it was found from: under its field
        typed_raw, errors = pending(pg, answers)
        for key, message in rule_problems(pg, answers).items():
            errors.setdefault(key, message)
    fields = _fields(pg, answers, errors, typed_raw, grow, ctx.settings)
    rec = recommendation(answers) if pg.id == "screening" else None
    visible = visible_pages(answers, ctx.settings)
    return render_template(
        "page.html",
        name=name,
        page=pg,
        fields=fields,
        errors=errors,
        version=agreement.version,
        loaded=dt.datetime.now().isoformat(timespec="seconds"),
        blocked=blocked,
        conflict=conflict,
        clashes=_clash_rows(name, answers, clashes),
        rec=rec,
        visible=visible,
        step=visible.index(pg) + 1 if pg in visible else 0,
        title=title_of(answers),
        signed=isinstance(answers.get("signed"), dict),
        focus=_focus(fields),
    )


def _typed_in(form, paths: list[str]) -> dict:
    """What the form holds for these questions (a field, or a table's cells), as typed."""
    return {k: v for k, v in form.items() if k[2:] in paths or k.startswith(tuple(f"r.{p}." for p in paths))}


def _clash_rows(name: str, answers: dict, clashes: list) -> list[dict]:
    """Each question both people changed: its words, the value saved, theirs, and who saved the other."""
    return [
        {
            "path": q.path,
            "label": question_label(q),
            "theirs": shown_answer(get(answers, q.path), q),
            "mine": shown_answer(mine, q),
            "who": _last_editor(name),
        }
        for q, mine in clashes
    ]


def _focus(fields: list) -> str | None:
    """The field the cursor starts in: the first one with an error, else the first one typed into."""
    return next(
        (f.q.path for f in fields if f.error and f.kind not in ("records", "bool", "methods")),
        next((f.q.path for f in fields if f.kind not in ("records", "bool", "methods", "list")), None),
    )


def list_row(status: Status, agreement) -> dict:
    """One line of the list, from the agreement's status (run/status.py: the same `mou status` prints)."""
    ctx = office()
    stamp = dt.datetime.fromtimestamp(agreement.path.stat().st_mtime)
    changed = f"{thai.date(stamp.date(), g.lang)} {stamp:%H:%M}"
    model = agreement.answers.get("model")
    label = dict((m, th if g.lang == "th" else en) for m, th, en in MODELS).get(model, "—")
    return {
        "name": status.name,
        "title": title_of(agreement.answers) or "—",
        "model": label,
        "changed": changed,
        "state": t(status.state.value),
        "state_id": status.state.value,
        # what the review would list: missing answers, the rules' problems, and answers typed wrong and kept as typed
        "problems": status.problem_count,
        "owner": ctx.record.owners().get(status.name, ""),
        "warnings": len(status.warnings),
        "warning_text": "; ".join(w.message.in_(g.lang) for w in status.warnings),
    }


def conflict_lines(name: str, form, current, pg) -> list[tuple[str, str]]:
    """Who saved since this page was loaded and what they changed, then this page's answers as they now are."""
    ctx = office()
    since = [e for e in ctx.record.of(name) if e.time >= form.get("loaded", "")]
    who = [(f"{e.user} ({when_words(e.time)})", ", ".join(field_label(c[0]) for c in e.changes[:6])) for e in since]
    return who + page_now(current=current, pg=pg, settings=ctx.settings)


def recommendation(answers: dict) -> dict:
    """The model the screening answers point to, and why, for the first page."""
    sc = group(answers, "screening")
    r = recommend(**{k: sc.get(k) for k in ("mission", "time_bound", "routine", "capacity_gap", "joint_structure")})
    return {
        "model": r.model,
        "label": dict((m, th if g.lang == "th" else en) for m, th, en in MODELS)[r.model],
        "answered": any(v is not None for v in sc.values()),
        "why": r.th if g.lang == "th" else r.en,
        "chosen": answers.get("model") or "",
        "language": answers.get("language") or "th",
        "models": [(m, th if g.lang == "th" else en) for m, th, en in MODELS],
    }


@dataclasses.dataclass(frozen=True)
class NextPage:
    """A save that went through: where the user goes next."""

    url: str


@dataclasses.dataclass(frozen=True)
class SamePage:
    """A save that shows the page again: the agreement as saved, what to say under the fields, the table that grows."""

    agreement: Agreement
    errors: dict
    grow: str


def _store(name, pg, current, answers: dict, errors: dict, typed_raw: dict, clashes: list) -> NextPage | SamePage:
    """Save the answers a post made (unless nothing changed: the file then stays byte-identical), record the change,
    and return the next page's URL, or (the agreement as saved, errors, the table that grows) to show this page again."""
    ctx = office()
    keep_typed(answers, pg, typed_raw)  # a wrong answer stays, as typed, until it is put right
    grow = request.form.get("action", "")
    adding = grow.startswith("add_row")
    if adding:
        errors = {}  # a row added to a table half filled in: no message yet, the next save checks it
        path = grow.split(":", 1)[-1]
        if len(get(answers, path) or []) > len(get(current.answers, path) or []):
            grow = ""  # the row typed in the blank line was kept: one blank line again is enough
    complete = not answers.get(TYPED) and not missing_of(answers) and not problems_of(answers)
    changed = changes(current.answers, answers)
    kept = current.path == ctx.ws.spec_path(name)  # the file is the spec (complete) or the answers file
    if changed or complete != kept or answers.get(TYPED) != current.answers.get(TYPED):
        # the history row first, pending; then the file; then the row is done (Record.journal; a crash between them
        # is repaired at the next start). A save that changes no answer (only the file's kind) writes no row.
        if changed:
            with ctx.record.journal(name, g.user, changed, ctx.ws.dump(answers)):
                agreement = ctx.ws.save(name, answers, complete)
        else:
            agreement = ctx.ws.save(name, answers, complete)
    else:  # nothing changed: the file stays as it is, to the byte (its comments and layout too)
        agreement = current
    goto = request.form.get("goto")
    if goto and not clashes and not (pg.id == "screening" and errors):  # a step of the page list: what was typed is
        # saved (a wrong answer as typed, shown again with its message when they come back), then that page
        if goto == "review":
            return NextPage(url_for("review.review", name=name))
        if any(p.id == goto for p in PAGES):
            return NextPage(url_for("agreements.page", name=name, page_id=goto))
    if not errors and not adding and not clashes:
        shown = {q.path for q in page_questions(pg, answers, ctx.settings)}
        errors = {  # every rule this page's answers break, on this page, at once (under a field it shows)
            k: v
            for k, v in rule_problems(pg, answers).items()
            if re.sub(r"^[fr]\.", "", k).split(".")[0] in {p.split(".")[0] for p in shown}
            and any(re.sub(r"^[fr]\.", "", k).startswith(p) for p in shown)
        }
    if not errors and not adding and not clashes:
        nxt = next_page(pg, answers, ctx.settings)
        return NextPage(
            url_for("agreements.page", name=name, page_id=nxt.id) if nxt else url_for("review.review", name=name)
        )
    return SamePage(agreement, errors, grow)


def _last_editor(name: str) -> str:
    entries = office().record.of(name)
    return entries[-1].user if entries else ""
