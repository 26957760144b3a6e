"""The clause library: the sections table, the labels and one file per clause, read from a library folder."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline import PROJECT_ROOT  # re-exported: the library's default folder
from pipeline.errors import LibraryError, Message
from pipeline.spec.model import MODELS

LANGS = ("th", "en")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Data):
    th: str
    en: str


class Column(_Data):
    th: str
    en: str
    cell: str  # Jinja, with `row` and `index` (1-based) in scope
    width: float = 1.0
    align: Literal["left", "centre", "right"] = "left"  # amounts are right-aligned
    total: str | None = None  # Jinja for this column's cell in the total row (a table with any has one)
    each: str | None = None  # Jinja expression giving a list: one column per item (`item` in its header and cells)


class TableDef(_Data):
    rows: str  # Jinja expression giving the list of rows
    columns: list[Column] = Field(min_length=1)
    style: Literal["grid", "signatures"] = "grid"


class Clause(_Data):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1)
    section: str
    order: int = 50
    title: Bilingual
    models: list[Literal["grant", "performance", "commissioning"]] = Field(min_length=1)
    required: bool = False  # a required clause cannot be excluded
    default: bool = True  # an optional clause with default false is only added by clauses.include
    when: str | None = None  # Jinja expression on the spec: the clause is added when it is true
    text: Bilingual
    table: TableDef | None = None


class SectionDef(_Data):
    id: str
    part: Literal["preamble", "body", "closing", "annex"]
    th: str
    en: str
    data: str | None = None  # the spec field that feeds it, checked when the section is required
    models: dict[str, str] = {}  # model -> "required" | "optional" | "when <expression>"

    @field_validator("models")
    @classmethod
    def _statuses(cls, value):
        for model, status in value.items():
            if model not in MODELS:
                raise ValueError(f"unknown model '{model}'")
            if status not in ("required", "optional") and not status.startswith("when "):
                raise ValueError(f"status of {model} must be required, optional or 'when <expression>'")
        return value


class SectionTable(_Data):
    numbering: Bilingual  # heading of a numbered section, with {n} and {title}
    subnumbering: Bilingual  # prefix of the m-th clause in a section with several, with {n} and {m}
    sections: list[SectionDef]


@dataclass(frozen=True, eq=False)  # hashed by identity: one loaded library, one cache entry
class Library:
    root: Path
    sections: SectionTable
    labels: dict
    clauses: dict[str, Clause]
    files: dict[str, str]  # clause id -> sha256 of its file (what batch regeneration keys on)
    templates: dict[str, Path]  # language -> template .docx
    shared: str = ""  # sha256 of _sections.yaml and _labels.yaml, which every agreement uses
    template_hashes: dict[str, str] = field(default_factory=dict)  # language -> sha256 of its template, read at load

    def shared_for(self, model: str) -> str:
        """What an agreement of this model takes from the shared tables: the labels, the numbering and the rows of the
        sections table that name the model (a row for another model does not change its documents)."""
        rows = [
            {**s.model_dump(), "models": {model: s.models[model]}} for s in self.sections.sections if model in s.models
        ]
        table = {
            "numbering": self.sections.numbering.model_dump(),
            "subnumbering": self.sections.subnumbering.model_dump(),
        }
        data = json.dumps({"labels": self.labels, "table": table, "rows": rows}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()

    def section(self, section_id: str) -> SectionDef:
        return next(s for s in self.sections.sections if s.id == section_id)

    def heading(self, section_id: str, lang: str) -> str:
        return getattr(self.section(section_id), lang)

    def template_hash(self, lang: str) -> str:
        return self.template_hashes[lang]


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where PyYAML has it: 8 times faster


def _read_yaml(path: Path):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        raise LibraryError(Message("อ่านไฟล์คลังข้อสัญญาไม่ได้", f"could not read library file '{path}': {exc}")) from exc


def _check(model, data, path: Path):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise LibraryError(Message("ไฟล์คลังข้อสัญญาไม่ถูกต้อง", f"library file '{path}' is invalid: {detail}")) from exc


@functools.lru_cache(maxsize=8)
def load_library(root: Path | None = None) -> Library:
    """The library under root, read once per process (commands that run once: build, validate, interview)."""
    return read_library(root)


def read_library(root: Path | None = None) -> Library:
    """Read `clauses/` and `templates/` under root (the project itself by default), as they are now."""
    root = Path(root or PROJECT_ROOT).resolve()
    folder = root / "clauses"
    if not folder.is_dir():
        raise LibraryError(Message("ไม่พบโฟลเดอร์ clauses", f"no clauses/ folder in library '{root}'"))
    table = _check(SectionTable, _read_yaml(folder / "_sections.yaml"), folder / "_sections.yaml")
    labels = _read_yaml(folder / "_labels.yaml") or {}
    section_ids = {s.id for s in table.sections}
    clauses, files = {}, {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        clause = _check(Clause, _read_yaml(path), path)
        if clause.id != path.stem:
            raise LibraryError(
                Message("ชื่อไฟล์ต้องตรงกับ id", f"clause file '{path}' must be named after its id '{clause.id}'")
            )
        if clause.section not in section_ids:
            raise LibraryError(
                f"ไม่รู้จักหมวด / clause '{clause.id}' names unknown section '{clause.section}' (add it to _sections.yaml)"
            )
        clauses[clause.id] = clause
        files[clause.id] = hashlib.sha256(path.read_bytes()).hexdigest()
    templates = {}
    for lang in LANGS:
        template = root / "templates" / lang / "mou.docx"
        if not template.is_file():
            raise LibraryError(Message("ไม่พบแม่แบบ", f"template '{template}' is missing"))
        templates[lang] = template
    shared = hashlib.sha256(b"".join((folder / n).read_bytes() for n in ("_sections.yaml", "_labels.yaml"))).hexdigest()
    template_hashes = {lang: hashlib.sha256(path.read_bytes()).hexdigest() for lang, path in templates.items()}
    return Library(root, table, labels, clauses, files, templates, shared, template_hashes)
