"""Issue 32: `mou remind` e-mails each person what of theirs is overdue or falls due soon, through a real SMTP server
the test starts (aiosmtpd on a local port); the messages are parsed back and checked, and a second run the same day
sends nothing."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import shutil
import socket

import pytest
from aiosmtpd.controller import Controller

from pipeline.api import calendar, load_library
from pipeline.spec.settings import Settings
from pipeline.store.record import Record
from pipeline.store.users import Users

from conftest import EXAMPLES, mou_run

PASSWORD = "a-long-password-1"


class Sink:
    """What the SMTP server received: (recipients, parsed message)."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.received.append(
            (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    yield sink
    controller.stop()


def office(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    for name, example, signed in (
        ("design", "universal-design-nonthaburi", "2024-06-10"),
        ("care", "inclusive-care", "2024-04-22"),
    ):
        shutil.copy(EXAMPLES / f"{example}.yaml", ws / f"{name}.yaml")
        with open(ws / f"{name}.yaml", "a", encoding="utf-8") as fh:
            fh.write(f"\nsigned:\n  date: {signed}\n")
    users = Users(ws)
    for name, role, address in (
        ("nittikorn", "legal", "nittikorn@example.go.th"),
        ("somchai", "coordinator", "somchai@example.go.th"),
        ("malee", "coordinator", "malee@example.go.th"),  # owns nothing: nothing to send
        ("wichai", "coordinator", "wichai@example.go.th"),  # disabled: nothing to send
        ("noemail", "legal", ""),  # no address
    ):
        users.add(name, role, PASSWORD)
        if address:
            users.set_email(name, address)
    users.set_disabled("wichai", True)
    record = Record(ws)
    record.set_owner("design", "somchai")
    record.set_owner("care", "wichai")
    return ws, record


def settings_file(tmp_path, port):
    path = tmp_path / "settings.yaml"
    path.write_text(
        f"smtp_host: 127.0.0.1\nsmtp_port: {port}\nsmtp_security: none\nmail_from: mou@example.go.th\n"
        "public_url: https://mou.example.go.th\n",
        encoding="utf-8",
    )
    return path


def test_each_person_gets_what_is_theirs_once_a_day(tmp_path, smtp):
    ws, record = office(tmp_path)
    today = dt.date.today()
    horizon = today + dt.timedelta(days=14)
    every = calendar(ws, Settings(), load_library()).obligations
    design_late = [o for o in every if o.agreement == "design" and o.date < today]
    assert len(design_late) >= 2 and any(o.agreement == "care" and o.date < today for o in every)
    record.mark_done(design_late[0].uid, "design", design_late[0].date, "nittikorn", "", "")  # done: not reminded
    passed = {o.uid for o in every if o.milestone and o.date < today}  # the end of a term passes by itself
    assert passed
    expected = {o.uid for o in every if o.date <= horizon and o.uid != design_late[0].uid} - passed
    settings = settings_file(tmp_path, smtp.port)

    dry = mou_run("remind", "--workspace", ws, "--settings", settings, "--dry-run")
    assert dry.returncode == 0 and "would send nittikorn" in dry.stdout and not smtp.received, dry.stdout + dry.stderr

    run = mou_run("remind", "--workspace", ws, "--settings", settings)
    assert run.returncode == 0, run.stdout + run.stderr
    got = {rcpt[0]: msg for rcpt, msg in smtp.received}
    assert set(got) == {"nittikorn@example.go.th", "somchai@example.go.th"}, list(got)
    for address, msg in got.items():
        assert msg["From"] == "mou@example.go.th" and address in msg["To"]
        assert msg["Subject"].startswith("แจ้งเตือนภาระผูกพันตามบันทึกข้อตกลง: เลยกำหนด ")
        body = msg.get_body(("plain",)).get_content()
        assert body.startswith("เรียน ") and "https://mou.example.go.th/calendar" in body
        assert not any(ch.isdigit() and ch.isascii() for ch in msg["Subject"]), msg["Subject"]  # Thai digits
        ics = next(part for part in msg.iter_attachments() if part.get_filename() == "mou-obligations.ics")
        text = ics.get_content() if isinstance(ics.get_content(), str) else ics.get_content().decode("utf-8")
        uids = {line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("UID:")}
        msg.uids, msg.body = uids, body
    legal, coordinator = got["nittikorn@example.go.th"], got["somchai@example.go.th"]
    assert legal.uids == expected, legal.uids ^ expected
    assert coordinator.uids == {u for u in expected if u.startswith("design.")}
    assert "https://mou.example.go.th/a/design" in coordinator.body and "/a/care" not in coordinator.body
    assert design_late[0].uid not in legal.uids  # marked done
    assert "รายการที่เลยกำหนดแล้ว" in coordinator.body

    again = mou_run("remind", "--workspace", ws, "--settings", settings)
    assert again.returncode == 0 and "nothing to remind anyone of today" in again.stdout, again.stdout
    assert len(smtp.received) == 2  # nothing sent twice the same day


def test_without_a_mail_server_it_says_so_and_records_nothing(tmp_path):
    ws, _ = office(tmp_path)
    result = mou_run("remind", "--workspace", ws)
    assert result.returncode == 1 and "smtp_host" in result.stderr and "Traceback" not in result.stderr
    closed = tmp_path / "closed.yaml"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens there
    closed.write_text(f"smtp_host: 127.0.0.1\nsmtp_port: {port}\nsmtp_security: none\n", encoding="utf-8")
    result = mou_run("remind", "--workspace", ws, "--settings", closed)
    assert result.returncode == 1 and "cannot reach the mail server" in result.stderr, result.stderr
    assert Record(ws).reminded(dt.date.today().isoformat()) == set()  # a run that sent nothing recorded nothing
