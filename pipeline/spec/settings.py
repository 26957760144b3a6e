"""Settings with defaults (SLA threshold, SLA term, digit style, timeouts), overridable by a YAML file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import Problem, SpecError


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # SLA rule (SPEC.md §2): required when the term is at least this long and the total at least this much.
    sla_threshold: Decimal = Field(default=Decimal("45000"), ge=0, le=10**15)
    sla_min_term_months: int = Field(default=12, ge=1, le=1200)
    sla_max_months: int = Field(default=12, ge=1, le=1200)
    # "thai": Thai digits everywhere in Thai documents; "arabic": keep Arabic digits (English documents always do).
    digits: str = Field(default="thai", pattern="^(thai|arabic)$")
    # Seconds one LibreOffice conversion may take before it is killed.
    convert_timeout: float = Field(default=120.0, gt=0, le=3600)
    # Obligations calendar: the next year's SLA is due for signing this many days before the current one ends.
    sla_renewal_days: int = Field(default=60, ge=0, le=365)
    # `mou restore`: the largest file an archive may put back (bytes); a larger member is refused, nothing restored.
    restore_max_member: int = Field(default=2 * 1024**3, ge=1, le=1024**5)
    # `mou verify`: the CA certificates the office trusts (PEM or DER files: the Thai National Root CA, its own CA);
    # with none here and no --trust, no signer's identity is verified and verification fails.
    trust: tuple[Path, ...] = ()
    # `mou sign` and `mou archive`: the RFC 3161 time-stamp server used when none is given (signatures are then B-T)
    timestamp_url: str | None = None
    # `mou remind`: the office's mail server (STARTTLS on 587 by default; "tls" for 465, "none" on a trusted network),
    # the account and the environment variable holding its password (never the password in this file), the sender,
    # and the server's public address for the links in the messages
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: str = Field(default="starttls", pattern="^(starttls|tls|none)$")
    smtp_user: str | None = None
    smtp_password_env: str = "MOU_SMTP_PASSWORD"
    mail_from: str | None = None
    public_url: str = "http://127.0.0.1:8000"

    def fingerprint(self) -> str:
        """What shapes the documents (the calendar's settings do not: changing them rebuilds nothing)."""
        return self.model_dump_json(include=DOCUMENT_SETTINGS)


# The settings that shape the documents; the others (calendar, restore, signing, mail) rebuild nothing when changed.
DOCUMENT_SETTINGS = {"sla_threshold", "sla_min_term_months", "sla_max_months", "digits", "convert_timeout"}


def load_settings(path: Path | None) -> Settings:
    """Defaults, overridden by the keys of a YAML settings file when one is given."""
    if path is None:
        return Settings()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        raise SpecError(
            [Problem(str(path), None, "", "อ่านไฟล์การตั้งค่าไม่ได้", f"cannot read settings: {exc}")], "settings"
        ) from exc
    if not isinstance(data, dict):
        raise SpecError(
            [Problem(str(path), None, "", "ไฟล์การตั้งค่าต้องเป็นชุดคีย์และค่า", "settings must be a mapping")], "settings"
        )
    if isinstance(data.get("trust"), list):  # CA files named relative to the settings file
        data["trust"] = [str((path.parent / str(t)).resolve()) for t in data["trust"]]
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SpecError(
            [
                Problem(str(path), None, ".".join(map(str, e["loc"])), "ค่าการตั้งค่าไม่ถูกต้อง", e["msg"])
                for e in exc.errors()
            ],
            "settings",
        ) from exc
