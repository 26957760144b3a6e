"""`mou remind`: each person of a workspace gets, by e-mail, what of theirs falls due within the days given and what
is overdue — a coordinator their own agreements, a legal officer all — in Thai (the agreement's language for its
lines), with the link to each agreement and the `.ics` of those events attached. A reminder is recorded per person,
obligation and day, so a second run the same day sends only what is new. Sent with the standard library's smtplib."""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from pipeline.api import Library, Obligation, calendar, obligation_event
from pipeline.documents.obligations import obligation_line
from pipeline.errors import Message, MouError
from pipeline.render import thai
from pipeline.render.ics import calendar as ics_calendar
from pipeline.spec.settings import Settings
from pipeline.store.db import Database
from pipeline.store.record import Record
from pipeline.store.users import Users


@dataclass
class Reminder:
    user: str
    email: str
    overdue: list[Obligation]
    due: list[Obligation]
    message: EmailMessage

    @property
    def uids(self) -> list[str]:
        return [o.uid for o in self.overdue + self.due]


def reminders(workspace: Path, settings: Settings, library: Library, days: int, today: dt.date) -> list[Reminder]:
    """The messages to send today: one per person with an e-mail address, enabled, who has something not yet done
    that is overdue or falls due within `days` and that no reminder of today has named."""
    db = Database(workspace)
    users, record = Users(workspace, db), Record(workspace, db)
    found = calendar(workspace, settings, library, drafts=False)
    done = record.statuses()
    sent = record.reminded(today.isoformat())
    horizon = today + dt.timedelta(days=days)
    out = []
    for name, user in sorted(users.load().items()):
        if user.get("disabled") or not user.get("email"):
            continue
        visible = record.visible(name, user.get("role"))
        mine = [
            o
            for o in found.obligations
            if o.uid not in done
            and o.date <= horizon
            and not (o.milestone and o.date < today)  # a past milestone passed by itself
            and (visible is None or o.agreement in visible)
            and (name, o.uid) not in sent
        ]
        if not mine:
            continue
        overdue = sorted((o for o in mine if o.date < today), key=lambda o: (o.date, o.agreement))
        due = sorted((o for o in mine if o.date >= today), key=lambda o: (o.date, o.agreement))
        out.append(
            Reminder(name, user["email"], overdue, due, _message(name, user["email"], overdue, due, days, settings))
        )
    return out


def _link(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + "/" + urllib.parse.quote(path.lstrip("/"))


def _message(
    name: str, email: str, overdue: list[Obligation], due: list[Obligation], days: int, settings: Settings
) -> EmailMessage:
    n = len(overdue) + len(due)
    digits = thai.thai_digits if settings.digits == "thai" else str
    msg = EmailMessage()
    msg["Subject"] = (
        f"แจ้งเตือนภาระผูกพันตามบันทึกข้อตกลง: เลยกำหนด {digits(str(len(overdue)))} รายการ "
        f"ครบกำหนดภายใน {digits(str(days))} วัน {digits(str(len(due)))} รายการ"
    )
    msg["From"] = settings.mail_from or f"mou@{settings.smtp_host or 'localhost'}"
    msg["To"] = formataddr((name, email))
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="mou-pipeline")
    lines = [f"เรียน {name}", ""]
    for heading, items in (
        ("รายการที่เลยกำหนดแล้วและยังไม่ได้บันทึกว่าดำเนินการ", overdue),
        (f"รายการที่จะครบกำหนดภายใน {digits(str(days))} วัน", due),
    ):
        if items:
            lines += [f"{heading} ({digits(str(len(items)))} รายการ)", ""]
            for o in items:
                lines += [
                    f"- {obligation_line(o, settings)}",
                    f"  {o.title}",
                    f"  {_link(settings, f'/a/{o.agreement}')}",
                ]
            lines.append("")
    lines += [
        f"ปฏิทินภาระผูกพันและการบันทึกว่าดำเนินการแล้ว: {_link(settings, '/calendar')}",
        f"ไฟล์ปฏิทิน (.ics) ของทั้ง {digits(str(n))} รายการแนบมาด้วย",
        "",
        "ข้อความนี้ส่งโดยอัตโนมัติจาก mou remind (วันละครั้ง); รายการที่แจ้งแล้ววันนี้จะไม่แจ้งซ้ำ",
    ]
    msg.set_content("\n".join(lines))
    events = [obligation_event(o, settings) for o in overdue + due]
    msg.add_attachment(
        ics_calendar(events, "ภาระผูกพันตามบันทึกข้อตกลง"),
        maintype="text",
        subtype="calendar",
        filename="mou-obligations.ics",
    )
    return msg


def send(found: list[Reminder], workspace: Path, settings: Settings, today: dt.date) -> list[tuple[Reminder, str]]:
    """Each message sent over one connection to the office's mail server, and recorded as sent; the failures, each
    with its reason (the others are still sent)."""
    if not settings.smtp_host:
        raise MouError(
            Message(
                "ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์อีเมล: ใส่ smtp_host ในไฟล์การตั้งค่า (--settings)",
                "no mail server: set smtp_host in the settings file (--settings)",
            )
        )
    record = Record(workspace, Database(workspace))
    failed: list[tuple[Reminder, str]] = []
    try:
        with _connect(settings) as smtp:
            for r in found:
                try:
                    smtp.send_message(r.message)
                except smtplib.SMTPException as exc:
                    failed.append((r, str(exc)))
                    continue
                record.remind(r.user, r.uids, today.isoformat())
    except (OSError, smtplib.SMTPException) as exc:
        raise MouError(
            Message(
                f"ติดต่อเซิร์ฟเวอร์อีเมล {settings.smtp_host}:{settings.smtp_port} ไม่ได้",
                f"cannot reach the mail server {settings.smtp_host}:{settings.smtp_port}: {exc}",
            )
        ) from exc
    return failed


def _connect(settings: Settings) -> smtplib.SMTP:
    assert settings.smtp_host  # `mou remind` refuses to send without one, before anything is read
    context = ssl.create_default_context()
    if settings.smtp_security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=30, context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
        if settings.smtp_security == "starttls":
            smtp.starttls(context=context)
    if settings.smtp_user:
        password = os.environ.get(settings.smtp_password_env)
        if password is None:
            smtp.close()
            raise MouError(
                Message(
                    f"ไม่พบรหัสผ่านของบัญชีอีเมลในตัวแปร {settings.smtp_password_env}",
                    f"the mail account's password is not in the environment variable {settings.smtp_password_env}",
                )
            )
        smtp.login(settings.smtp_user, password)
    return smtp
