"""Each obligation's status (done on a day, with a note and a document number; or undone), every change of it kept
as an event, and the reminders sent (one a person, an obligation and a day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.store.db import Database


@dataclass(frozen=True)
class ObligationStatus:
    """An obligation marked done: of which agreement, on which day, by whom, with what note and document number."""

    uid: str
    agreement: str
    done_on: dt.date
    user_name: str
    note: str
    document_no: str
    at: str


class Obligations:
    db: Database

    def statuses(self) -> dict[str, ObligationStatus]:
        """Each obligation marked done, by uid."""
        return {
            r["uid"]: ObligationStatus(
                r["uid"],
                r["agreement"],
                dt.date.fromisoformat(r["done_on"]),
                r["user_name"],
                r["note"] or "",
                r["document_no"] or "",
                r["at"],
            )
            for r in self.db.query("SELECT * FROM obligation_status")
        }

    def mark_done(self, uid: str, agreement: str, done_on: dt.date, user: str, note: str, document_no: str) -> None:
        now = dt.datetime.now().isoformat(timespec="seconds")
        with self.db.transaction() as con:
            con.execute("DELETE FROM obligation_status WHERE uid = ?", (uid,))
            con.execute(
                "INSERT INTO obligation_status (uid, agreement, done_on, user_name, note, document_no, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (uid, agreement, done_on.isoformat(), user, note, document_no, now),
            )
            con.execute(
                "INSERT INTO obligation_events (uid, action, done_on, user_name, note, at) VALUES (?, ?, ?, ?, ?, ?)",
                (uid, "done", done_on.isoformat(), user, note, now),
            )

    def undo(self, uid: str, user: str) -> None:
        now = dt.datetime.now().isoformat(timespec="seconds")
        with self.db.transaction() as con:
            con.execute("DELETE FROM obligation_status WHERE uid = ?", (uid,))
            con.execute(
                "INSERT INTO obligation_events (uid, action, user_name, at) VALUES (?, ?, ?, ?)",
                (uid, "undone", user, now),
            )

    def reminded(self, day: str) -> set[tuple[str, str]]:
        """(user, obligation uid) of the reminders sent on this day."""
        return {
            (r["user_name"], r["uid"])
            for r in self.db.query("SELECT user_name, uid FROM reminders WHERE day = ?", (day,))
        }

    def remind(self, user: str, uids: list[str], day: str) -> None:
        now = dt.datetime.now().isoformat(timespec="seconds")
        with self.db.transaction() as con:
            con.executemany(
                "INSERT OR IGNORE INTO reminders (user_name, uid, day, sent_at) VALUES (?, ?, ?, ?)",
                [(user, uid, day, now) for uid in uids],
            )
