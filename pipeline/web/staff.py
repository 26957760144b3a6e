"""The users page, for legal officers: add a user, change a role, disable and enable, reset a password, set the
e-mail reminders go to, and hand a person's agreements to another — what `mou users` does, without a shell."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from pipeline.errors import Message, MouError
from pipeline.web.context import legal_officers_only, office
from pipeline.web.strings import t

bp = Blueprint("staff", __name__)


@bp.get("/users")
@legal_officers_only
def users():
    ctx = office()
    owned: dict[str, int] = {}
    for owner in ctx.record.owners().values():
        owned[owner] = owned.get(owner, 0) + 1
    rows = [
        {
            "name": name,
            "role": user.get("role", ""),
            "disabled": bool(user.get("disabled")),
            "email": user.get("email", ""),
            "owned": owned.get(name, 0),
            "created": user.get("created", ""),
        }
        for name, user in sorted(ctx.users.load().items())
    ]
    notice = session.pop("users_notice", None)
    return render_template("users.html", rows=rows, notice=notice)


def _done(message: str, good: bool = True):
    session["users_notice"] = {"text": message, "good": good}
    return redirect(url_for("staff.users"))


def _said(exc: MouError) -> str:
    """The store's message in the page's language (it is written "ไทย / English")."""
    th, _, en = exc.format().partition(" / ")
    return th if g.lang == "th" or not en else en


def _change(work, said: str):
    """A change of the users, by a legal officer: `work` does it (a MouError refuses it, with the reason); `said`
    is what the page says after, formatted with what `work` returned, if anything."""
    try:
        result = work(office())
    except MouError as exc:
        return _done(_said(exc), good=False)
    return _done(said.format(**result) if isinstance(result, dict) else said)


@bp.post("/users/add")
@legal_officers_only
def add():
    form = request.form
    name, role = form.get("name", "").strip(), form.get("role", "")

    def work(ctx):
        ctx.users.add(name, role, form.get("password", ""))
        if form.get("email", "").strip():
            ctx.users.set_email(name, form["email"].strip())

    return _change(work, t("user_added").format(name=name))


@bp.post("/users/<name>/role")
@legal_officers_only
def role(name):
    new = request.form.get("role", "")
    return _change(lambda ctx: ctx.users.set_role(name, new), t("user_role_set").format(name=name))


@bp.post("/users/<name>/disable")
@legal_officers_only
def disable(name):
    return _change(lambda ctx: ctx.users.set_disabled(name, True), t("user_disabled").format(name=name))


@bp.post("/users/<name>/enable")
@legal_officers_only
def enable(name):
    return _change(lambda ctx: ctx.users.set_disabled(name, False), t("user_enabled").format(name=name))


@bp.post("/users/<name>/password")
@legal_officers_only
def password(name):
    new = request.form.get("password", "")
    return _change(lambda ctx: ctx.users.passwd(name, new), t("user_password_set").format(name=name))


@bp.post("/users/<name>/email")
@legal_officers_only
def email(name):
    new = request.form.get("email", "").strip()
    return _change(lambda ctx: ctx.users.set_email(name, new), t("user_email_set").format(name=name))


@bp.post("/users/<name>/hand-over")
@legal_officers_only
def hand_over(name):
    to = request.form.get("to", "")

    def work(ctx):
        known = ctx.users.load()
        if name not in known or to not in known or to == name:
            raise MouError(Message("เลือกผู้รับโอนที่เป็นผู้ใช้อีกคน", f"choose another user to hand {name}'s agreements to"))
        return {"n": len(ctx.record.hand_over(name, to)), "name": name, "to": to}

    return _change(work, t("user_handed_over"))
