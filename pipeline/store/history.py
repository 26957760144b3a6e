"""The history of every agreement: one row per save (who, when, which answers changed, old and new), append-only,
written before the spec it records (`journal`: record first, file second; a crash between is repaired at the next
start), and how two versions of the answers differ (`changes`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from pipeline.store.db import Database


@dataclass(frozen=True)
class HistoryEntry:
    """A save as the history shows it: when, by whom, of which agreement, the [field, old, new] it changed."""

    time: str
    user: str
    agreement: str
    changes: list


class History:
    db: Database

    def append(self, agreement: str, user: str, changes: list, pending_sha256: str | None = None) -> dict:
        """A history row; with `pending_sha256` (the spec file about to be written) it stays pending until `done`,
        so that a crash between the row and the file is repaired at the next start."""
        entry = {
            "time": dt.datetime.now().isoformat(timespec="seconds"),
            "user": user,
            "agreement": agreement,
            "changes": changes,
        }
        with self.db.transaction() as con:
            cur = con.execute(
                "INSERT INTO history (agreement, user_name, at, changes, state, spec_sha256) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    agreement,
                    user,
                    entry["time"],
                    json.dumps(changes, ensure_ascii=False, default=str),
                    "pending" if pending_sha256 else "done",
                    pending_sha256,
                ),
            )
            entry["id"] = cur.lastrowid
        return entry

    @contextlib.contextmanager
    def journal(self, agreement: str, user: str, changes: list, text: str, beside=None):
        """Record first, file second: the history row pending with the hash of `text` (the file about to be written)
        and, in the same transaction, what `beside(con, history_id)` records with it (a signing, an amendment's link
        and owner); the caller writes the file inside the block; the row is then done. A crash in between is
        repaired at the next start (store/db.py `_repair`)."""
        entry = self.append(agreement, user, changes, pending_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
        if beside is not None:
            with self.db.transaction() as con:
                beside(con, entry["id"])
        yield entry
        self.done(entry)

    def done(self, entry: dict) -> None:
        with self.db.transaction() as con:
            con.execute("UPDATE history SET state = 'done' WHERE id = ?", (entry["id"],))

    def of(self, agreement: str) -> list[HistoryEntry]:
        rows = self.db.query(
            "SELECT user_name, at, changes FROM history WHERE agreement = ? AND state = 'done' ORDER BY id",
            (agreement,),
        )
        return [HistoryEntry(r["at"], r["user_name"], agreement, json.loads(r["changes"])) for r in rows]


def flat(value, prefix: str = "") -> dict:
    """Answers as field path -> value, for telling which changed."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(flat(v, f"{prefix}[{i}]"))
        return out or {prefix: []}
    return {prefix: _norm(value)}


def _norm(value):
    """A value as the record compares it: a date typed 22/4/2567 is the 2024-04-22 the file held, 1250000.00 is 1250000."""
    from decimal import Decimal, InvalidOperation

    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        try:
            return format(Decimal(str(value)).normalize(), "f")
        except InvalidOperation:
            return str(value)
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def changes(before: dict, after: dict) -> list:
    a, b = flat(before), flat(after)
    return [
        [k, a.get(k), b.get(k)] for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k) and not k.startswith("_typed")
    ]
