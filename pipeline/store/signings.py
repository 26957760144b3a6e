"""The signings recorded (the spec's `signed` block stays the fact build and batch read) and the amendments started:
which agreement each amends, its number, its owner."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from pipeline.store.db import Database


@dataclass(frozen=True)
class SigningRow:
    """A signing as the record keeps it: who recorded it and when, the day and place signed, the copy kept."""

    user_name: str
    at: str
    signed_on: str
    place: str | None
    file: str | None
    sha256: str | None


class Signings:
    db: Database

    def signing(self, agreement: str, user: str, signed: dict, file: str | None):
        """What `journal` records beside the history row of a signing recorded or corrected."""

        def beside(con, history_id: int) -> None:
            con.execute(
                "INSERT INTO signings (agreement, user_name, at, signed_on, place, file, sha256, signers, history_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    agreement,
                    user,
                    dt.datetime.now().isoformat(timespec="seconds"),
                    str(signed.get("date")),
                    signed.get("place"),
                    file,
                    signed.get("pdf_sha256"),
                    json.dumps(signed.get("signers") or [], ensure_ascii=False),
                    history_id,
                ),
            )

        return beside

    # -- amendments: which agreement each amends, its number, its owner (the agreement's) -------------------------
    def amendment(self, name: str, agreement: str, number: int, owner: str):
        """What `journal` records beside the history row of an amendment started."""

        def beside(con, history_id: int) -> None:
            con.execute("DELETE FROM owners WHERE agreement = ?", (name,))
            con.execute("INSERT INTO owners (agreement, user_name) VALUES (?, ?)", (name, owner))
            con.execute(
                "INSERT INTO amendments (name, agreement, number, history_id) VALUES (?, ?, ?, ?)",
                (name, agreement, number, history_id),
            )

        return beside

    def amendments(self, agreement: str | None = None) -> dict[str, tuple[str, int]]:
        """Amendment name -> (the agreement it amends, its number), of one agreement or of all."""
        rows = self.db.query(
            "SELECT name, agreement, number FROM amendments" + (" WHERE agreement = ?" if agreement else ""),
            (agreement,) if agreement else (),
        )
        return {r["name"]: (r["agreement"], r["number"]) for r in rows}

    def next_amendment(self, agreement: str) -> int:
        rows = self.db.query("SELECT MAX(number) AS n FROM amendments WHERE agreement = ?", (agreement,))
        return (rows[0]["n"] or 0) + 1 if rows else 1

    def signings(self, agreement: str) -> list[SigningRow]:
        """Every signing recorded of an agreement, and every correction, in order."""
        return [
            SigningRow(**dict(r))
            for r in self.db.query(
                "SELECT user_name, at, signed_on, place, file, sha256 FROM signings WHERE agreement = ? ORDER BY id",
                (agreement,),
            )
        ]
