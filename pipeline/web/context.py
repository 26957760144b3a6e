"""What every page of `mou serve` shares: the office (workspace, users, record, pool, settings, library) kept on the
app, who may see what, and the rules of `mou build` run on answers (the questionnaire's own, never its terminal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import abort, current_app, g

from pipeline.api import Library
from pipeline.questionnaire import pages
from pipeline.run.pool import WarmPool
from pipeline.spec.settings import Settings
from pipeline.store.users import Record, Users
from pipeline.store.workspace import Workspace

TYPED = "_typed"  # answers as typed that did not convert: kept in the answers file until they are put right


@dataclass
class Office:
    ws: Workspace
    pool: WarmPool | None
    settings: Settings
    library: Library
    library_dir: Path | None
    users: Users
    record: Record
    failures: dict = field(default_factory=dict)  # wrong logins by (address, name)


def office() -> Office:
    return current_app.extensions["mou"]


def allowed(name: str) -> None:
    """A coordinator sees only the agreements they made: any other is "not found", by URL as in the list."""
    if g.role != "legal" and office().record.owners().get(name) != g.user:
        abort(404)


def legal_only() -> None:
    if g.role != "legal":
        abort(403)


def _clean(answers: dict) -> dict:
    return {k: v for k, v in answers.items() if k != TYPED}


def missing_of(answers: dict) -> list:
    """The questions these answers still lack."""
    return pages.missing(_clean(answers), office().settings)


def problems_of(answers: dict) -> list:
    """Every rule of `mou build` that the answers fail."""
    return pages.problems(_clean(answers), office().settings, office().library)
