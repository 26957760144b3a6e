"""The users of a workspace (`mou users`, `mou serve` for an office): names, roles, salted scrypt hashes; and the
append-only record of who changed what.

Kept in WORKSPACE/.mou/ (the batch skips hidden folders): users.json (0600), owners.json (which coordinator made
which agreement), history.jsonl (one line per save: who, when, which answers changed, old and new)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from pipeline.errors import MouError
from pipeline.store.files import write_atomically

ROLES = ("coordinator", "legal")
NAME = re.compile(r"^[0-9A-Za-z\u0e00-\u0e7f][0-9A-Za-z\u0e00-\u0e7f_.@-]{0,63}$")
MIN_PASSWORD = 10
# scrypt: memory-hard (16 MB a check with these), from the standard library
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


class Users:
    def __init__(self, workspace: Path):
        self.folder = Path(workspace) / ".mou"
        self.path = self.folder / "users.json"
        self._dummy = _scrypt("x", b"0" * 16, **SCRYPT)  # the work done for an unknown name too: no timing tells

    def load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise MouError(f"อ่าน {self.path} ไม่ได้ / cannot read {self.path}: {exc}") from exc
        return data.get("users", {}) if isinstance(data, dict) else {}

    def _save(self, users: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():  # private from the first write: the umask of a shared folder does not apply here
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
        write_atomically(
            {self.path: json.dumps({"format": 1, "users": users}, ensure_ascii=False, indent=1).encode("utf-8")}
        )

    def role(self, name: str) -> str | None:
        user = self.load().get(name)
        return user.get("role") if isinstance(user, dict) else None

    def has_legal(self) -> bool:
        return any(u.get("role") == "legal" for u in self.load().values())

    def add(self, name: str, role: str, password: str) -> None:
        if not NAME.match(name):
            raise MouError(
                f"ชื่อผู้ใช้ '{name}' ใช้ไม่ได้ (ตัวอักษร ตัวเลข . _ @ - ไม่มีช่องว่าง) / "
                f"'{name}' is not a usable user name (letters, digits, . _ @ -, no spaces)"
            )
        if role not in ROLES:
            raise MouError(f"บทบาทต้องเป็น coordinator หรือ legal / the role must be coordinator or legal, not '{role}'")
        users = self.load()
        if name in users:
            raise MouError(f"มีผู้ใช้ชื่อ {name} แล้ว / there is already a user named {name}")
        users[name] = {"role": role, **self._hash(password), "created": dt.datetime.now().isoformat(timespec="seconds")}
        self._save(users)

    def passwd(self, name: str, password: str) -> None:
        users = self.load()
        if name not in users:
            raise MouError(f"ไม่มีผู้ใช้ชื่อ {name} / no user named {name}")
        users[name].update(self._hash(password))
        self._save(users)

    def remove(self, name: str) -> None:
        users = self.load()
        if users.pop(name, None) is None:
            raise MouError(f"ไม่มีผู้ใช้ชื่อ {name} / no user named {name}")
        self._save(users)

    def _hash(self, password: str) -> dict:
        if len(password) < MIN_PASSWORD:
            raise MouError(
                f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD} ตัวอักษร / the password needs at least {MIN_PASSWORD} characters"
            )
        salt = secrets.token_bytes(16)
        return {"salt": salt.hex(), "hash": _scrypt(password, salt, **SCRYPT).hex(), "kdf": "scrypt", **SCRYPT}

    def verify(self, name: str, password: str) -> str | None:
        """The user's role when the password is theirs, else None; an unknown name costs the same work."""
        user = self.load().get(name)
        if not isinstance(user, dict):
            hmac.compare_digest(self._dummy, _scrypt(password, b"1" * 16, **SCRYPT))
            return None
        got = _scrypt(
            password, bytes.fromhex(user["salt"]), user.get("n", SCRYPT["n"]), user.get("r", 8), user.get("p", 1)
        )
        return user["role"] if hmac.compare_digest(got, bytes.fromhex(user["hash"])) else None


class Record:
    """Who made which agreement, and every change since: append-only, one JSON line per save."""

    def __init__(self, workspace: Path):
        self.folder = Path(workspace) / ".mou"
        self.history = self.folder / "history.jsonl"
        self.owners_path = self.folder / "owners.json"

    def owners(self) -> dict:
        try:
            return json.loads(self.owners_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def set_owner(self, agreement: str, user: str) -> None:
        owners = self.owners()
        owners[agreement] = user
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically({self.owners_path: json.dumps(owners, ensure_ascii=False, indent=1).encode("utf-8")})

    def append(self, agreement: str, user: str, changes: list) -> dict:
        entry = {
            "time": dt.datetime.now().isoformat(timespec="seconds"),
            "user": user,
            "agreement": agreement,
            "changes": changes,
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.history, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8"))
        finally:
            os.close(fd)
        return entry

    def of(self, agreement: str) -> list[dict]:
        try:
            lines = self.history.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        out = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("agreement") == agreement:
                out.append(entry)
        return out


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
