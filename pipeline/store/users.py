"""The users of a workspace (`mou users`, `mou serve` for an office): names, roles, salted scrypt hashes, e-mail
addresses, and their server-side sessions. Kept in the office's database, WORKSPACE/.mou/office.sqlite3 (store/db.py;
the batch skips hidden folders); the rest of the office's record is `store/record.py`'s."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from pathlib import Path

from pipeline.errors import Message, MouError
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
                Message(
                    f"ชื่อผู้ใช้ '{name}' ใช้ไม่ได้ (ตัวอักษร ตัวเลข . _ @ - ไม่มีช่องว่าง)",
                    f"'{name}' is not a usable user name (letters, digits, . _ @ -, no spaces)",
                )
            )
        if role not in ROLES:
            raise MouError(
                Message("บทบาทต้องเป็น coordinator หรือ legal", f"the role must be coordinator or legal, not '{role}'")
            )
        if name in self.load():
            raise MouError(Message(f"มีผู้ใช้ชื่อ {name} แล้ว", f"there is already a user named {name}"))
        user = {"role": role, **self._hash(password), "created": dt.datetime.now().isoformat(timespec="seconds")}
        self._put(name, user, new=True)

    def _get(self, name: str) -> dict:
        user = self.load().get(name)
        if user is None:
            raise MouError(Message(f"ไม่มีผู้ใช้ชื่อ {name}", f"no user named {name}"))
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
            raise MouError(
                Message("บทบาทต้องเป็น coordinator หรือ legal", f"the role must be coordinator or legal, not '{role}'")
            )
        user = self._get(name)
        if role != "legal":
            self._keep_a_legal_officer(name)
        user["role"] = role
        self._put(name, user)
        self.end_sessions(name)

    @staticmethod
    def set_email_check(email: str) -> None:
        if email and not EMAIL.match(email):
            raise MouError(Message(f"ที่อยู่อีเมล '{email}' ไม่ถูกต้อง", f"'{email}' is not an e-mail address"))

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
                Message(
                    f"{name} เป็นนิติกรคนสุดท้ายที่เข้าระบบได้: เพิ่มนิติกรอีกคนก่อน",
                    f"{name} is the last legal officer who can sign in: add another one first",
                )
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
                Message(
                    f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD} ตัวอักษร",
                    f"the password needs at least {MIN_PASSWORD} characters",
                )
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
