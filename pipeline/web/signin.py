"""Signing in and out: a name and a password checked against the workspace's users; wrong logins slow that address
(for every name) and that name from that address, never the right password from another address."""

from __future__ import annotations

import datetime as dt
import getpass
import secrets
import time
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for

from pipeline.store.users import Users
from pipeline.web.context import office
from pipeline.web.strings import t

bp = Blueprint("signin", __name__)
IDLE = dt.timedelta(hours=2)  # a session not used for this long is ended (README)
MAX_AGE = dt.timedelta(hours=8)  # and every session after this long, however busy
FAILURES_ALLOWED, FAILURE_WINDOW = 5, 300.0  # wrong logins from one address before each try waits


@bp.route("/login", methods=["GET", "POST"])
def login():
    ctx = office()
    if not ctx.users.load():
        return redirect(url_for("agreements.index"))
    error = None
    if request.method == "POST":
        name, password = request.form.get("name", "").strip()[:200], request.form.get("password", "")[:1000]
        address = request.remote_addr or "?"
        # From one address, failures slow every name (a spray of names is slowed); for one name, failures from
        # other addresses do not slow this one, so the right password from the user's own address gets in at once.
        wait = max(throttle(address), throttle((address, name.lower())))
        if wait:
            error = t("slow_down").format(seconds=wait)
        else:
            role = ctx.users.verify(name, password)
            nxt = safe_next(request.args.get("next"))
            if role:
                ctx.failures.pop((address, name.lower()), None)
                session.clear()  # a fresh session (and CSRF token) for the new user
                session.permanent = True
                session.update(sid=ctx.users.start_session(name), csrf=secrets.token_urlsafe(32), born=int(time.time()))
                return redirect(nxt)
            now = time.monotonic()
            for key in (address, (address, name.lower())):
                ctx.failures.setdefault(key, []).append(now)
            error = t("bad_login")  # the same for an unknown user and a wrong password
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    office().users.end_session(session.get("sid"))  # ended on the server: the same cookie, replayed, opens nothing
    session.clear()
    return redirect(url_for("signin.login"))


def safe_next(value: str | None) -> str:
    """Where to go after logging in or switching language: a path on this server, else the list. Control characters
    (a CR/LF would split the header; a tab, which browsers drop, turns /<tab>/host into //host), backslashes and
    anything with a scheme or a host are refused."""
    v = value or "/"
    if len(v) > 2000 or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\\\u2028\u2029" for c in v):
        return "/"
    if not v.startswith("/") or v.startswith("//"):
        return "/"
    parts = urlsplit(v)
    return "/" if parts.scheme or parts.netloc else v


def who(users: Users) -> tuple[str | None, str | None]:
    """(user, role): the logged-in user; on a workspace without users, the local user, who may do everything."""
    if not users.load():
        return getpass.getuser(), "legal"
    name = users.session_user(session.get("sid"), IDLE, MAX_AGE)
    role = users.role(name) if name else None
    return (name, role) if role else (None, None)


def throttle(key) -> int:
    """Seconds to wait before another login from this address (or this address for this name): none for the first
    few failures, then doubling."""
    now = time.monotonic()
    failures = office().failures
    recent = [t for t in failures.get(key, []) if now - t < FAILURE_WINDOW]
    if recent:
        failures[key] = recent
    else:
        failures.pop(key, None)  # the table holds only addresses that failed lately
    if len(recent) < FAILURES_ALLOWED:
        return 0
    wait = min(2 ** (len(recent) - FAILURES_ALLOWED + 1), 60)
    left = int(recent[-1] + wait - now) + 1
    return max(left, 0)
