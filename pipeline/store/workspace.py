"""The workspace of `mou serve`: a folder of specs (the files `mou build` and `mou batch` read).

An agreement in progress is `WORKSPACE/NAME.answers.yaml` (which `mou batch` skips); once its answers pass every rule of
`mou build` it is `WORKSPACE/NAME.yaml`, which the batch builds. Every save is atomic. Drafts go to `.drafts/` (hidden:
the batch skips it), finals and the batch's outputs to `out/`."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.spec.source import parse
from pipeline.store.files import write_atomically

NAME = re.compile(r"^[0-9A-Za-z\u0e00-\u0e7f][0-9A-Za-z\u0e00-\u0e7f_.-]{0,79}$")
DRAFTS, OUT = ".drafts", "out"
ANSWERS = ".answers.yaml"
KEEP_VERSIONS = 100  # versions kept per agreement under .mou/versions (a few KB each)
MAX_NAME_BYTES = 120  # a Thai letter is 3 bytes in UTF-8; a file name takes 255, with ".answers.yaml", a version …


def valid_name(name: str) -> bool:
    """A plain file name inside the workspace: letters (Thai too), digits, _ . -; not an answers file's own name
    (NAME.answers is the in-progress file of NAME, never an agreement of its own); short enough in bytes for every
    file made from it."""
    return (
        isinstance(name, str)
        and bool(NAME.match(name))
        and not name.endswith(".answers")
        and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    )


class UnknownAgreement(LookupError):
    """No agreement of that name in the workspace (the browser answers 404)."""


@dataclass
class Agreement:
    name: str
    path: Path  # the file the answers are read from (NAME.answers.yaml while in progress, else NAME.yaml)
    answers: dict
    raw: bytes

    @property
    def version(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()[:16]


class Workspace:
    def __init__(self, root: Path, dump: Callable[[dict], str]):
        self.root = root.resolve()
        self.dump = dump  # answers -> the spec text (the questionnaire's to_yaml)
        self.lock = threading.RLock()  # one save at a time: read, compare versions, write

    def spec_path(self, name: str) -> Path:
        return self.root / f"{name}.yaml"

    def answers_path(self, name: str) -> Path:
        return self.root / f"{name}{ANSWERS}"

    def names(self) -> list[str]:
        names = {p.name[: -len(ANSWERS)] for p in self.root.glob(f"*{ANSWERS}")}
        names |= {p.stem for p in self.root.glob("*.yaml") if not p.name.endswith(ANSWERS)}
        return sorted(n for n in names if valid_name(n))

    def exists(self, name: str) -> bool:
        return valid_name(name) and (self.spec_path(name).is_file() or self.answers_path(name).is_file())

    def load(self, name: str) -> Agreement:
        if not self.exists(name):
            raise UnknownAgreement(name)
        path = self.answers_path(name) if self.answers_path(name).is_file() else self.spec_path(name)
        raw = path.read_bytes()
        src = parse(raw, path.name)
        agreement = Agreement(name, path, src.data if isinstance(src.data, dict) else {}, raw)
        self._keep(agreement)
        return agreement

    def _keep(self, agreement: Agreement) -> None:
        """The text of every version a page was shown from, so that a save from an older one can be merged field by
        field (`at_version`); a few KB each, under .mou/versions/ (hidden: the batch skips it)."""
        folder = self.root / ".mou" / "versions" / agreement.name
        path = folder / f"{agreement.version}.yaml"
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            write_atomically({path: agreement.raw})
            self._prune(folder)

    @staticmethod
    def _prune(folder: Path) -> None:
        """At most KEEP_VERSIONS versions of one agreement, the oldest dropped: a page shown from one of those still
        merges; one older than all of them is told that the agreement has changed since (a clash, nothing lost)."""
        versions = sorted(folder.glob("*.yaml"), key=lambda p: p.stat().st_mtime_ns)
        for old in versions[:-KEEP_VERSIONS]:
            old.unlink(missing_ok=True)

    def at_version(self, name: str, version: str) -> dict | None:
        """The answers as they were at `version` (a page's hidden field), or None when that version is unknown."""
        if not re.fullmatch(r"[0-9a-f]{16}", version or "") or not valid_name(name):
            return None
        path = self.root / ".mou" / "versions" / name / f"{version}.yaml"
        if not path.is_file():
            return None
        data = parse(path.read_bytes(), path.name).data
        return data if isinstance(data, dict) else None

    def save(self, name: str, answers: dict, complete: bool, text: bytes | None = None) -> Agreement:
        """The answers, as the spec file once they pass every rule, else as the answers file (which the batch skips);
        `text`: the file's bytes when the caller keeps the spec as written (the signing block added to it)."""
        data = text if text is not None else self.dump(answers).encode("utf-8")
        if complete:
            write_atomically({self.spec_path(name): data})
            try:
                self.answers_path(name).unlink()
            except FileNotFoundError:
                pass
            path = self.spec_path(name)
        else:
            write_atomically({self.answers_path(name): data})
            path = self.answers_path(name)
        agreement = Agreement(name, path, answers, data)
        self._keep(agreement)
        return agreement


# -- the app ---------------------------------------------------------------------------------------------------------
