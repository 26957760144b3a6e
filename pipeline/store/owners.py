"""Who owns which agreement (the coordinator who made it; an amendment, the agreement's owner), and handing one
person's agreements to another."""

from __future__ import annotations

from pipeline.store.db import Database


class Owners:
    db: Database

    def owners(self) -> dict:
        return {r["agreement"]: r["user_name"] for r in self.db.query("SELECT agreement, user_name FROM owners")}

    def hand_over(self, from_user: str, to_user: str) -> list[str]:
        """Every agreement `from_user` owns now owned by `to_user` (someone leaves, or goes on leave): the names."""
        with self.db.transaction() as con:
            names = [r[0] for r in con.execute("SELECT agreement FROM owners WHERE user_name = ?", (from_user,))]
            con.execute("UPDATE owners SET user_name = ? WHERE user_name = ?", (to_user, from_user))
        return sorted(names)

    def set_owner(self, agreement: str, user: str) -> None:
        with self.db.transaction() as con:
            con.execute("DELETE FROM owners WHERE agreement = ?", (agreement,))
            con.execute("INSERT INTO owners (agreement, user_name) VALUES (?, ?)", (agreement, user))
