"""Signing in and out: a name and a password checked against the workspace's users; wrong logins slow only that name
from that address."""

from __future__ import annotations

import datetime as dt
import getpass
import secrets
import time

from flask import Blueprint, redirect, render_template, request, session, url_for

from pipeline.store.users import Users
from pipeline.web.context import office
from pipeline.web.strings import t

bp = Blueprint("signin", __name__)
IDLE = dt.timedelta(hours=2)  # a session not used for this long is ended (README)
FAILURES_ALLOWED, FAILURE_WINDOW = 5, 300.0  # wrong logins from one address before each try waits


@bp.route("/login", methods=["GET", "POST"])
def login():
    ctx = office()
    if not ctx.users.load():
        return redirect(url_for("agreements.index"))
    error = None
    if request.method == "POST":
        address = (
            request.remote_addr or "?",
            request.form.get("name", "").strip().lower(),
        )  # one user's typos slow only that name
        wait = throttle(address)
        if wait:
            error = t("slow_down").format(seconds=wait)
        else:
            name, password = request.form.get("name", "").strip(), request.form.get("password", "")
            role = ctx.users.verify(name, password)
            if role:
                ctx.failures.pop(address, None)
                session.clear()  # a fresh session (and CSRF token) for the new user
                session.permanent = True
                session.update(sid=ctx.users.start_session(name), csrf=secrets.token_urlsafe(32))
                nxt = request.args.get("next", "/")
                return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/")
            ctx.failures.setdefault(address, []).append(time.monotonic())
            error = t("bad_login")  # the same for an unknown user and a wrong password
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    office().users.end_session(session.get("sid"))  # ended on the server: the same cookie, replayed, opens nothing
    session.clear()
    return redirect(url_for("signin.login"))


def who(users: Users) -> tuple[str | None, str | None]:
    """(user, role): the logged-in user; on a workspace without users, the local user, who may do everything."""
    if not users.load():
        return getpass.getuser(), "legal"
    name = users.session_user(session.get("sid"), IDLE)
    role = users.role(name) if name else None
    return (name, role) if role else (None, None)


def throttle(address: str) -> int:
    """Seconds to wait before another login from this address: none for the first few failures, then doubling."""
    now = time.monotonic()
    recent = [t for t in office().failures.get(address, []) if now - t < FAILURE_WINDOW]
    office().failures[address] = recent
    if len(recent) < FAILURES_ALLOWED:
        return 0
    wait = min(2 ** (len(recent) - FAILURES_ALLOWED + 1), 60)
    left = int(recent[-1] + wait - now) + 1
    return max(left, 0)
