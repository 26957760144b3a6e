"""The users of a workspace (`mou users`, `mou serve` for an office): names, roles, salted scrypt hashes; and the
append-only record of who changed what.

Kept in the office's database, WORKSPACE/.mou/office.sqlite3 (store/db.py; the batch skips hidden folders): users,
server-side sessions, owners (which coordinator made which agreement), the history (one row per save: who, when,
which answers changed, old and new), the signings recorded and the status of each obligation."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import time
from pathlib import Path

from pipeline.errors import MouError
from pipeline.store.db import Database

ROLES = ("coordinator", "legal")
NAME = re.compile(r"^[0-9A-Za-z\u0e00-\u0e7f][0-9A-Za-z\u0e00-\u0e7f_.@-]{0,63}$")
MIN_PASSWORD = 10
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
# scrypt: memory-hard (16 MB a check with these), from the standard library
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


class Users:
    def __init__(self, workspace: Path, db: Database | None = None):
        self.db = db or Database(workspace)
        self._dummy = _scrypt("x", b"0" * 16, **SCRYPT)  # the work done for an unknown name too: no timing tells

    def load(self) -> dict:
        return {r["name"]: json.loads(r["data"]) for r in self.db.query("SELECT name, data FROM users ORDER BY name")}

    def _put(self, name: str, user: dict, new: bool = False) -> None:
        with self.db.transaction() as con:
            if new:
                con.execute(
                    "INSERT INTO users (name, role, data, created) VALUES (?, ?, ?, ?)",
                    (name, user["role"], json.dumps(user, ensure_ascii=False), user.get("created", "")),
                )
            else:
                con.execute(
                    "UPDATE users SET role = ?, data = ? WHERE name = ?",
                    (user["role"], json.dumps(user, ensure_ascii=False), name),
                )

    def role(self, name: str) -> str | None:
        rows = self.db.query("SELECT role, data FROM users WHERE name = ?", (name,))
        if not rows or json.loads(rows[0]["data"]).get("disabled"):
            return None
        return rows[0]["role"]

    def has_legal(self) -> bool:
        return any(u.get("role") == "legal" and not u.get("disabled") for u in self.load().values())

    def add(self, name: str, role: str, password: str) -> None:
        if not NAME.match(name):
            raise MouError(
                f"ชื่อผู้ใช้ '{name}' ใช้ไม่ได้ (ตัวอักษร ตัวเลข . _ @ - ไม่มีช่องว่าง) / "
                f"'{name}' is not a usable user name (letters, digits, . _ @ -, no spaces)"
            )
        if role not in ROLES:
            raise MouError(f"บทบาทต้องเป็น coordinator หรือ legal / the role must be coordinator or legal, not '{role}'")
        if name in self.load():
            raise MouError(f"มีผู้ใช้ชื่อ {name} แล้ว / there is already a user named {name}")
        user = {"role": role, **self._hash(password), "created": dt.datetime.now().isoformat(timespec="seconds")}
        self._put(name, user, new=True)

    def _get(self, name: str) -> dict:
        user = self.load().get(name)
        if user is None:
            raise MouError(f"ไม่มีผู้ใช้ชื่อ {name} / no user named {name}")
        return user

    def passwd(self, name: str, password: str) -> None:
        user = self._get(name)
        user.update(self._hash(password))
        self._put(name, user)
        self.end_sessions(name)

    def set_disabled(self, name: str, disabled: bool) -> None:
        user = self._get(name)
        if disabled:
            self._keep_a_legal_officer(name)
        user["disabled"] = disabled
        self._put(name, user)
        if disabled:
            self.end_sessions(name)

    def set_role(self, name: str, role: str) -> None:
        """A coordinator made a legal officer or the other way; their sessions end, so the new role holds at once."""
        if role not in ROLES:
            raise MouError(f"บทบาทต้องเป็น coordinator หรือ legal / the role must be coordinator or legal, not '{role}'")
        user = self._get(name)
        if role != "legal":
            self._keep_a_legal_officer(name)
        user["role"] = role
        self._put(name, user)
        self.end_sessions(name)

    @staticmethod
    def set_email_check(email: str) -> None:
        if email and not EMAIL.match(email):
            raise MouError(f"ที่อยู่อีเมล '{email}' ไม่ถูกต้อง / '{email}' is not an e-mail address")

    def set_email(self, name: str, email: str) -> None:
        """The address reminders go to (empty: none)."""
        self.set_email_check(email)
        user = self._get(name)
        user["email"] = email
        self._put(name, user)

    def _keep_a_legal_officer(self, name: str) -> None:
        """Someone must still be able to manage the users and sign off agreements: the last legal officer who can sign
        in is neither disabled nor made a coordinator."""
        others = [n for n, u in self.load().items() if n != name and u.get("role") == "legal" and not u.get("disabled")]
        if self.load()[name].get("role") == "legal" and not others:
            raise MouError(
                f"{name} เป็นนิติกรคนสุดท้ายที่เข้าระบบได้: เพิ่มนิติกรอีกคนก่อน / "
                f"{name} is the last legal officer who can sign in: add another one first"
            )

    def remove(self, name: str) -> None:
        self._get(name)
        with self.db.transaction() as con:
            con.execute("DELETE FROM users WHERE name = ?", (name,))
        self.end_sessions(name)

    # -- sessions, kept on the server: the cookie holds a random token, the database its hash -------------------
    def start_session(self, name: str) -> str:
        token = secrets.token_urlsafe(32)
        now = dt.datetime.now().isoformat(timespec="seconds")
        with self.db.transaction() as con:
            con.execute(
                "INSERT INTO sessions (id, user_name, created, last_seen) VALUES (?, ?, ?, ?)",
                (_digest(token), name, now, now),
            )
        return token

    def session_user(
        self, token: str | None, idle: dt.timedelta, max_age: dt.timedelta = dt.timedelta(hours=8)
    ) -> str | None:
        """The user of a live session: not ended, used within `idle`, started within `max_age` however busy since;
        its last use is moved on (once a minute)."""
        if not token or not isinstance(token, str) or len(token) > 200:
            return None
        rows = self.db.query(
            "SELECT user_name, created, last_seen, ended FROM sessions WHERE id = ?", (_digest(token),)
        )
        if not rows or rows[0]["ended"]:
            return None
        now = dt.datetime.now()
        last = dt.datetime.fromisoformat(rows[0]["last_seen"])
        if now - last > idle or now - dt.datetime.fromisoformat(rows[0]["created"]) > max_age:
            self.end_session(token)
            return None
        if now - last > dt.timedelta(minutes=1):
            with self.db.transaction() as con:
                con.execute(
                    "UPDATE sessions SET last_seen = ? WHERE id = ?",
                    (now.isoformat(timespec="seconds"), _digest(token)),
                )
        return rows[0]["user_name"]

    def end_session(self, token: str | None) -> None:
        if token:
            with self.db.transaction() as con:
                con.execute(
                    "UPDATE sessions SET ended = ? WHERE id = ? AND ended IS NULL",
                    (dt.datetime.now().isoformat(timespec="seconds"), _digest(token)),
                )

    def end_sessions(self, name: str) -> None:
        with self.db.transaction() as con:
            con.execute(
                "UPDATE sessions SET ended = ? WHERE user_name = ? AND ended IS NULL",
                (dt.datetime.now().isoformat(timespec="seconds"), name),
            )

    def _hash(self, password: str) -> dict:
        if len(password) < MIN_PASSWORD:
            raise MouError(
                f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD} ตัวอักษร / the password needs at least {MIN_PASSWORD} characters"
            )
        salt = secrets.token_bytes(16)
        return {"salt": salt.hex(), "hash": _scrypt(password, salt, **SCRYPT).hex(), "kdf": "scrypt", **SCRYPT}

    def verify(self, name: str, password: str) -> str | None:
        """The user's role when the password is theirs (and the user not disabled), else None; an unknown name costs
        the same work."""
        user = self.load().get(name)
        if not isinstance(user, dict):
            hmac.compare_digest(self._dummy, _scrypt(password, b"1" * 16, **SCRYPT))
            return None
        got = _scrypt(
            password, bytes.fromhex(user["salt"]), user.get("n", SCRYPT["n"]), user.get("r", 8), user.get("p", 1)
        )
        ok = hmac.compare_digest(got, bytes.fromhex(user["hash"]))
        return user["role"] if ok and not user.get("disabled") else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Record:
    """Who made which agreement, every change since (append-only), each signing recorded, each obligation's status."""

    def __init__(self, workspace: Path, db: Database | None = None):
        self.db = db or Database(workspace)

    def owners(self) -> dict:
        return {r["agreement"]: r["user_name"] for r in self.db.query("SELECT agreement, user_name FROM owners")}

    def visible(self, user: str, role: str | None) -> set[str] | None:
        """The agreements a user may see: None (all) for a legal officer; for a coordinator those they own and the
        amendments of those (the record links an amendment to its agreement, whoever started it)."""
        if role == "legal":
            return None
        mine = {name for name, owner in self.owners().items() if owner == user}
        return mine | {name for name, (agreement, _) in self.amendments().items() if agreement in mine}

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

    def of(self, agreement: str) -> list[dict]:
        rows = self.db.query(
            "SELECT user_name, at, changes FROM history WHERE agreement = ? AND state = 'done' ORDER BY id",
            (agreement,),
        )
        return [
            {"time": r["at"], "user": r["user_name"], "agreement": agreement, "changes": json.loads(r["changes"])}
            for r in rows
        ]

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
                raise MouError(f"{name} ถูกใช้งานอยู่ ลองใหม่ภายหลัง / {name} is busy: try again later")
            time.sleep(0.05)
        try:
            yield holder
        finally:
            with self.db.transaction() as con:
                con.execute("DELETE FROM locks WHERE name = ? AND holder = ?", (name, holder))

    # -- the signings, as recorded (the spec's `signed` block stays the fact build and batch read) --------------
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

    def signings(self, agreement: str) -> list[dict]:
        return [
            dict(r)
            for r in self.db.query(
                "SELECT user_name, at, signed_on, place, file, sha256 FROM signings WHERE agreement = ? ORDER BY id",
                (agreement,),
            )
        ]

    # -- obligations: done (paid on, received on, held on), or undone -----------------------------------------
    def statuses(self) -> dict[str, dict]:
        return {r["uid"]: dict(r) for r in self.db.query("SELECT * FROM obligation_status")}

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
