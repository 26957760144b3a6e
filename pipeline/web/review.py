"""One agreement as a whole: what is still missing or wrong (every rule of `mou build` at once), its answers page by
page, its history, its draft and final files; a legal officer builds the final and records the signing."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Literal

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, session, url_for

from pipeline.questionnaire.answers import clean, get, group
from pipeline.questionnaire.pages import page_questions
from pipeline.render import thai
from pipeline.run.key import sha256
from pipeline.run.status import draft_is_current
from pipeline.store.workspace import DRAFTS, OUT
from pipeline.values import typed_date
from pipeline.web.after import after_signing_view
from pipeline.web.builds import draft_work, final_work
from pipeline.web.context import (
    TYPED,
    ask,
    legal_officers_only,
    missing_of,
    office,
    problems_of,
    public,
    their_agreement,
)
from pipeline.web.jobs import REFRESH, State
from pipeline.web.signings import SIGNED_COPIES, record_signing
from pipeline.web.strings import t
from pipeline.web.words import (
    as_date,
    field_label,
    field_link,
    file_title,
    question_label,
    shown_answer,
    title_of,
    value_of,
    visible_pages,
    when_words,
)

bp = Blueprint("review", __name__)


@bp.get("/a/<name>")
@their_agreement
def review(name):
    ctx = office()
    agreement = ctx.ws.load(name)
    missing = missing_of(agreement.answers)
    links = [
        (field_link(name, q.path), question_label(q), "ยังไม่มีคำตอบ" if g.lang == "th" else "no answer yet")
        for q in missing
    ]
    typed = group(agreement.answers, TYPED)
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
        links.append((field_link(name, p.field), field_label(p.field), p.message.in_(g.lang)))
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
            when_words(e.time),
            e.user,
            [
                (
                    field_label(c[0]) if not c[0].startswith("(") else c[0],
                    value_of(c[0], c[1]),
                    value_of(c[0], c[2]),
                )
                for c in e.changes
            ],
        )
        for e in reversed(ctx.record.of(name))
    ]
    signed = agreement.answers.get("signed") if isinstance(agreement.answers.get("signed"), dict) else None
    building, finished = jobs_of(name)
    return render_template(
        "review.html",
        building=building,
        finished=finished,
        refresh=REFRESH if building else None,
        name=name,
        links=links,
        ready=not links,
        summary=summary,
        finals=finals,
        history=history,
        signed=signed,
        signed_words=value_of("signed.date", signed.get("date")) if signed else "",
        stated_words=value_of("signed.date", (agreement.answers.get("signing") or {}).get("date")),
        sign_typed=_sign_typed(agreement.answers),
        after=after_signing_view(name, agreement.answers),
        title=title_of(agreement.answers),
        message=session.pop("notice", None),
        verified=session.pop("verified", None),
    )


@bp.get("/a/<name>/draft.<kind>")
@their_agreement
def draft(name, kind):
    """The draft, when it is built from the spec as it is; else its build is queued and this page says so, reloading
    itself until the draft is there (the request never waits for LibreOffice)."""
    ctx = office()
    ws = ctx.ws
    if kind not in ("pdf", "docx"):
        abort(404)
    agreement = ws.load(name)
    back = url_for("review.review", name=name)
    if ws.answers_path(name).is_file() or not ws.spec_path(name).is_file():
        what = [question_label(q) for q in missing_of(agreement.answers)] or [
            field_label(p.field) for p in problems_of(agreement.answers)
        ]
        return render_template("message.html", message=t("fix_first") + ": " + ", ".join(what[:8]), back=back), 409
    if not draft_is_current(ws, name, sha256(agreement.raw)):
        job = ctx.jobs.get(f"draft:{name}")
        if job is not None and job.state is State.FAILED:
            ctx.jobs.take(f"draft:{name}")
            return render_template("message.html", message=job.message, back=back), 409
        said = ask(f"draft:{name}", lambda: draft_work(ctx, name))
        return render_template("building.html", message=said, back=back, refresh=REFRESH), 202
    path = ws.root / DRAFTS / f"{name}.{kind}"
    return send_file(
        path,
        as_attachment=kind == "docx" or request.args.get("download") == "1",
        download_name=file_title(agreement.answers, name, f" ({t('draft_only')}).{kind}"),
        max_age=0,
    )


@bp.get("/a/<name>/final.<kind>")
@their_agreement
def final_file(name, kind):
    ws = office().ws
    path = ws.root / OUT / f"{name}.{kind}"
    if kind not in ("pdf", "docx") or not ws.exists(name) or not path.is_file():
        abort(404)
    return send_file(
        path,
        as_attachment=kind == "docx" or request.args.get("download") == "1",
        download_name=file_title(ws.load(name).answers, name, f".{kind}"),
        max_age=0,
    )


@bp.post("/a/<name>/final")
@legal_officers_only
def final(name):
    ws = office().ws
    if ws.load(name).answers.get("amends"):  # what is signed is the amendment, built below on the review page
        session["notice"] = t("amendment_no_final")
        return redirect(url_for("review.review", name=name))
    if ws.answers_path(name).is_file():
        return redirect(url_for("review.review", name=name))
    ctx = office()
    session["notice"] = ask(f"final:{name}", lambda: final_work(ctx, name))
    return redirect(url_for("review.review", name=name))


MAX_PLACE = 300  # characters of the place of signing
MAX_SIGNED_COPY = 30_000_000  # bytes: a scan of twenty pages at 300 dpi


CopyReason = Literal["too_big", "unreadable", "not_a_copy"]


class CopyRefused(ValueError):
    """An uploaded signed copy that cannot be recorded, and why (`reason`, the key of its words: copy_<reason>)."""

    def __init__(self, reason: CopyReason):
        super().__init__(reason)
        self.reason = reason

    @property
    def words(self) -> str:
        return t(f"copy_{self.reason}")


def _signed_copy(upload) -> tuple[bytes, str] | None:
    """The uploaded signed copy: a PDF (scanned or digitally signed) or an image of the paper copy."""
    if upload is None or not upload.filename:
        return None
    data = upload.read(MAX_SIGNED_COPY + 1)
    if len(data) > MAX_SIGNED_COPY:
        raise CopyRefused("too_big")
    for magic, ext in ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG", "png")):
        if data.startswith(magic):
            if not _opens(data, ext):
                raise CopyRefused("unreadable")
            return data, ext
    raise CopyRefused("not_a_copy")


def _opens(data: bytes, ext: str) -> bool:
    """A PDF that a PDF library opens, with at least one page; an image whose pixels decode (not its first bytes)."""
    import io

    try:
        if ext == "pdf":
            import pikepdf

            with pikepdf.open(io.BytesIO(data)) as pdf:
                return len(pdf.pages) > 0
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = 200_000_000  # a 20-page scan at 300 dpi is far below; a decompression bomb is not
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            return img.width > 0 and img.height > 0
    except Exception:  # noqa: BLE001 - whatever the library says, the file is not a copy anyone can read
        return False


_BANGKOK = dt.timezone(dt.timedelta(hours=7))


def _when(moment: dt.datetime) -> str:
    here = moment.astimezone(_BANGKOK)
    return thai.localise_digits(f"{thai.date(here.date(), g.lang)} {here:%H:%M}", g.lang, office().settings.digits)


def _digital_signatures(data: bytes, raw: bytes, scan: bool = False) -> tuple[list[dict], list[str], str | None]:
    """A PDF uploaded as the signed copy: (the signers of its intact signatures, the verification's lines, why it is
    refused). A PDF this tool made carries its spec hash, which must be this agreement's (taken without the `signed`
    block, so recording the signing does not change it); a scan carries none and is recorded by its sha256 alone.
    A signature that is not intact, or that the document was changed after, refuses the copy."""
    from pipeline.api import report_lines, verify_pdf
    from pipeline.run.manifest import recorded_finals
    from pipeline.spec.model import spec_hash

    # the office's trusted CAs (the settings' `trust`), revocation as `mou verify` checks it, and the finals this
    # workspace built (out/'s manifest): the file before the first signature must be one of them
    trust = [Path(p).read_bytes() for p in office().settings.trust if Path(p).is_file()]
    report = verify_pdf(data, Path("signed.pdf"), trust or None, recorded_finals(office().ws.root))
    ours = spec_hash(raw)
    if report.spec_hash and report.spec_hash != ours:
        return [], [], t("copy_other_spec").format(theirs=report.spec_hash[:12], ours=ours[:12])
    if not report.signatures:
        # no digital signature at all: the final as built, or a scan, which only the one who uploads it can tell
        return [], [], None if scan else t("copy_no_signature")
    if report.added:
        return [], [], t("copy_fields_added").format(roles=", ".join(report.added))
    if report.built is False:
        return [], [], t("copy_not_as_built")
    lines = [line.split("\n")[0 if g.lang == "th" else -1].strip() for line in report_lines(report, _when)]
    bad = [s.role for s in report.signatures if not s.intact or s.changed_after or s.revoked]
    if bad:
        return [], lines, t("copy_signature_broken").format(roles=", ".join(bad))
    # recorded, with a warning under the banner: a signer whose identity no trusted CA vouches for
    unverified = [s.role for s in report.signatures if s.trusted is not True]
    if unverified:
        lines.insert(0, t("copy_identity_unverified").format(roles=", ".join(unverified)))
    return [{"role": s.role, "subject": s.subject} for s in report.signatures], lines, None


@bp.post("/a/<name>/sign")
@legal_officers_only
def sign(name):
    """A legal officer records the signing — date, place and the signed copy (its sha256 in `signed.pdf_sha256`) —
    after a confirmation; it may be corrected later, the record keeping both. From then on the agreement is never
    regenerated and its pages are read-only."""
    ctx = office()
    back = redirect(url_for("review.review", name=name))
    with ctx.ws.lock:
        agreement = ctx.ws.load(name)
        if ctx.ws.answers_path(name).is_file():
            abort(409)
        if not request.form.get("confirm"):
            session["notice"] = t("sign_confirm_needed")
            return back
        try:
            day = thai.parse_user_date(request.form.get("signed_on", request.form.get("date", "")))
        except ValueError:
            session["notice"] = t("bad_date")
            return back
        if day > dt.date.today():  # a signing is recorded after it has happened
            session["notice"] = t("future_date").format(date=thai.date(day, g.lang))
            return back
        try:
            copy_ = _signed_copy(request.files.get("copy"))
        except CopyRefused as exc:
            session["notice"] = exc.words
            return back
        signers: list[dict] = []
        verified: list[str] = []
        scan = request.form.get("scan") == "1"
        if copy_ is not None and copy_[1] == "pdf":
            signers, verified, refused = _digital_signatures(copy_[0], agreement.raw, scan)
            if refused:
                session["notice"] = refused
                session["verified"] = verified
                return back
        place = " ".join(clean(request.form.get("place", "")[:MAX_PLACE]).split())
        recorded = record_signing(ctx, name, g.user, agreement, day, place, copy_, signers)
        signed, previous = recorded.signed, recorded.previous
    said = _said_after_signing(agreement.answers, day, signed, previous, copy_, scan, signers, verified)
    session["notice"] = " — ".join(said)
    return back


def _said_after_signing(answers, day, signed, previous, copy_, scan, signers, verified) -> list[str]:
    """What the page says once a signing is recorded: recorded or corrected, and every warning: another day than the
    agreement states, no copy, the digital signatures verified, fields left empty, a scan not verified."""
    said = [t("signed_done") if not previous else t("signed_corrected")]
    written = (answers.get("signing") or {}).get("date")
    written = thai.parse_user_date(str(written)) if written else None
    if written and written != day:
        said.append(t("signed_other_day").format(date=thai.date(written, g.lang)))
    if copy_ is None and not signed.get("pdf_sha256"):
        said.append(t("signed_no_copy"))
    if verified:
        said.append(t("signed_digitally").format(n=len(signers)))
        session["verified"] = verified
        empty = [line for line in verified if "ยังไม่ได้ลงนาม" in line or "not yet signed" in line]
        if empty:
            said.append(t("signed_fields_empty").format(n=len(empty)))
    if copy_ is not None and copy_[1] == "pdf" and scan and not signers:
        said.append(t("signed_scan_unverified"))
    return said


@bp.get("/a/<name>/signed-copy")
@their_agreement
def signed_copy(name):
    """The signed copy recorded for the agreement, checked against the sha256 the spec keeps."""
    ctx = office()
    signed = ctx.ws.load(name).answers.get("signed")
    digest = signed.get("pdf_sha256") if isinstance(signed, dict) else None
    if not digest:
        abort(404)
    found = sorted((ctx.ws.root / SIGNED_COPIES).glob(f"{name}.{digest[:16]}.*"))
    if not found or hashlib.sha256(found[0].read_bytes()).hexdigest() != digest:
        abort(404)
    return send_file(
        found[0],
        as_attachment=True,
        download_name=file_title(ctx.ws.load(name).answers, name, f" ({t('signed_copy')}).{found[0].suffix[1:]}"),
        max_age=0,
    )


def jobs_of(name: str) -> tuple[list[str], list[tuple[bool, str]]]:
    """The builds of this agreement under way (what is built), and those just finished (ok, what they said), each said
    once: the page that shows a finished build's message forgets it."""
    ctx = office()
    building, finished = [], []
    for key, what in (
        (f"final:{name}", t("final")),
        (f"amendment:{name}", t("amendment")),
        *(
            (f"sla:{name}:{y}", f"SLA {y}")
            for y in range(2, 2 + len(ctx.ws.load(name).answers.get("sla_renewals") or []))
        ),
    ):
        job = ctx.jobs.get(key)
        if job is None:
            continue
        if job.state.active:
            building.append(what)
        else:
            ctx.jobs.take(key)
            done = {"final": t("final_built"), "amendment": t("amendment_built")}.get(key.split(":")[0], "")
            if key.startswith("sla:"):
                done = t("sla_built").format(year=key.rsplit(":", 1)[1])
            finished.append((job.state is State.DONE, public(job.message) if job.state is State.FAILED else done))
    return building, finished


def _sign_typed(answers: dict) -> dict:
    """The signing form filled in: what is recorded (to correct it), else the place and date the agreement states."""
    signed = group(answers, "signed")
    stated = group(answers, "signing")
    # an amendment's copy states the agreement's own signing: its signing is another day, not prefilled
    day = signed.get("date") or (None if answers.get("amends") else stated.get("date"))
    d = as_date(day) if day else None
    typed = typed_date(d, g.lang) if d else ""
    return {"date": typed, "place": signed.get("place") or stated.get("place") or ""}
