"""`mou serve`: the questionnaire in a browser, over a workspace folder of specs (the files `mou build` and `mou batch`
read). The questions, pages, defaults and checks are those of `questions.py`, the same the terminal asks.

- An agreement in progress is `WORKSPACE/NAME.answers.yaml` (which `mou batch` skips); once its answers pass every
  rule of `mou build` it is `WORKSPACE/NAME.yaml`, which the batch builds. Every save is atomic.
- Drafts (marked ร่าง) go to `WORKSPACE/.drafts/` (hidden: the batch skips it); finals and the batch's outputs to
  `WORKSPACE/out/`, built by the batch machinery itself, so its manifest and change report stay true.
- Previews and finals are built by the warm worker processes of `mou batch` (each with its LibreOffice kept up).
- Every form carries a CSRF token tied to the browser's session cookie; a post without it is refused. Values are
  escaped by Jinja's autoescape; names in URLs are plain file names inside the workspace; bodies are limited in size;
  a save made from a stale page is a conflict shown to the user, never a silent overwrite.

Single user on 127.0.0.1 here; users, roles and other hosts are the next step (the checks go in `_allowed`).
"""

from __future__ import annotations

import copy
import datetime as dt
import getpass
import hashlib
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)

from pipeline.documents.check import check_spec
from pipeline.errors import MouError, SpecError
from pipeline.library.clauses import load_library
from pipeline.questionnaire.questions import (
    MODELS,
    PAGES,
    Invalid,
    Q,
    answer_amount,
    convert,
    default_of,
    drop,
    get,
    page_of,
    page_questions,
    put,
)
from pipeline.questionnaire.recommend import recommend
from pipeline.questionnaire.terminal import Interview, to_yaml
from pipeline.render import thai
from pipeline.run.batch import run_batch
from pipeline.run.key import sha256
from pipeline.run.manifest import MANIFEST_NAME, REPORT_NAME, BatchLocked, load_manifest
from pipeline.run.plan import Task
from pipeline.run.pool import WarmPool
from pipeline.run.report import report_text
from pipeline.spec.settings import Settings
from pipeline.spec.source import parse
from pipeline.store.files import write_atomically
from pipeline.store.users import Record, Users, changes

MAX_BODY = 1_000_000  # bytes of one form post: a whole commissioning agreement is about 20 KB
NAME = re.compile(r"^[0-9A-Za-z\u0e00-\u0e7f][0-9A-Za-z\u0e00-\u0e7f_.-]{0,79}$")
DRAFTS, OUT = ".drafts", "out"
ANSWERS = ".answers.yaml"

UI = {
    "app": ("ร่างบันทึกข้อตกลงการเปิดให้ภาคส่วนอื่นร่วมจัดบริการสาธารณะ", "Drafting agreements for public-service partnerships"),
    "list": ("บันทึกข้อตกลงทั้งหมด", "All agreements"),
    "new": ("เริ่มบันทึกข้อตกลงใหม่", "Start a new agreement"),
    "name": ("ชื่อไฟล์ (ภาษาไทยหรืออังกฤษ ไม่มีช่องว่าง)", "File name (Thai or English, no spaces)"),
    "create": ("สร้าง", "Create"),
    "title": ("เรื่อง", "Title"),
    "model": ("รูปแบบ", "Model"),
    "changed": ("แก้ไขล่าสุด", "Last changed"),
    "state": ("สถานะ", "State"),
    "problems": ("ปัญหา", "Problems"),
    "in_progress": ("กำลังกรอก", "in progress"),
    "checked": ("ผ่านการตรวจ", "checked"),
    "draft": ("สร้างร่างแล้ว", "draft built"),
    "final": ("ฉบับจริง", "final"),
    "save_next": ("บันทึกและไปต่อ", "Save and continue"),
    "add_row": ("เพิ่มแถว", "Add a row"),
    "delete": ("ลบ", "Delete"),
    "review": ("ตรวจทานและสร้างร่าง", "Review and draft"),
    "preview": ("ดูร่าง (PDF)", "Preview the draft (PDF)"),
    "errors": ("มีคำตอบที่ต้องแก้ไข ดูข้อความใต้ช่อง", "Some answers need fixing: see below each field"),
    "one_per_line": ("บรรทัดละหนึ่งรายการ", "one item per line"),
    "understood": ("เข้าใจว่า", "understood as"),
    "conflict": (
        "มีการแก้ไขบันทึกข้อตกลงนี้จากหน้าต่างอื่นหลังจากที่คุณเปิดหน้านี้ คำตอบของคุณยังไม่ได้บันทึก",
        "This agreement was changed in another window after you opened this page; your answers were not saved",
    ),
    "keep_mine": ("บันทึกคำตอบของฉันทับ", "Save mine over them"),
    "reload": ("โหลดฉบับล่าสุด", "Load the latest"),
    "no_problems": ("ผ่านการตรวจทุกข้อ พร้อมสร้างร่าง", "Passes every rule: ready for a draft"),
    "fix_first": ("ต้องแก้ไขก่อนจึงจะสร้างร่างได้", "To fix before a draft can be made"),
    "download": ("ดาวน์โหลด", "Download"),
    "build_final": ("สร้างฉบับจริง (ไม่มีคำว่าร่าง)", "Build the final (unmarked)"),
    "run_batch": ("สร้างใหม่ทุกฉบับที่มีการเปลี่ยนแปลง", "Rebuild every agreement that changed"),
    "report": ("รายงานการสร้าง", "Build report"),
    "back": ("กลับ", "Back"),
    "recommended": ("รูปแบบที่แนะนำ", "Recommended model"),
    "language": ("ภาษาของบันทึกข้อตกลง", "Language of the agreement"),
    "yes": ("ใช่", "yes"),
    "no": ("ไม่", "no"),
    "none": ("—", "—"),
    "sum": ("รวม", "total"),
    "of": ("จาก", "of"),
    "warnings": ("คำเตือน", "Warnings"),
    "answers": ("คำตอบ", "Answers"),
    "csrf": (
        "แบบฟอร์มนี้ไม่ได้มาจากหน้าของโปรแกรม หรือหมดอายุแล้ว กรุณาเปิดหน้าใหม่แล้วลองอีกครั้ง",
        "This form did not come from this application's page, or it has expired: open the page again and retry",
    ),
    "exists": ("มีบันทึกข้อตกลงชื่อนี้แล้ว", "an agreement of that name exists"),
    "bad_name": ("ชื่อใช้ไม่ได้ ใช้ตัวอักษร ตัวเลข - _ . ไม่มีช่องว่าง", "not a usable name: letters, digits, - _ . and no spaces"),
    "not_found": ("ไม่พบบันทึกข้อตกลงนี้", "No such agreement"),
    "page_of": ("หน้า", "page"),
    "final_built": ("สร้างฉบับจริงแล้ว", "The final is built"),
    "login": ("เข้าสู่ระบบ", "Log in"),
    "logout": ("ออกจากระบบ", "Log out"),
    "user_name": ("ชื่อผู้ใช้", "User name"),
    "password": ("รหัสผ่าน", "Password"),
    "bad_login": ("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "Wrong user name or password"),
    "slow_down": (
        "ลองเข้าสู่ระบบผิดหลายครั้ง กรุณารอ {seconds} วินาทีแล้วลองใหม่",
        "Too many failed logins: wait {seconds} s and try again",
    ),
    "history": ("ประวัติการแก้ไข", "History of changes"),
    "who": ("ผู้แก้ไข", "By"),
    "when": ("เมื่อ", "When"),
    "what": ("สิ่งที่เปลี่ยน", "What changed"),
    "sign": ("บันทึกว่าลงนามแล้ว", "Record the signing"),
    "signed_on": ("ลงนามเมื่อ", "Signed on"),
    "signed_done": (
        "บันทึกการลงนามแล้ว ฉบับนี้จะไม่ถูกสร้างใหม่อีก",
        "The signing is recorded: this agreement will not be regenerated",
    ),
    "bad_date": ("วันที่ไม่ถูกต้อง", "Not a date"),
    "name_taken": ("ชื่อนี้ใช้ไม่ได้ กรุณาเลือกชื่ออื่น", "That name cannot be used: choose another"),
    "forbidden": ("การทำรายการนี้สำหรับนิติกรเท่านั้น", "Only a legal officer may do this"),
    "not_now": (
        "ยังทำรายการนี้ไม่ได้ บันทึกข้อตกลงยังไม่ครบถ้วนหรือลงนามแล้ว",
        "Not possible now: the agreement is incomplete or already signed",
    ),
    "signed_state": ("ลงนามแล้ว", "signed"),
    "amend_instead": (
        "บันทึกข้อตกลงนี้ลงนามแล้ว แก้ไขได้โดยทำบันทึกข้อตกลงแก้ไขเพิ่มเติม (mou amend) คำตอบไม่ได้บันทึก",
        "This agreement is signed: change it through an amendment (mou amend); your answers were not saved",
    ),
    "mine": ("บันทึกข้อตกลงของฉัน", "My agreements"),
    "amend_hint": ("การแก้ไขหลังลงนามทำโดยบันทึกข้อตกลงแก้ไขเพิ่มเติม", "changes after signing go through an amendment"),
}


def t(key: str) -> str:
    th, en = UI[key]
    return th if g.lang == "th" else en


# -- the workspace ---------------------------------------------------------------------------------------------------


@dataclass
class Agreement:
    name: str
    path: Path  # the file the answers are read from (NAME.answers.yaml while in progress, else NAME.yaml)
    answers: dict
    raw: bytes

    @property
    def version(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()[:16]


class Workspace:
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.lock = threading.RLock()  # one save at a time: read, compare versions, write

    def spec_path(self, name: str) -> Path:
        return self.root / f"{name}.yaml"

    def answers_path(self, name: str) -> Path:
        return self.root / f"{name}{ANSWERS}"

    def names(self) -> list[str]:
        names = {p.name[: -len(ANSWERS)] for p in self.root.glob(f"*{ANSWERS}")}
        names |= {p.stem for p in self.root.glob("*.yaml") if not p.name.endswith(ANSWERS)}
        return sorted(n for n in names if NAME.match(n))

    def exists(self, name: str) -> bool:
        return bool(NAME.match(name)) and (self.spec_path(name).is_file() or self.answers_path(name).is_file())

    def load(self, name: str) -> Agreement:
        if not self.exists(name):
            abort(404)
        path = self.answers_path(name) if self.answers_path(name).is_file() else self.spec_path(name)
        raw = path.read_bytes()
        src = parse(raw, path.name)
        return Agreement(name, path, src.data if isinstance(src.data, dict) else {}, raw)

    def save(self, name: str, answers: dict, complete: bool) -> Agreement:
        """The answers, as the spec file once they pass every rule, else as the answers file (which the batch skips)."""
        data = to_yaml(answers).encode("utf-8")
        if complete:
            write_atomically({self.spec_path(name): data})
            try:
                self.answers_path(name).unlink()
            except FileNotFoundError:
                pass
            path = self.spec_path(name)
        else:
            write_atomically({self.answers_path(name): data})
            path = self.answers_path(name)
        return Agreement(name, path, answers, data)


# -- the app ---------------------------------------------------------------------------------------------------------


def create_app(
    workspace: Path,
    library_dir: Path | None = None,
    settings: Settings | None = None,
    pool: WarmPool | None = None,
    secure: bool = False,
) -> Flask:
    app = Flask(__name__, template_folder="templates")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    ws = Workspace(workspace)
    ws.root.mkdir(parents=True, exist_ok=True)
    app.secret_key = _secret(ws.root)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="mou_session",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
    )
    settings = settings or Settings()
    library = load_library(library_dir)
    users, record = Users(ws.root), Record(ws.root)
    app.extensions["mou"] = {
        "ws": ws,
        "pool": pool,
        "settings": settings,
        "library": library,
        "library_dir": library_dir,
        "locks": {},
        "users": users,
        "record": record,
        "failures": {},
    }

    @app.before_request
    def before():
        g.lang = request.cookies.get("lang") if request.cookies.get("lang") in ("th", "en") else "th"
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        if request.method == "POST":
            sent = request.form.get("csrf", "")
            if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
                return render_template("message.html", message=t("csrf")), 400
        g.user, g.role = _who(users)
        if g.user is None and request.endpoint not in ("login", "switch_language"):
            return redirect(url_for("login", next=request.full_path)) if request.method == "GET" else abort(403)

    def allowed(name: str) -> None:
        """A coordinator sees only the agreements they made: any other is "not found", by URL as in the list."""
        if g.role != "legal" and record.owners().get(name) != g.user:
            abort(404)

    def legal_only() -> None:
        if g.role != "legal":
            abort(403)

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if not users.load():
            return redirect(url_for("index"))
        error = None
        if request.method == "POST":
            address = (
                request.remote_addr or "?",
                request.form.get("name", "").strip().lower(),
            )  # one user's typos slow only that name
            wait = _throttle(app, address)
            if wait:
                error = t("slow_down").format(seconds=wait)
            else:
                name, password = request.form.get("name", "").strip(), request.form.get("password", "")
                role = users.verify(name, password)
                if role:
                    app.extensions["mou"]["failures"].pop(address, None)
                    session.clear()  # a fresh session (and CSRF token) for the new user
                    session.permanent = True
                    session.update(user=name, csrf=secrets.token_urlsafe(32))
                    nxt = request.args.get("next", "/")
                    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/")
                app.extensions["mou"]["failures"].setdefault(address, []).append(time.monotonic())
                error = t("bad_login")  # the same for an unknown user and a wrong password
        return render_template("login.html", error=error), (401 if error else 200)

    @app.post("/logout")
    def logout():
        session.clear()
        return redirect(url_for("login"))

    @app.after_request
    def headers(resp: Response):
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        )
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers["Cache-Control"] = "no-store"  # a shared office PC: Back after logout shows nothing from the cache
        return resp

    @app.context_processor
    def helpers():
        return {
            "t": t,
            "lang": g.lang,
            "csrf": session.get("csrf", ""),
            "pages": PAGES,
            "digits": _digits,
            "user": getattr(g, "user", None),
            "role": getattr(g, "role", None),
            "logins": bool(users.load()),
            "label_of": lambda page: page.th if g.lang == "th" else page.en,
        }

    @app.errorhandler(404)
    def not_found(_):
        return render_template("message.html", message=t("not_found")), 404

    @app.errorhandler(403)
    def forbidden(_):
        return render_template("message.html", message=t("forbidden")), 403

    @app.errorhandler(409)
    def conflicted(_):
        return render_template("message.html", message=t("not_now")), 409

    @app.errorhandler(413)
    def too_big(_):
        return render_template("message.html", message="ข้อมูลที่ส่งมาใหญ่เกินไป / the form is too large"), 413

    @app.get("/lang/<to>")
    def switch_language(to):
        nxt = request.args.get("next", "/")
        resp = redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/")
        if to in ("th", "en"):
            resp.set_cookie("lang", to, max_age=3600 * 24 * 365, samesite="Lax", httponly=True)
        return resp

    @app.get("/")
    def index():
        owners = record.owners()
        manifest = load_manifest(ws.root / OUT)[0] if (ws.root / OUT / MANIFEST_NAME).is_file() else {}
        rows = [_row(app, name, manifest) for name in ws.names() if g.role == "legal" or owners.get(name) == g.user]
        return render_template("index.html", rows=rows, error=session.pop("notice", None))

    @app.post("/new")
    def new():
        name = request.form.get("name", "").strip()
        if not NAME.match(name) or name.endswith(".answers"):
            session["notice"] = t("bad_name")
            return redirect(url_for("index"))
        with ws.lock:
            if ws.exists(name):
                # the same words whether it is theirs or another's: a name in use is not confirmed to someone who cannot see it
                session["notice"] = (
                    f"{t('exists')}: {name}"
                    if g.role == "legal" or record.owners().get(name) == g.user
                    else t("name_taken")
                )
                return redirect(url_for("index"))
            ws.save(name, {"spec_version": 1, "language": "th"}, complete=False)
            record.set_owner(name, g.user)
            record.append(name, g.user, [["(สร้าง / created)", None, name]])
        return redirect(url_for("page", name=name, page_id="screening"))

    @app.route("/a/<name>/<page_id>", methods=["GET", "POST"])
    def page(name, page_id):
        allowed(name)
        agreement = ws.load(name)
        pg = next((p for p in PAGES if p.id == page_id), None)
        if pg is None:
            abort(404)
        answers = agreement.answers
        errors: dict[str, str] = {}
        typed_raw: dict[str, object] = {}
        conflict = blocked = None
        grow = ""
        if request.method == "POST":
            with ws.lock:
                current = ws.load(name)
                if isinstance(current.answers.get("signed"), dict):
                    blocked = t("amend_instead")
                    answers, agreement = current.answers, current
                    typed_raw = {k: v for k, v in request.form.items() if k.startswith(("f.", "r."))}
                elif request.form.get("version") != current.version and not request.form.get("force"):
                    conflict = _changes(agreement_before=request.form, current=current, pg=pg, settings=settings)
                    since = [e for e in record.of(name) if e["time"] >= request.form.get("loaded", "")]
                    conflict = [
                        (
                            f"{e['user']} ({e['time'].replace('T', ' ')})",
                            ", ".join(field_label(c[0]) for c in e["changes"][:6]),
                        )
                        for e in since
                    ] + conflict
                    answers = current.answers
                    agreement = current  # the next save is from this version: what they typed is kept in the form
                    typed_raw = {k: v for k, v in request.form.items() if k.startswith(("f.", "r."))}
                else:
                    answers = current.answers
                    before_answers = copy.deepcopy(answers)
                    rows_before = {
                        q.path: len(get(answers, q.path) or [])
                        for q in page_questions(pg, answers, settings)
                        if q.kind == "records" and isinstance(get(answers, q.path), list)
                    }
                    errors, typed_raw = _apply(pg, answers, request.form, settings)
                    _keep_typed(answers, pg, typed_raw)  # a wrong answer stays, as typed, until it is put right
                    grow = request.form.get("action", "")
                    adding = grow.startswith("add_row")
                    if adding:
                        errors = {}  # a row added to a table half filled in: no message yet, the next save checks it
                        path = grow.split(":", 1)[-1]
                        if len(get(answers, path) or []) > rows_before.get(path, 0):
                            grow = ""  # the row typed in the blank line was kept: one blank line again is enough
                    iv = _interview(app, answers)
                    complete = not answers.get(TYPED) and not iv.missing() and not iv.problems()
                    agreement = ws.save(name, answers, complete)
                    changed = changes(before_answers, answers)
                    if changed:
                        record.append(name, g.user, changed)
                    if not errors and not adding:
                        nxt = _next_page(pg, answers, settings)
                        return redirect(
                            url_for("page", name=name, page_id=nxt.id) if nxt else url_for("review", name=name)
                        )
        else:  # what is still wrong on this page, whichever page it was found from: under its field
            typed_raw, errors = _pending(pg, answers)
            for key, message in _rule_problems(app, pg, answers).items():
                errors.setdefault(key, message)
        questions = page_questions(pg, answers, settings)
        fields = [
            _field(q, answers, errors, typed_raw, extra_rows=1 + (grow == f"add_row:{q.path}")) for q in questions
        ]
        rec = None
        if pg.id == "screening":
            sc = answers.get("screening") if isinstance(answers.get("screening"), dict) else {}
            r = recommend(
                **{k: sc.get(k) for k in ("mission", "time_bound", "routine", "capacity_gap", "joint_structure")}
            )
            rec = {
                "model": r.model,
                "label": dict((m, th if g.lang == "th" else en) for m, th, en in MODELS)[r.model],
                "answered": any(v is not None for v in sc.values()),
                "why": r.th if g.lang == "th" else r.en,
                "chosen": answers.get("model") or r.model,
                "language": answers.get("language") or "th",
                "models": [(m, th if g.lang == "th" else en) for m, th, en in MODELS],
            }
        visible = _visible_pages(answers, settings)
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
            rec=rec,
            visible=visible,
            step=visible.index(pg) + 1 if pg in visible else 0,
            title=_title(answers),
        )

    @app.get("/a/<name>")
    def review(name):
        allowed(name)
        agreement = ws.load(name)
        iv = _interview(app, agreement.answers)
        missing = iv.missing()
        links = [(_link(name, q.path), _label(q), "ยังไม่มีคำตอบ" if g.lang == "th" else "no answer yet") for q in missing]
        typed = agreement.answers.get(TYPED) if isinstance(agreement.answers.get(TYPED), dict) else {}
        for key in typed:  # answers typed wrong and not yet put right
            path = key[2:] if key.startswith("f.") else re.sub(r"^r\.(.+)\.(\d+)\.(\w+)$", r"\1[\2].\3", key)
            links.append(
                (
                    _link(name, path),
                    field_label(path),
                    "คำตอบที่พิมพ์ไว้ยังไม่ถูกต้อง" if g.lang == "th" else "the answer typed is not valid yet",
                )
            )
        said = {q.path for q in missing}
        for p in iv.problems():  # every rule of mou build at once, not after the missing answers are in
            if p.field in said or p.en in ("Field required", "no answer given"):
                continue
            links.append((_link(name, p.field), field_label(p.field), p.th if g.lang == "th" else p.en))
        links = list(dict.fromkeys(links))  # one line per field and reason
        summary = [
            (
                pg,
                [
                    (_label(q), _shown(get(agreement.answers, q.path), q))
                    for q in page_questions(pg, agreement.answers, settings)
                ],
            )
            for pg in _visible_pages(agreement.answers, settings)
        ]
        finals = {k: (ws.root / OUT / f"{name}.{k}").is_file() for k in ("pdf", "docx")}
        history = [
            (
                _when(e["time"]),
                e["user"],
                [
                    (
                        field_label(c[0]) if not c[0].startswith("(") else c[0],
                        _value_of(c[0], c[1]),
                        _value_of(c[0], c[2]),
                    )
                    for c in e["changes"]
                ],
            )
            for e in reversed(record.of(name))
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
            signed_words=_value_of("signed.date", signed.get("date")) if signed else "",
            title=_title(agreement.answers),
            message=session.pop("notice", None),
        )

    @app.get("/a/<name>/draft.<kind>")
    def draft(name, kind):
        allowed(name)
        if kind not in ("pdf", "docx"):
            abort(404)
        built = _draft(app, name)
        if isinstance(built, str):
            return render_template("message.html", message=built, back=url_for("review", name=name)), 409
        path = ws.root / DRAFTS / f"{name}.{kind}"
        return send_file(
            path,
            as_attachment=kind == "docx" or request.args.get("download") == "1",
            download_name=f"{name}-draft.{kind}",
            max_age=0,
        )

    @app.get("/a/<name>/final.<kind>")
    def final_file(name, kind):
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

    @app.post("/a/<name>/final")
    def final(name):
        legal_only()
        ws.load(name)
        if ws.answers_path(name).is_file():
            return redirect(url_for("review", name=name))
        result, message = _batch(app, only={name})
        if result is not None and not result.failed:
            message = t("final_built")
        session["notice"] = message or _first_failure(result)
        return redirect(url_for("review", name=name))

    @app.post("/batch")
    def batch():
        legal_only()
        result, message = _batch(app, only=None)
        text = report_text(result) if result is not None else message
        return render_template("report.html", report=text)

    @app.post("/a/<name>/sign")
    def sign(name):
        """A legal officer records the signing: `signed: {date}` in the spec; from then on it is never regenerated."""
        legal_only()
        with ws.lock:
            agreement = ws.load(name)
            if ws.answers_path(name).is_file():
                abort(409)
            try:
                day = thai.parse_user_date(request.form.get("date", ""))
            except ValueError:
                session["notice"] = t("bad_date")
                return redirect(url_for("review", name=name))
            before = copy.deepcopy(agreement.answers)
            agreement.answers["signed"] = {"date": day}
            ws.save(name, agreement.answers, complete=True)
            record.append(name, g.user, changes(before, agreement.answers))
        session["notice"] = t("signed_done")
        return redirect(url_for("review", name=name))

    @app.get("/report")
    def last_report():
        legal_only()
        path = ws.root / OUT / REPORT_NAME
        return render_template("report.html", report=path.read_text(encoding="utf-8") if path.is_file() else "")

    return app


# -- pages -----------------------------------------------------------------------------------------------------------


SESSION_HOURS = 8
FAILURES_ALLOWED, FAILURE_WINDOW = 5, 300.0  # wrong logins from one address before each try waits


def _who(users: Users) -> tuple[str | None, str | None]:
    """(user, role): the logged-in user; on a workspace without users, the local user, who may do everything."""
    if not users.load():
        return getpass.getuser(), "legal"
    name = session.get("user")
    role = users.role(name) if name else None
    return (name, role) if role else (None, None)


def _throttle(app: Flask, address: str) -> int:
    """Seconds to wait before another login from this address: none for the first few failures, then doubling."""
    now = time.monotonic()
    recent = [t for t in app.extensions["mou"]["failures"].get(address, []) if now - t < FAILURE_WINDOW]
    app.extensions["mou"]["failures"][address] = recent
    if len(recent) < FAILURES_ALLOWED:
        return 0
    wait = min(2 ** (len(recent) - FAILURES_ALLOWED + 1), 60)
    left = int(recent[-1] + wait - now) + 1
    return max(left, 0)


def _when(stamp: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return f"{thai.date(moment.date(), g.lang)} {moment:%H:%M}"


def _value_of(path: str, value) -> str:
    """A recorded value as the questions show it: a choice by its label, a date in words, yes or no."""
    if value is None or value == []:
        return "—"
    base = re.sub(r"\[\d+\]", "", path)
    from pipeline.questionnaire.questions import QUESTIONS, SCREENING

    q = next((q for q in QUESTIONS + SCREENING if q.path == base), None)
    if q is None and "." in base:  # a field of a table's row
        table, _, sub = base.rpartition(".")
        parent = next((q for q in QUESTIONS if q.path == table), None)
        q = next((f for f in parent.fields if f.path == sub), None) if parent else None
    if q is None and base == "signed.date" or (q is not None and q.kind == "date"):
        d = _as_date(value)
        return thai.date(d, g.lang) if d else str(value)
    if base == "model":
        return dict((m, th if g.lang == "th" else en) for m, th, en in MODELS).get(value, str(value))
    if q is not None:
        if q.kind == "bool" or isinstance(value, bool):
            return t("yes") if value in (True, "True", "true") else t("no")
        return _shown(value, q)
    return str(value)


def _digits(text) -> str:
    return thai.thai_digits(str(text)) if g.lang == "th" else str(text)


def _title(answers: dict) -> str:
    title = answers.get("title")
    return " ".join(str(title).split()) if title else ""


def _interview(app: Flask, answers: dict) -> Interview:
    ctx = app.extensions["mou"]
    answers = {k: v for k, v in answers.items() if k != TYPED}
    return Interview(lang=g.lang if g else "th", answers=answers, settings=ctx["settings"], library=ctx["library"])


def _visible_pages(answers: dict, settings: Settings) -> list:
    return [p for p in PAGES if page_questions(p, answers, settings)]


def _next_page(pg, answers, settings):
    visible = _visible_pages(answers, settings)
    later = [p for p in visible if PAGES.index(p) > PAGES.index(pg)]
    return later[0] if later else None


def _link(name: str, field_path: str) -> str:
    page = page_of(field_path)
    anchor = re.sub(r"\[(\d+)\]", lambda m: f".{int(m.group(1))}", field_path)
    return url_for("page", name=name, page_id=page.id) + f"#f-{anchor}"


def _shown(value, q: Q) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if q.kind == "choice":
        labels = {c[0]: (c[1] if g.lang == "th" else c[2]) for c in q.choices}
        return labels.get(value, str(value))
    if q.kind == "date":
        d = _as_date(value)
        return thai.date(d, g.lang) if d else str(value)
    if q.kind == "bool":
        return t("yes") if value else t("no")
    if q.kind == "amount" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return f"{value:,}"
    if q.kind == "methods" and isinstance(value, list):
        words = _method_words()
        return ", ".join(words.get(str(m), str(m)) for m in value)
    if q.kind == "records" and isinstance(value, list):
        return "; ".join(
            ", ".join(
                _shown(r.get(f.path), f) for f in q.fields if isinstance(r, dict) and r.get(f.path) not in (None, "")
            )
            for r in value
        )
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return thai.parse_user_date(str(value))
    except ValueError:
        return None


def _typed_text(value, q: Q) -> str:
    """An answer as the user would type it back: 1/3/2568, 1,250,000, one list item per line."""
    if value is None:
        return ""
    if q.kind == "date":
        d = _as_date(value)
        if d is None:
            return str(value)
        return f"{d.day}/{d.month}/{d.year + 543}" if g.lang == "th" else d.isoformat()
    if q.kind == "amount" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return f"{value:,}"
    if q.kind == "methods" and isinstance(value, list):
        return ", ".join(map(str, value))
    if q.kind == "list" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


@dataclass
class Field:
    q: Q
    id: str
    label: str
    kind: str
    value: object  # text for inputs; rows for records
    error: str | None
    hint: str | None
    choices: list
    rows: list | None = None
    total: str | None = None


def _field(q: Q, answers: dict, errors: dict, typed_raw: dict, extra_rows: int = 1) -> Field:
    label = _label(q)
    choices = (
        [(c[0], c[1] if g.lang == "th" else c[2]) for c in q.choices]
        if q.kind != "methods"
        else list(_method_words().items())
    )
    current = get(answers, q.path)
    if q.kind == "records":
        records = current if isinstance(current, list) else []
        rows = []
        for i, rec in enumerate(records + [None] * extra_rows):
            cells = []
            for f in q.fields:
                key = f"r.{q.path}.{i}.{f.path}"
                if key in typed_raw:
                    text = typed_raw[key]
                elif isinstance(rec, dict):
                    text = _typed_text(rec.get(f.path), f)
                elif rec is None and not records and i == 0:
                    text = _typed_text(default_of(f, answers), f)
                else:
                    text = ""
                cells.append(
                    {
                        "name": key,
                        "q": f,
                        "text": text,
                        "error": errors.get(key),
                        "label": _label(f),
                        "choices": [(c[0], c[1] if g.lang == "th" else c[2]) for c in f.choices],
                    }
                )
            rows.append({"index": i, "cells": cells, "blank": rec is None})
        return Field(
            q,
            f"f-{q.path}",
            label,
            "records",
            None,
            errors.get(q.path),
            None,
            choices,
            rows,
            _running_total(q, answers),
        )
    key = f"f.{q.path}"
    if key in typed_raw:
        text = typed_raw[key]
    else:
        value = current if current is not None else default_of(q, answers)
        text = _typed_text(value, q) if q.kind not in ("bool", "choice") else value
    hint = None
    if q.kind == "date" and text and key not in errors:
        d = _as_date(text) if isinstance(text, str) else None
        if d:
            hint = f"{t('understood')} {thai.date(d, g.lang)}"
    return Field(q, f"f-{q.path}", label, q.kind, text, errors.get(key), hint, choices)


_TERMINAL_HINT = re.compile(
    r"\s*\((Enter เพื่อข้าม|Enter to skip|หลายย่อหน้าคั่นด้วย \| |separate paragraphs with \| |ทีละ[^)]*|"
    r"one at a time|คั่นด้วยจุลภาค[^)]*|[^)]*comma-separated[^)]*)\)"
)


def _label(q: Q) -> str:
    """A question's words without the terminal's typing hints ("Enter เพื่อข้าม", "ทีละข้อ"): a form shows them its own way."""
    return _TERMINAL_HINT.sub("", q.th if g.lang == "th" else q.en)


def _running_total(q: Q, answers: dict) -> str | None:
    """Sources against the total; instalments against 100 per cent."""
    items = get(answers, q.path)
    if not isinstance(items, list):
        return None
    amount = answer_amount  # the questionnaire's own reading of an amount, as its sum checks use
    if q.path == "budget.sources":
        got = sum((amount(i.get("amount")) for i in items if isinstance(i, dict)), Decimal(0))
        total = amount(get(answers, "budget.total"))
        return (
            f"{t('sum')} {got:,} {t('of')} {total:,} บาท"
            if g.lang == "th"
            else f"{t('sum')} {got:,} {t('of')} {total:,} baht"
        )
    if q.path == "instalments":
        got = sum((amount(i.get("percent")) for i in items if isinstance(i, dict)), Decimal(0))
        return f"{t('sum')} {got} {t('of')} 100 %"
    return None


def _apply(pg, answers: dict, form, settings: Settings) -> tuple[dict, dict]:
    """Convert and check each answer of the page (the questionnaire's own convert and checks); valid answers go into
    answers, an empty one is removed, a wrong one keeps its old value and is shown again as typed, with its message."""
    errors, typed_raw = {}, {}
    if pg.id == "screening":
        for q in page_questions(pg, answers, settings):
            raw = form.get(f"f.{q.path}", "")
            _set(q, raw, answers, errors, typed_raw)
        chosen = form.get("model")
        if chosen and chosen == form.get("recommended") and not answers.get("model"):  # a first choice left as shown:
            # follow the answers just given (an agreement that has a model keeps the one the select shows)
            sc = answers.get("screening") if isinstance(answers.get("screening"), dict) else {}
            chosen = recommend(
                **{k: sc.get(k) for k in ("mission", "time_bound", "routine", "capacity_gap", "joint_structure")}
            ).model
        if chosen in {m for m, _, _ in MODELS}:
            answers["model"] = chosen
        if form.get("language") in ("th", "en"):
            answers["language"] = form.get("language")
        answers.setdefault("spec_version", 1)
        return errors, typed_raw
    shown = set(
        form.getlist("shown")
    )  # the questions the page showed: one that has just come to apply is not "missing"
    for q in page_questions(pg, answers, settings):
        if q.path not in shown:
            continue
        if q.kind == "records":
            _set_records(q, answers, form, errors, typed_raw)
        elif q.kind == "list":
            items = [line.strip() for line in form.get(f"f.{q.path}", "").splitlines() if line.strip()]  # \r\n too
            if items:
                put(answers, q.path, items)
            else:
                drop(answers, q.path)
        elif q.kind == "methods":
            picked = form.getlist(f"f.{q.path}")
            _set(q, ", ".join(picked), answers, errors, typed_raw)
        else:
            _set(q, form.get(f"f.{q.path}", ""), answers, errors, typed_raw)
    return errors, typed_raw


def _set(q: Q, raw: str, answers: dict, errors: dict, typed_raw: dict) -> None:
    key = f"f.{q.path}"
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if raw.strip() == "":
        drop(answers, q.path)
        if q.required and q.kind not in ("bool",):
            errors[key] = "ต้องตอบข้อนี้" if g.lang == "th" else "an answer is needed"
        return
    try:
        put(answers, q.path, convert(q, raw, answers))
    except Invalid as exc:
        errors[key] = exc.th if g.lang == "th" else exc.en
        typed_raw[key] = raw


def _set_records(q: Q, answers: dict, form, errors: dict, typed_raw: dict) -> None:
    n = 0
    while any(k.startswith(f"r.{q.path}.{n}.") for k in form):
        n += 1
    records = []
    for i in range(n):
        if form.get(f"r.{q.path}.{i}._delete"):
            continue
        raws = {f.path: form.get(f"r.{q.path}.{i}.{f.path}", "") for f in q.fields}
        if not any(v.strip() for v in raws.values()):
            continue  # a blank row
        record, bad, j = {}, False, len(records)  # j: the row's place once deleted and blank rows are gone
        for f in q.fields:
            key = f"r.{q.path}.{j}.{f.path}"
            raw = raws[f.path]
            if raw.strip() == "":
                if f.required:
                    errors[key] = "ต้องตอบข้อนี้" if g.lang == "th" else "an answer is needed"
                    bad = True
                continue
            try:
                record[f.path] = convert(f, raw, answers)
            except Invalid as exc:
                errors[key] = exc.th if g.lang == "th" else exc.en
                bad = True
        records.append(record)
        if bad:  # the row is shown again as it was typed
            for f in q.fields:
                typed_raw[f"r.{q.path}.{j}.{f.path}"] = raws[f.path]
    if records:
        put(answers, q.path, records)
        if q.check:
            problem = q.check(records, answers)
            if problem:
                errors[q.path] = problem[0] if g.lang == "th" else problem[1]
    else:
        drop(answers, q.path)


TYPED = "_typed"  # answers as typed that did not convert: kept in the answers file until they are put right


def _method_words() -> dict:
    """Evaluation methods by their words in the clause library's labels (the ones the agreement itself prints)."""
    labels = current_app.extensions["mou"]["library"].labels.get("method", {})
    return {code: words.get(g.lang, code) for code, words in labels.items()}


def _page_keys(pg, key: str) -> bool:
    path = key.split(".", 1)[1] if "." in key else key
    return page_of(path).id == pg.id


def _keep_typed(answers: dict, pg, typed_raw: dict) -> None:
    kept = (
        {k: v for k, v in (answers.get(TYPED) or {}).items() if not _page_keys(pg, k)}
        if isinstance(answers.get(TYPED), dict)
        else {}
    )
    kept.update({k: v for k, v in typed_raw.items() if isinstance(v, str)})
    if kept:
        answers[TYPED] = kept
    else:
        answers.pop(TYPED, None)


def _pending(pg, answers: dict) -> tuple[dict, dict]:
    """The wrong answers of this page kept as typed, each with its message again."""
    typed = (
        {k: v for k, v in (answers.get(TYPED) or {}).items() if _page_keys(pg, k)}
        if isinstance(answers.get(TYPED), dict)
        else {}
    )
    errors = {}
    for key, raw in typed.items():
        q = _question_of(key)
        if q is None:
            continue
        try:
            convert(q, raw, answers)
        except Invalid as exc:
            errors[key] = exc.th if g.lang == "th" else exc.en
    return typed, errors


def _question_of(key: str) -> Q | None:
    """The question behind a form key: `f.term.end`, or `r.instalments.2.due` (a field of a table's row)."""
    from pipeline.questionnaire.questions import QUESTIONS

    if key.startswith("f."):
        return next((q for q in QUESTIONS if q.path == key[2:]), None)
    m = re.fullmatch(r"r\.(.+)\.(\d+)\.([^.]+)", key)
    table = next((q for q in QUESTIONS if m and q.path == m.group(1)), None)
    return next((f for f in table.fields if f.path == m.group(3)), None) if table else None


def _form_key(field_path: str) -> str:
    """A rule's field path as the form key of its answer: `instalments[1].due` -> `r.instalments.1.due`."""
    m = re.fullmatch(r"([\w.]+)\[(\d+)\](?:\.(\w+))?", field_path)
    if m and m.group(3):
        return f"r.{m.group(1)}.{int(m.group(2))}.{m.group(3)}"
    if m:
        return m.group(1)  # a whole row: the table's own message
    return f"f.{field_path}" if _question_of(f"f.{field_path}") else field_path


def _rule_problems(app: Flask, pg, answers: dict) -> dict:
    """The rules of `mou build` that fail on answers of this page (a due date now after the term's end), by form key;
    only once the answers are complete enough to be checked."""
    iv = _interview(app, answers)
    if iv.missing():
        return {}
    out = {}
    for p in iv.problems():
        if page_of(p.field).id == pg.id:
            out.setdefault(_form_key(p.field), p.th if g.lang == "th" else p.en)
    return out


def field_label(field_path: str) -> str:
    """A rule's field path in the words of the questions: `instalments[2].due` is "งวดเงิน รายการที่ ๓: กำหนดจ่าย"."""
    from pipeline.questionnaire.questions import QUESTIONS

    special = {"signed.date": t("signed_on"), "model": t("model"), "language": t("language")}
    if field_path in special:
        return special[field_path]
    from pipeline.questionnaire.questions import SCREENING

    screening = next((q for q in SCREENING if q.path == field_path), None)
    if screening is not None:
        return _label(screening)
    m = re.fullmatch(r"([\w.]+?)(?:\[(\d+)\](?:\.(\w+))?)?", field_path)
    base = m.group(1) if m else field_path
    q = next((q for q in QUESTIONS if q.path == base), None)
    if q is None:
        q = next((q for q in QUESTIONS if q.path.startswith(base + ".") or base.startswith(q.path + ".")), None)
        return _label(q) if q else (page_of(field_path).th if g.lang == "th" else page_of(field_path).en)
    text = _label(q)
    if m and m.group(2) is not None:
        text += f" {'รายการที่' if g.lang == 'th' else 'item'} {int(m.group(2)) + 1}"
        sub = next((f for f in q.fields if f.path == m.group(3)), None) if m.group(3) else None
        if sub is not None:
            text += f": {_label(sub)}"
    return text


def _changes(agreement_before, current: Agreement, pg, settings) -> list[tuple[str, str]]:
    """The answers of this page as they now are (changed in another window), to show beside the conflict message."""
    out = []
    for q in page_questions(pg, current.answers, settings):
        out.append((_label(q), _shown(get(current.answers, q.path), q)))
    return out


def _row(app: Flask, name: str, manifest: dict) -> dict:
    """One line of the list; `manifest` is the batch's record of the finals, read once for the whole list."""
    ctx = app.extensions["mou"]
    ws: Workspace = ctx["ws"]
    agreement = ws.load(name)
    iv = _interview(app, agreement.answers)
    missing, problems, warnings = iv.missing(), [], []
    if missing:
        state = "in_progress"
    elif ws.answers_path(name).is_file():
        problems, state = iv.problems(), "in_progress"
    else:  # the spec file itself: the rules of `mou build` once, with the warnings it would print
        try:
            warnings = check_spec(ws.spec_path(name), ctx["settings"], ctx["library"]).warnings
            state = "signed_state" if isinstance(agreement.answers.get("signed"), dict) else "checked"
        except SpecError as exc:
            problems, state = exc.problems, "in_progress"
    spec_sha = sha256(agreement.raw) if state in ("checked", "signed_state") else None
    if state == "checked" and _draft_is_current(ws, name, spec_sha):
        state = "draft"
    entry = manifest.get(name)
    if state not in ("in_progress", "signed_state") and entry and entry["inputs"].get("spec") == spec_sha:
        state = "final"  # the batch built the final from this very spec
    stamp = dt.datetime.fromtimestamp(agreement.path.stat().st_mtime)
    changed = f"{thai.date(stamp.date(), g.lang)} {stamp:%H:%M}"
    model = agreement.answers.get("model")
    label = dict((m, th if g.lang == "th" else en) for m, th, en in MODELS).get(model, "—")
    return {
        "name": name,
        "title": _title(agreement.answers) or "—",
        "model": label,
        "changed": changed,
        "state": t(state),
        "state_id": state,
        "problems": len(missing) + len(problems),
        "warnings": len(warnings),
        "warning_text": "; ".join(w.th if g.lang == "th" else w.en for w in warnings),
    }


# -- drafts and finals: built by the warm workers ----------------------------------------------------------------------


def _draft_is_current(ws: Workspace, name: str, spec_sha: str | None) -> bool:
    stamp = ws.root / DRAFTS / f"{name}.sha256"
    return (
        bool(spec_sha)
        and stamp.is_file()
        and stamp.read_text().strip() == spec_sha
        and (ws.root / DRAFTS / f"{name}.pdf").is_file()
    )


def _draft(app: Flask, name: str) -> str | None:
    """Build (or reuse) the draft of a complete agreement; returns a message when there is none to build."""
    ctx = app.extensions["mou"]
    ws: Workspace = ctx["ws"]
    agreement = ws.load(name)
    if ws.answers_path(name).is_file() or not ws.spec_path(name).is_file():
        iv = _interview(app, agreement.answers)
        what = [_label(q) for q in iv.missing()] or [field_label(p.field) for p in iv.problems()]
        return t("fix_first") + ": " + ", ".join(what[:8])
    lock = ctx["locks"].setdefault(name, threading.Lock())
    with lock:
        raw = ws.spec_path(name).read_bytes()
        spec_sha = sha256(raw)
        if _draft_is_current(ws, name, spec_sha):
            return None
        folder = ws.root / DRAFTS
        folder.mkdir(exist_ok=True)
        spec = folder / f"{name}.yaml"
        write_atomically({spec: raw})
        task = Task(name, spec, folder, draft=True)
        pool: WarmPool | None = ctx["pool"]
        if pool is not None:
            result = pool.build(task)
        else:  # no pool (a test of the pages alone): build here, DOCX and PDF with a LibreOffice of its own
            from pipeline.run.pool import _build_one, _start_worker, _stop_worker

            _start_worker(
                str(ctx["library_dir"]) if ctx["library_dir"] else None,
                ctx["settings"].model_dump(),
                True,
                in_process=True,
            )
            try:
                result = _build_one(task)
            finally:
                _stop_worker()
        if "error" in result:
            return result["error"]
        write_atomically({folder / f"{name}.sha256": spec_sha.encode()})
    return None


def _batch(app: Flask, only: set[str] | None):
    ctx = app.extensions["mou"]
    ws: Workspace = ctx["ws"]
    try:
        result = run_batch(
            ws.root, ws.root / OUT, ctx["library_dir"], ctx["settings"], jobs=2, only=only, warm=ctx["pool"]
        )
    except BatchLocked as exc:
        return None, str(exc)
    except MouError as exc:
        return None, exc.format()
    return result, None


def _first_failure(result) -> str:
    if result is None:
        return ""
    failed = [o for o in result.outcomes if o.status in ("failed", "kept")]
    return failed[0].detail.split("\n")[0] if failed else ""


def _secret(root: Path) -> bytes:
    """The key that signs session cookies, kept in the workspace (0600) so a restart keeps the sessions."""
    folder = root / ".mou"
    folder.mkdir(exist_ok=True)
    path = folder / "secret.key"
    if not path.is_file():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    return path.read_bytes()
