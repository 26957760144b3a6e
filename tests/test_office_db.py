"""Issue 23: the office's record in SQLite — a versioned schema in WAL mode, the JSON files of older workspaces
imported with nothing lost, server-side sessions (a cookie replayed after logout, or idle too long, opens nothing),
a save killed between its history row and its spec file repaired at the next start (a real process killed), and
`mou backup` / `mou restore`."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.spec.settings import Settings
from pipeline.store.db import MIGRATIONS, Database
from pipeline.store.record import Record
from pipeline.store.users import Users
from pipeline.web.app import create_app

from conftest import EXAMPLE_FILES

ROOT = Path(__file__).resolve().parent.parent


def test_older_json_records_are_imported_on_first_start_and_kept(tmp_path):
    folder = tmp_path / ".mou"
    folder.mkdir()
    old = Users.__new__(Users)  # a password hash made the way the JSON files kept it
    hashed = {"role": "legal", **Users._hash(old, "a-long-password"), "created": "2026-01-01T09:00:00"}
    (folder / "users.json").write_text(json.dumps({"format": 1, "users": {"somsri": hashed}}), encoding="utf-8")
    (folder / "owners.json").write_text(json.dumps({"care": "somsri"}), encoding="utf-8")
    entry = {"time": "2026-01-02T10:00:00", "user": "somsri", "agreement": "care", "changes": [["title", "a", "b"]]}
    (folder / "history.jsonl").write_text(json.dumps(entry, ensure_ascii=False) + "\n", encoding="utf-8")
    db = Database(tmp_path)
    users, record = Users(tmp_path, db), Record(tmp_path, db)
    assert users.verify("somsri", "a-long-password") == "legal"
    assert record.owners() == {"care": "somsri"}
    assert [vars(e) for e in record.of("care")] == [{**entry}]
    assert {p.name for p in folder.iterdir()} >= {
        "users.json.imported",
        "owners.json.imported",
        "history.jsonl.imported",
    }
    with sqlite3.connect(folder / "office.sqlite3") as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 4  # 4: the reminders sent
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert oct((folder / "office.sqlite3").stat().st_mode & 0o777) == "0o600"
    # a second start imports nothing twice
    assert len(Record(tmp_path, Database(tmp_path)).of("care")) == 1


def test_sessions_end_at_logout_after_idle_time_and_when_disabled(tmp_path):
    users = Users(tmp_path)
    users.add("somchai", "coordinator", "a-long-password")
    token = users.start_session("somchai")
    assert users.session_user(token, dt.timedelta(hours=2)) == "somchai"
    users.end_session(token)
    assert users.session_user(token, dt.timedelta(hours=2)) is None  # replayed after logout: nothing
    token = users.start_session("somchai")
    with sqlite3.connect(tmp_path / ".mou" / "office.sqlite3") as con:
        con.execute("UPDATE sessions SET last_seen = '2020-01-01T00:00:00'")
    assert users.session_user(token, dt.timedelta(hours=2)) is None  # idle too long
    token = users.start_session("somchai")
    users.set_disabled("somchai", True)
    assert (
        users.session_user(token, dt.timedelta(hours=2)) is None and users.verify("somchai", "a-long-password") is None
    )


def test_a_cookie_replayed_after_logout_opens_nothing(tmp_path):
    Users(tmp_path).add("somsri", "legal", "a-long-password")
    app = create_app(tmp_path, settings=Settings())
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert c.post("/login", data={"csrf": csrf, "name": "somsri", "password": "a-long-password"}).status_code == 302
    assert c.get("/").status_code == 200
    cookie = c.get_cookie("mou_session").value
    page = c.get("/").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    c.post("/logout", data={"csrf": csrf})
    other = app.test_client()
    other.set_cookie("mou_session", cookie)  # the old cookie, still validly signed
    answer = other.get("/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


KILLED_SAVE = textwrap.dedent(
    """
    import os, re, sys
    from pathlib import Path
    from pipeline.spec.settings import Settings
    from pipeline.store.workspace import Workspace
    from pipeline.web.app import create_app

    ws, when = Path(sys.argv[1]), sys.argv[2]
    real_save = Workspace.save

    def dying_save(self, name, answers, complete):
        if when == "before":
            os._exit(9)  # killed after the history row, before the spec file
        out = real_save(self, name, answers, complete)
        os._exit(9)  # killed after the spec file, before the row is marked done

    Workspace.save = dying_save
    c = create_app(ws, settings=Settings()).test_client()
    page = c.get("/a/care/general").get_data(as_text=True)
    form = {k: v for k, v in re.findall(r'name="((?:f\\.|version|loaded|csrf)[^"]*)"[^>]*value="([^"]*)"', page)}
    form["f.title"] = "ชื่อเรื่องใหม่"
    form["shown"] = "title"
    c.post("/a/care/general", data=form)
    """
)


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_save_killed_between_its_history_and_its_file_is_repaired_at_the_next_start(tmp_path, when):
    spec = next(f for f in EXAMPLE_FILES if f.stem == "inclusive-care")
    (tmp_path / "care.yaml").write_bytes(spec.read_bytes())
    before = (tmp_path / "care.yaml").read_bytes()
    run = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(tmp_path), when], cwd=ROOT, capture_output=True)
    assert run.returncode == 9, run.stderr.decode()[-2000:]
    with sqlite3.connect(tmp_path / ".mou" / "office.sqlite3") as con:
        assert [r[0] for r in con.execute("SELECT state FROM history")] == ["pending"]  # the crash left it so
    record = Record(tmp_path, Database(tmp_path))  # the next start
    written = (tmp_path / "care.yaml").read_bytes() != before
    assert written == (when == "after")
    history = record.of("care")
    if written:  # the file holds the change: its history row is kept
        assert len(history) == 1 and any(c[0] == "title" for c in history[0].changes)
    else:  # the file is as it was: no history of a change that did not happen
        assert history == []
    with sqlite3.connect(tmp_path / ".mou" / "office.sqlite3") as con:
        assert not con.execute("SELECT 1 FROM history WHERE state = 'pending'").fetchall()


def test_backup_and_restore_into_an_empty_workspace(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    for f in EXAMPLE_FILES[:2]:
        (ws / f.name).write_bytes(f.read_bytes())
    users = Users(ws)
    users.add("somsri", "legal", "a-long-password")
    Record(ws).append(EXAMPLE_FILES[0].stem, "somsri", [["title", "a", "b"]])
    (ws / ".signed").mkdir()
    (ws / ".signed" / "copy.pdf").write_bytes(b"%PDF-1.4 signed copy")
    archive = tmp_path / "office.tar.gz"
    result = CliRunner().invoke(cli, ["backup", "--workspace", str(ws), "--out", str(archive)])
    assert result.exit_code == 0, result.output
    target = tmp_path / "restored"
    result = CliRunner().invoke(cli, ["restore", str(archive), "--workspace", str(target)])
    assert result.exit_code == 0, result.output
    for f in EXAMPLE_FILES[:2]:
        assert (target / f.name).read_bytes() == f.read_bytes()
    assert (target / ".signed" / "copy.pdf").read_bytes() == b"%PDF-1.4 signed copy"
    assert Users(target).verify("somsri", "a-long-password") == "legal"
    assert Record(target).of(EXAMPLE_FILES[0].stem)[0].user == "somsri"
    again = CliRunner().invoke(cli, ["restore", str(archive), "--workspace", str(target)])
    assert again.exit_code == 1 and "not empty" in again.output
    assert archive.read_bytes()[:2] == b"\x1f\x8b"  # .tar.gz: gzip
    # issue 32: `--out b.tar` wrote gzip data under a .tar name; now a plain tar, which restore reads as well
    plain = tmp_path / "office.tar"
    assert CliRunner().invoke(cli, ["backup", "--workspace", str(ws), "--out", str(plain)]).exit_code == 0
    import tarfile

    with tarfile.open(plain, mode="r:") as tar:  # uncompressed, as its name says
        assert any(m.name.endswith(EXAMPLE_FILES[0].name) for m in tar.getmembers())
    result = CliRunner().invoke(cli, ["restore", str(plain), "--workspace", str(tmp_path / "from-tar")])
    assert result.exit_code == 0 and (tmp_path / "from-tar" / EXAMPLE_FILES[0].name).is_file(), result.output


def test_locks_are_held_by_one_at_a_time_across_threads_and_expire_when_their_holder_died(tmp_path):
    import threading
    import time

    record = Record(tmp_path)
    order = []

    def second():
        with Record(tmp_path, Database(tmp_path)).lock("draft:care"):
            order.append("second")

    with record.lock("draft:care"):
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.3)
        order.append("first")  # the second is still waiting
    t.join(5)
    assert order == ["first", "second"]
    # a holder that died: its lock expires and is taken
    with sqlite3.connect(tmp_path / ".mou" / "office.sqlite3") as con:
        con.execute("INSERT INTO locks (name, holder, expires) VALUES ('draft:x', 'dead', '2020-01-01T00:00:00')")
    with record.lock("draft:x", wait=1):
        pass


def test_a_database_of_schema_1_migrates_to_the_current_one(tmp_path):
    from pipeline.store import db as dbmod

    folder = tmp_path / ".mou"
    folder.mkdir()
    with sqlite3.connect(folder / "office.sqlite3") as con:  # as the first release left it
        for statement in dbmod.MIGRATIONS[0].split(";"):
            if statement.strip():
                con.execute(statement)
        con.execute("INSERT INTO owners (agreement, user_name) VALUES ('care', 'somsri')")
        con.execute("PRAGMA user_version = 1")
    record = Record(tmp_path)
    assert record.owners() == {"care": "somsri"}
    with record.lock("draft:care", wait=1):
        pass
    with sqlite3.connect(folder / "office.sqlite3") as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == len(dbmod.MIGRATIONS)
