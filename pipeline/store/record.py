"""The office's record of its agreements, kept in the office's database (store/db.py): owners (store/owners.py), the
history (store/history.py), the signings and amendments (store/signings.py), the obligations' status and the
reminders sent (store/obligations.py), and named locks with an expiry. `Record` is all of them over one database."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import time
from pathlib import Path

from pipeline.errors import Message, MouError
from pipeline.store.db import Database
from pipeline.store.history import History
from pipeline.store.obligations import Obligations
from pipeline.store.owners import Owners
from pipeline.store.signings import Signings


class Record(History, Signings, Obligations, Owners):
    """Who made which agreement, every change since (append-only), each signing recorded, each obligation's status."""

    def __init__(self, workspace: Path, db: Database | None = None):
        self.db = db or Database(workspace)

    def visible(self, user: str, role: str | None) -> set[str] | None:
        """The agreements a user may see: None (all) for a legal officer; for a coordinator those they own and the
        amendments of those (the record links an amendment to its agreement, whoever started it)."""
        if role == "legal":
            return None
        mine = {name for name, owner in self.owners().items() if owner == user}
        return mine | {name for name, (agreement, _) in self.amendments().items() if agreement in mine}

    # -- locks with an expiry ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, name: str, expires: float = 600.0, wait: float = 900.0):
        """Held by one holder at a time (in any thread or process of the office); one whose holder died is free
        once it expires. Waits up to `wait` seconds for it."""
        holder = secrets.token_hex(8)
        deadline = time.monotonic() + wait
        while True:
            now = dt.datetime.now()
            with self.db.transaction() as con:
                con.execute("DELETE FROM locks WHERE name = ? AND expires < ?", (name, now.isoformat()))
                if not con.execute("SELECT 1 FROM locks WHERE name = ?", (name,)).fetchall():
                    until = (now + dt.timedelta(seconds=expires)).isoformat()
                    con.execute("INSERT INTO locks (name, holder, expires) VALUES (?, ?, ?)", (name, holder, until))
                    break
            if time.monotonic() > deadline:
                raise MouError(Message(f"{name} ถูกใช้งานอยู่ ลองใหม่ภายหลัง", f"{name} is busy: try again later"))
            time.sleep(0.05)
        try:
            yield holder
        finally:
            with self.db.transaction() as con:
                con.execute("DELETE FROM locks WHERE name = ? AND holder = ?", (name, holder))
