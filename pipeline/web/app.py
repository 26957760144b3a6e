"""`mou serve`: the questionnaire in a browser, over a workspace folder of specs (see store/workspace.py). The
questions, pages, defaults and checks are the questionnaire's (questionnaire/), the same the terminal asks.

The app factory: the office kept on the app (web/context.py), one blueprint per area — sign-in (signin.py), the list
and the pages of an agreement (agreements.py), its review, drafts, finals and signing (review.py), the batch
(batch.py) — and what every request shares: the language, the CSRF token tied to the session cookie (a post without it
is refused), the user, security headers, and the error pages. Values are escaped by Jinja's autoescape; names in URLs
are plain file names inside the workspace; bodies are limited in size.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from flask import Flask, Response, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from pipeline.api import load_library
from pipeline.questionnaire.pages import PAGES, to_yaml
from pipeline.run.pool import WarmPool
from pipeline.spec.settings import Settings
from pipeline.store.db import Database
from pipeline.store.record import Record
from pipeline.store.users import Users
from pipeline.store.workspace import UnknownAgreement, Workspace
from pipeline.web import after, agreements, batch, calendar, review, signin, staff
from pipeline.web.context import Office
from pipeline.web.jobs import Jobs
from pipeline.web.review import MAX_SIGNED_COPY
from pipeline.web.signin import safe_next, who
from pipeline.web.strings import digits, t
from pipeline.web.words import ascii_fallback

MAX_BODY = 1_000_000  # bytes of one form post: a whole commissioning agreement is about 20 KB
SESSION_HOURS = 8


class _Sessions(SecureCookieSessionInterface):
    """The session cookie expires when the session does, 8 hours after the login (`born`), however often it is
    sent again: a response never moves its expiry on."""

    def get_expiration_time(self, app, session):
        born = session.get("born")
        if session.permanent and isinstance(born, int):
            return dt.datetime.fromtimestamp(born, dt.UTC) + dt.timedelta(hours=SESSION_HOURS)
        return super().get_expiration_time(app, session)


def create_app(
    workspace: Path,
    library_dir: Path | None = None,
    settings: Settings | None = None,
    pool: WarmPool | None = None,
    secure: bool = False,
) -> Flask:
    app = Flask(__name__, template_folder="templates")
    app.session_interface = _Sessions()
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    ws = Workspace(workspace, dump=to_yaml)
    ws.root.mkdir(parents=True, exist_ok=True)
    app.secret_key = secret_key(ws.root)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="mou_session",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    db = Database(ws.root)
    users = Users(ws.root, db)
    app.extensions["mou"] = Office(
        ws=ws,
        pool=pool,
        settings=settings or Settings(),
        library=load_library(library_dir),
        library_dir=library_dir,
        users=users,
        record=Record(ws.root, db),
        jobs=Jobs(pool.workers if pool is not None else 1),
    )
    for area in (signin, agreements, review, after, batch, calendar, staff):
        app.register_blueprint(area.bp)
    _shared(app, users)
    return app


def _shared(app: Flask, users: Users) -> None:
    """What every request shares: language, CSRF, user; headers; the helpers of the templates; error pages."""
    _checks(app, users)
    _headers(app)
    _helpers(app, users)
    _error_pages(app)


def _checks(app: Flask, users: Users) -> None:
    """Before each request: its language, its size, its CSRF token, its user (or the login page)."""

    @app.before_request
    def before():
        if request.endpoint == "review.sign":  # the signed copy: a scan is larger than any form
            request.max_content_length = MAX_SIGNED_COPY + 100_000
        g.lang = request.cookies.get("lang") if request.cookies.get("lang") in ("th", "en") else "th"
        longest = _longest_value()
        if longest:
            return render_template("message.html", message=t("too_long").format(n=longest[0], limit=longest[1])), 400
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        if request.method == "POST":
            sent = request.form.get("csrf", "")
            if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
                return render_template("message.html", message=t("csrf")), 400
        g.user, g.role = who(users)
        if g.user is None and request.endpoint not in ("signin.login", "switch_language"):
            if request.method == "GET":
                return redirect(url_for("signin.login", next=request.full_path))
            # a session that ended (logged out elsewhere, expired, the user disabled) while a page was being filled
            # in: nothing is saved, and what was typed is shown back, so that nothing is lost
            typed = [(k[2:], v) for k, v in request.form.items() if k.startswith(("f.", "r.")) and v.strip()]
            return render_template("message.html", message=t("session_ended"), typed=typed[:200]), 401


def _headers(app: Flask) -> None:
    @app.after_request
    def headers(resp: Response):
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        )
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")  # for browsers that do not read frame-ancestors
        if app.config["SESSION_COOKIE_SECURE"]:
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers["Cache-Control"] = "no-store"  # a shared office PC: Back after logout shows nothing from the cache
        ascii_fallback(resp)
        return resp


def _helpers(app: Flask, users: Users) -> None:
    @app.context_processor
    def helpers():
        return {
            "t": t,
            "lang": g.lang,
            "csrf": session.get("csrf", ""),
            "pages": PAGES,
            "digits": digits,
            "user": getattr(g, "user", None),
            "role": getattr(g, "role", None),
            "logins": bool(users.load()),
            "label_of": lambda page: page.th if g.lang == "th" else page.en,
        }

    @app.get("/lang/<to>")
    def switch_language(to):
        resp = redirect(safe_next(request.args.get("next")))
        if to in ("th", "en"):
            resp.set_cookie("lang", to, max_age=3600 * 24 * 365, samesite="Lax", httponly=True)
        return resp


def _error_pages(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(_):  # an address nobody serves, or a file not built yet; an unknown agreement says so (below)
        return render_template("message.html", message=t("no_page")), 404

    @app.errorhandler(403)
    def forbidden(_):
        return render_template("message.html", message=t("forbidden")), 403

    @app.errorhandler(409)
    def conflicted(_):
        return render_template("message.html", message=t("not_now")), 409

    @app.errorhandler(413)
    def too_big(_):
        return render_template("message.html", message="ข้อมูลที่ส่งมาใหญ่เกินไป / the form is too large"), 413

    @app.errorhandler(UnknownAgreement)
    def unknown(_):
        return render_template("message.html", message=t("not_found")), 404


MAX_ARG = 2_000  # characters of one query-string value (a `next` path, a filter)
MAX_FIELD = 100_000  # characters of one form value, before any page looks at it: each question then has its own limit


def _longest_value() -> tuple[int, int] | None:
    """(length, limit) of the first value of the request over its limit, checked before anything parses a value."""
    for value in request.args.values():
        if len(value) > MAX_ARG:
            return len(value), MAX_ARG
    if request.method == "POST":
        for key, value in request.form.items(multi=True):
            if len(key) > 200 or len(value) > MAX_FIELD:
                return max(len(key), len(value)), MAX_FIELD
    return None


def secret_key(root: Path) -> bytes:
    """The key that signs session cookies, kept in the workspace (0600) so a restart keeps the sessions."""
    folder = root / ".mou"
    folder.mkdir(exist_ok=True)
    path = folder / "secret.key"
    if not path.is_file():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    return path.read_bytes()
