"""The office's record in SQLite (the standard library's sqlite3, WAL): one file, WORKSPACE/.mou/office.sqlite3,
needing no set-up. Users, server-side sessions, owners, the history of changes, the record of each signing and the
status of every obligation. The schema is versioned (PRAGMA user_version) and migrates itself; the JSON files of
older workspaces are imported on first start and kept beside it, renamed *.imported, nothing lost.

The tables and queries are plain SQL (no SQLite-only types or functions; `?` parameters), so that another
database could hold them; WAL, the online backup and user_version are SQLite's own and would be replaced there."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from pathlib import Path

FILE = "office.sqlite3"

MIGRATIONS = [
    # 1: the office record
    """
    CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, data TEXT NOT NULL, created TEXT NOT NULL);
    CREATE TABLE sessions (id TEXT PRIMARY KEY, user_name TEXT NOT NULL, created TEXT NOT NULL,
                           last_seen TEXT NOT NULL, ended TEXT);
    CREATE TABLE owners (agreement TEXT PRIMARY KEY, user_name TEXT NOT NULL);
    CREATE TABLE history (id INTEGER PRIMARY KEY, agreement TEXT NOT NULL, user_name TEXT NOT NULL, at TEXT NOT NULL,
                          changes TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'done', spec_sha256 TEXT);
    CREATE INDEX history_agreement ON history (agreement, id);
    CREATE TABLE signings (id INTEGER PRIMARY KEY, agreement TEXT NOT NULL, user_name TEXT NOT NULL, at TEXT NOT NULL,
                           signed_on TEXT NOT NULL, place TEXT, file TEXT, sha256 TEXT, signers TEXT);
    CREATE TABLE obligation_status (uid TEXT PRIMARY KEY, agreement TEXT NOT NULL, done_on TEXT NOT NULL,
                                    user_name TEXT NOT NULL, note TEXT, document_no TEXT, at TEXT NOT NULL);
    CREATE TABLE obligation_events (id INTEGER PRIMARY KEY, uid TEXT NOT NULL, action TEXT NOT NULL,
                                    done_on TEXT, user_name TEXT NOT NULL, note TEXT, at TEXT NOT NULL);
    """,
    # 2: locks with an expiry (one draft build at a time per agreement, across threads and processes; a holder that
    # died frees its lock when it expires)
    """
    CREATE TABLE locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires TEXT NOT NULL);
    """,
    # 3: every write journaled like a page save (a signing recorded and an amendment started belong to the history row
    # written pending before their file); an amendment's agreement and number in the record, not in its name
    """
    ALTER TABLE signings ADD COLUMN history_id INTEGER;
    CREATE TABLE amendments (name TEXT PRIMARY KEY, agreement TEXT NOT NULL, number INTEGER NOT NULL,
                             history_id INTEGER);
    CREATE INDEX amendments_agreement ON amendments (agreement, number);
    """,
    # 4: the reminders sent by e-mail (`mou remind`): one per person, obligation and day, never twice
    """
    CREATE TABLE reminders (user_name TEXT NOT NULL, uid TEXT NOT NULL, day TEXT NOT NULL, sent_at TEXT NOT NULL,
                            PRIMARY KEY (user_name, uid, day));
    """,
]


class Database:
    """One connection per thread (sqlite3's own rule), the schema migrated once when first opened."""

    def __init__(self, workspace: Path):
        self.folder = Path(workspace) / ".mou"
        self.path = self.folder / FILE
        self._local = threading.local()
        self._migrated = False
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():  # private from the start: it holds password hashes and sessions
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=True)
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA busy_timeout = 30000")
            self._local.con = con
        if not self._migrated:
            with self._lock:
                if not self._migrated:
                    self._migrate(con)
                    self._migrated = True
        return con

    @contextlib.contextmanager
    def transaction(self):
        con = self._connect()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        return self._connect().execute(sql, args).fetchall()

    def _migrate(self, con: sqlite3.Connection) -> None:
        con.execute("PRAGMA journal_mode = WAL")
        version = con.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS, 1):
            if number <= version:
                continue
            con.execute("BEGIN IMMEDIATE")
            try:
                for statement in (s.strip() for s in script.split(";")):
                    if statement:
                        con.execute(statement)
                if number == 1:
                    _import_json(con, self.folder)
                con.execute(f"PRAGMA user_version = {number}")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        _repair(con, self.folder.parent)

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None


def _import_json(con: sqlite3.Connection, folder: Path) -> None:
    """users.json, owners.json and history.jsonl of a workspace from before the database, into it; each file is then
    renamed *.imported (kept, not deleted)."""
    users = folder / "users.json"
    if users.is_file():
        data = json.loads(users.read_text(encoding="utf-8"))
        for name, user in (data.get("users", {}) if isinstance(data, dict) else {}).items():
            con.execute(
                "INSERT INTO users (name, role, data, created) VALUES (?, ?, ?, ?)",
                (name, user.get("role", ""), json.dumps(user, ensure_ascii=False), user.get("created", "")),
            )
    owners = folder / "owners.json"
    if owners.is_file():
        for agreement, user in json.loads(owners.read_text(encoding="utf-8")).items():
            con.execute("INSERT INTO owners (agreement, user_name) VALUES (?, ?)", (agreement, user))
    history = folder / "history.jsonl"
    if history.is_file():
        for line in history.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("agreement"):
                con.execute(
                    "INSERT INTO history (agreement, user_name, at, changes) VALUES (?, ?, ?, ?)",
                    (
                        entry["agreement"],
                        entry.get("user", ""),
                        entry.get("time", ""),
                        json.dumps(entry.get("changes", []), ensure_ascii=False, default=str),
                    ),
                )
    for path in (users, owners, history):
        if path.is_file():
            path.rename(path.with_name(path.name + ".imported"))


def _repair(con: sqlite3.Connection, workspace: Path) -> None:
    """A write journals its history row as pending (with what it records beside it: a signing, an amendment's link),
    then writes the spec file, then marks the row done. A crash between the two leaves a pending row: kept (done)
    when the file on disk is the one it was about to write, dropped when the file is still the old one — the row
    marked dropped (its id never reused), what it recorded beside it removed, and the owner of an agreement that
    never came to be."""
    import hashlib

    for row in con.execute("SELECT id, agreement, spec_sha256 FROM history WHERE state = 'pending'").fetchall():
        on_disk, exists = None, False
        for path in (workspace / f"{row['agreement']}.yaml", workspace / f"{row['agreement']}.answers.yaml"):
            exists = exists or path.is_file()
            if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == row["spec_sha256"]:
                on_disk = path
        if on_disk is not None:
            con.execute("UPDATE history SET state = 'done' WHERE id = ?", (row["id"],))
            continue
        con.execute("UPDATE history SET state = 'dropped' WHERE id = ?", (row["id"],))
        con.execute("DELETE FROM signings WHERE history_id = ?", (row["id"],))
        con.execute("DELETE FROM amendments WHERE history_id = ?", (row["id"],))
        if not exists:
            con.execute("DELETE FROM owners WHERE agreement = ?", (row["agreement"],))
