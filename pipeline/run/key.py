"""What an agreement's build depends on, as content hashes: the code and fonts that render, the library's tables,
the template, the settings and the spec; the key that decides a rebuild."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__
from pipeline.library.clauses import Library
from pipeline.spec.settings import Settings


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# -- what an agreement depends on -------------------------------------------------------------------------------


# The modules that only take input or drive runs: a change there does not change a document.
_FRONT_ENDS = ("cli/", "web/", "questionnaire/", "run/", "store/users.py", "store/db.py", "store/backup.py")


def code_fingerprint() -> str:
    """What shapes the documents besides the library: the package's own code (every module but the front ends) and
    the font files it embeds, by content. The package version is not enough: nobody bumps it."""
    from pipeline.render import PROJECT_FONTS

    package = Path(__file__).resolve().parents[1]
    parts = [
        f"{p.relative_to(package).as_posix()} {sha256(p.read_bytes())}"
        for p in sorted(package.rglob("*.py"))
        if not p.relative_to(package).as_posix().startswith(_FRONT_ENDS) and "__pycache__" not in p.parts
    ]
    parts += [f"font {p.name} {sha256(p.read_bytes())}" for p in sorted(Path(PROJECT_FONTS).glob("*.tt[fc]"))]
    return f"{__version__}+{sha256(chr(10).join(parts))[:16]}"


@dataclass(frozen=True)
class Fingerprint:
    """The hashes every agreement's key shares, computed once per run (content, never modification times)."""

    pipeline: str
    settings: str
    shared: dict[str, str]  # model -> what it takes from _sections.yaml and _labels.yaml
    templates: dict[str, str]  # language -> sha256 of templates/<lang>/mou.docx
    candidates: dict[str, str]  # model -> hash of every clause file that may apply to that model

    @classmethod
    def of(cls, library: Library, settings: Settings) -> Fingerprint:
        candidates = {}
        for model in ("grant", "performance", "commissioning"):
            ids = sorted(c.id for c in library.clauses.values() if model in c.models)
            candidates[model] = sha256("\n".join(f"{cid} {library.files[cid]}" for cid in ids))
        return cls(
            pipeline=code_fingerprint(),
            settings=sha256(settings.fingerprint()),
            shared={model: library.shared_for(model) for model in ("grant", "performance", "commissioning")},
            templates={lang: library.template_hash(lang) for lang in library.templates},
            candidates=candidates,
        )

    def inputs(self, spec_sha: str, model: str, lang: str) -> dict:
        """What the manifest records of an agreement's inputs, besides the clauses it uses."""
        return {
            "spec": spec_sha,
            "template": self.templates.get(lang, ""),
            "settings": self.settings,
            "library": self.shared.get(model, ""),
            "pipeline": self.pipeline,
            "candidates": self.candidates.get(model, ""),
        }


def _exact(inputs: dict) -> dict:
    """The inputs that change what is written: all but the candidate clauses."""
    return {k: v for k, v in inputs.items() if k != "candidates"}


def agreement_key(inputs: dict, clauses: dict) -> str:
    """The content hash that decides a rebuild: spec, clause files used, template, settings, library tables, pipeline.
    Clauses that may apply but were not used (`candidates`) do not change what is written, so they are left out.
    The manifest records it; a run compares its parts one by one, which is the same test and says which changed."""
    exact = _exact(inputs)
    exact["clauses"] = {cid: c["sha256"] for cid, c in sorted(clauses.items())}
    return sha256(json.dumps(exact, sort_keys=True))
