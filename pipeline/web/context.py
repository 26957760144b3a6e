"""What every page of `mou serve` shares: the office (workspace, users, record, pool, settings, library) kept on the
app, who may see what, and the rules of `mou build` run on answers (the questionnaire's own, never its terminal)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import abort, current_app, g

from pipeline.api import Library
from pipeline.questionnaire import pages
from pipeline.run.pool import WarmPool
from pipeline.run.status import TYPED
from pipeline.spec.settings import Settings
from pipeline.store.record import Record
from pipeline.store.users import Users
from pipeline.store.workspace import UnknownAgreement, Workspace
from pipeline.web.jobs import Jobs, Refused
from pipeline.web.strings import t


@dataclass
class Office:
    ws: Workspace
    pool: WarmPool | None
    settings: Settings
    library: Library
    library_dir: Path | None
    users: Users
    record: Record
    jobs: Jobs  # the one queue of builds (web/jobs.py)
    failures: dict = field(default_factory=dict)  # wrong logins by address, and by (address, name)


def office() -> Office:
    return current_app.extensions["mou"]


def visible_to(user: str) -> set[str] | None:
    """The agreements a user may see: None (all) for a legal officer; for a coordinator those they own and the
    amendments of those (the record links an amendment to its agreement, whoever started it)."""
    return office().record.visible(user, g.role)


def allowed(name: str) -> None:
    """A coordinator sees only the agreements they made and their amendments: any other is "not found", by URL as in
    the list."""
    visible = visible_to(g.user)
    if visible is not None and name not in visible:
        raise UnknownAgreement(name)  # the same words as for an agreement that does not exist


def ask(key: str, work) -> str:
    """A build queued for this request's user; the words to say: queued (or under way), or wait."""
    try:
        office().jobs.submit(key, g.user, work)
    except Refused as exc:
        return t("busy_mine") if exc.mine else t("busy_office")
    return t("build_queued")


def public(text: str) -> str:
    """A message as a user may see it: the server's folders left out (the workspace's own file names stay, with
    their line numbers as the file has them)."""
    for root in {str(office().ws.root.resolve()), str(office().ws.root)}:
        for folder in (f"{root}/.drafts/", f"{root}/"):
            text = text.replace(folder, "")
    return text


def legal_only() -> None:
    if g.role != "legal":
        abort(403)


def legal_officers_only(view: Callable) -> Callable:
    """A view for legal officers: anyone else gets 403 before it runs (as Flask's tutorial's login_required)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        legal_only()
        return view(*args, **kwargs)

    return checked


def their_agreement(view: Callable) -> Callable:
    """A view of the agreement named in its URL: a coordinator who may not see it gets "not found" before it runs."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        allowed(kwargs["name"])
        return view(*args, **kwargs)

    return checked


def _clean(answers: dict) -> dict:
    return {k: v for k, v in answers.items() if k != TYPED}


def missing_of(answers: dict) -> list:
    """The questions these answers still lack."""
    return pages.missing(_clean(answers), office().settings)


def problems_of(answers: dict) -> list:
    """Every rule of `mou build` that the answers fail."""
    return pages.problems(_clean(answers), office().settings, office().library)
