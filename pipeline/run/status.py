"""Where each agreement of a workspace stands — its state (store/state.py), what is missing or wrong, the warnings
`mou build` would print — decided once, for the browser's list and for `mou status`."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.api import check_spec
from pipeline.errors import Problem, SpecError
from pipeline.library.clauses import Library
from pipeline.questionnaire import pages
from pipeline.run.key import sha256
from pipeline.run.manifest import MANIFEST_NAME, load_manifest
from pipeline.spec.settings import Settings
from pipeline.store.state import State, agreement_state
from pipeline.store.workspace import DRAFTS, OUT, Agreement, Workspace

TYPED = "_typed"  # answers as typed that did not convert: kept in the answers file until they are put right


@dataclass(frozen=True)
class Status:
    """An agreement's state, and what the review would list: answers missing, rules failed, answers typed wrong."""

    name: str
    state: State
    missing: int
    problems: list[Problem]
    typed_wrong: int
    warnings: list[Problem]

    @property
    def problem_count(self) -> int:
        return self.missing + len(self.problems) + self.typed_wrong


def draft_is_current(ws: Workspace, name: str, spec_sha: str | None) -> bool:
    """The draft in the workspace was built from this very spec."""
    stamp = ws.root / DRAFTS / f"{name}.sha256"
    return (
        bool(spec_sha)
        and stamp.is_file()
        and stamp.read_text().strip() == spec_sha
        and (ws.root / DRAFTS / f"{name}.pdf").is_file()
    )


def finals_manifest(ws: Workspace) -> dict[str, dict]:
    """The batch's record of the finals built in the workspace (empty before the first)."""
    return load_manifest(ws.root / OUT)[0] if (ws.root / OUT / MANIFEST_NAME).is_file() else {}


def amended_names(loaded: dict[str, Agreement]) -> set[str]:
    """The agreements a signed amendment amends."""
    return {str(a.answers.get("amends")) for a in loaded.values() if isinstance(a.answers.get("signed"), dict)}


def status_of(
    ws: Workspace,
    name: str,
    agreement: Agreement,
    settings: Settings,
    library: Library,
    manifest: dict[str, dict],
    amended: set[str],
) -> Status:
    """One agreement's status; `manifest` and `amended` read once for a whole workspace."""
    answers = {k: v for k, v in agreement.answers.items() if k != TYPED}
    missing = pages.missing(answers, settings)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    passes = False
    if not missing and ws.answers_path(name).is_file():
        problems = pages.problems(answers, settings, library)
    elif not missing:  # the spec file itself: the rules of `mou build` once, with the warnings it would print
        try:
            warnings = check_spec(ws.spec_path(name), settings, library).warnings
            passes = True
        except SpecError as exc:
            problems = exc.problems
    signed = passes and isinstance(agreement.answers.get("signed"), dict)
    spec_sha = sha256(agreement.raw) if passes else None
    entry = manifest.get(name)
    state = agreement_state(
        passes=passes,
        signed=signed,
        draft_current=passes and not signed and draft_is_current(ws, name, spec_sha),
        final_current=entry is not None and spec_sha is not None and entry["inputs"].get("spec") == spec_sha,
        amended=name in amended,
    )
    typed = agreement.answers.get(TYPED)
    return Status(name, state, len(missing), problems, len(typed) if isinstance(typed, dict) else 0, warnings)


def workspace_status(ws: Workspace, settings: Settings, library: Library) -> list[Status]:
    """Every agreement of a workspace, by name."""
    loaded = {name: ws.load(name) for name in ws.names()}
    manifest, amended = finals_manifest(ws), amended_names(loaded)
    return [status_of(ws, name, loaded[name], settings, library, manifest, amended) for name in sorted(loaded)]
