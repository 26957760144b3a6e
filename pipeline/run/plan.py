"""Finding the specs of a folder and deciding, agreement by agreement, what to build, keep, refuse or remove, and
why (the reasons the report gives)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import MouError
from pipeline.library.clauses import Library
from pipeline.run.key import Fingerprint, _exact, agreement_key, now, sha256
from pipeline.run.manifest import SPEC_SUFFIXES
from pipeline.spec.settings import Settings

# -- finding specs and deciding what to build -----------------------------------------------------------------------


def find_specs(specs_dir: Path, out_dir: Path) -> list[tuple[str, Path]]:
    """(name, path) of every spec under specs_dir: name is the path without suffix, e.g. `region/inclusive-care`.
    Hidden folders, the output folder and the questionnaire's partial `*.answers.yaml` files are skipped."""
    out_dir = out_dir.resolve()
    inside = out_dir != specs_dir.resolve()  # an output folder inside the specs folder is not searched (one equal is)
    found = []
    for path in sorted(specs_dir.rglob("*")):
        rel = path.relative_to(specs_dir)
        if path.suffix not in SPEC_SUFFIXES or path.name.endswith(".answers.yaml") or not path.is_file():
            continue
        if any(part.startswith(".") for part in rel.parts) or (inside and path.resolve().is_relative_to(out_dir)):
            continue
        found.append((rel.with_suffix("").as_posix(), path))
    return found


@dataclass
class Task:
    name: str
    spec: Path
    out_dir: Path  # the folder the DOCX and PDF go to (out/<sub folder of the spec>)
    extra: list[tuple[str, str]] = field(default_factory=list)  # (th, en) reasons not visible in the manifest
    draft: bool = False  # a preview (`mou serve`): marked ร่าง / DRAFT on every page
    redline: bool = False  # a rebuild of what was built before: also NAME.redline.docx, the changes tracked


@dataclass
class Outcome:
    name: str
    status: str  # built | unchanged | failed | kept | deleted | pruned
    reasons: list[tuple[str, str]] = field(default_factory=list)
    detail: str = ""
    clause_changes: list[str] = field(default_factory=list)  # of an agreement kept (not rebuilt) despite them
    redline: str = ""  # the redline written beside a rebuilt agreement, relative to the output folder


def _outputs_state(entry: dict, out_dir: Path) -> tuple[list[str], list[str]]:
    """(missing, edited): the recorded outputs that are gone, and those whose bytes differ from what was written."""
    missing, edited = [], []
    for rel, digest in entry.get("outputs", {}).items():
        path = out_dir / rel
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            missing.append(rel)
            continue
        if sha256(data) != digest:
            edited.append(rel)
    return missing, edited


def _foreign_outputs(task: Task, out_dir: Path, pdf: bool) -> list[str]:
    """Files already at an unrecorded agreement's output paths that mou did not make (no provenance inside)."""
    foreign = []
    for suffix in (".docx", ".pdf") if pdf else (".docx",):
        path = task.out_dir / (Path(task.name).name + suffix)
        if path.exists():
            from pipeline.documents.check import (
                document_provenance,  # only here: it brings python-docx and pypdf into the parent
            )

            try:
                ours = "spec_hash" in document_provenance(path.read_bytes())
            except Exception:  # not a readable DOCX/PDF: certainly not ours
                ours = False
            if not ours:
                foreign.append(path.relative_to(out_dir).as_posix())
    return foreign


def _uses_same_clauses(spec: Path, entry: dict, library: Library, settings: Settings) -> bool:
    """Whether the spec, assembled against today's library, uses exactly the clause files it used last time
    (asked only when a clause that may apply to its model changed but none it used did)."""
    from pipeline.documents.agreement import assemble
    from pipeline.documents.check import load_spec

    try:
        _, parsed = load_spec(spec, settings, library)
        used = assemble(parsed, settings, library).clauses
    except MouError:
        return False  # let the build report why
    return {cid: library.files[cid] for cid in used} == {cid: c["sha256"] for cid, c in entry["clauses"].items()}


def _reasons(prev: dict | None, entry: dict) -> list[tuple[str, str]]:
    """Why an agreement was rebuilt, from its previous and new manifest entries: (Thai, English) pairs."""
    if prev is None:
        return [("ใหม่", "new")]
    was, now_ = prev.get("inputs", {}), entry["inputs"]
    out = []
    if was.get("spec") != now_["spec"]:
        out.append(("ข้อกำหนดเปลี่ยน", "spec changed"))
    if was.get("template") != now_["template"]:
        tpl = f"templates/{entry['language']}/mou.docx"
        out.append((f"แม่แบบ {tpl} เปลี่ยน", f"template {tpl} changed"))
    if was.get("library") != now_["library"]:
        out.append(("ตารางหมวดหรือถ้อยคำกลางเปลี่ยน", "clauses/_sections.yaml or _labels.yaml changed"))
    if was.get("settings") != now_["settings"]:
        out.append(("การตั้งค่าเปลี่ยน", "settings changed"))
    if was.get("pipeline") != now_["pipeline"]:
        out.append(
            (
                f"โปรแกรมที่สร้างเอกสาร (โค้ดหรือฟอนต์) เปลี่ยน {was.get('pipeline')} → {now_['pipeline']}",
                f"the renderer changed (code or fonts): {was.get('pipeline')} → {now_['pipeline']}",
            )
        )
    out += [(f"ข้อสัญญา / clause {c}",) * 2 for c in clause_changes(prev.get("clauses", {}), entry["clauses"])]
    return out


def clause_changes(before: dict, after: dict) -> list[str]:
    """`termination v1 → v2`, `pdpa v1 added`, `sla v2 removed`, `x v3 edited without a new version number`."""
    out = []
    for cid in sorted(set(before) | set(after)):
        a, b = before.get(cid), after.get(cid)
        if a is None:
            assert b is not None  # in one of the two
            out.append(f"{cid} v{b['version']} added")
        elif b is None:
            out.append(f"{cid} v{a['version']} removed")
        elif a["sha256"] != b["sha256"]:
            if a["version"] != b["version"]:
                out.append(f"{cid} v{a['version']} → v{b['version']}")
            else:
                out.append(f"{cid} v{a['version']} แก้ไขโดยไม่เปลี่ยนเลขรุ่น / edited without a new version number")
    return out


def _decide(
    task: Task,
    prev: dict | None,
    fp: Fingerprint,
    library: Library,
    settings: Settings,
    out_dir: Path,
    force: bool,
    pdf: bool,
) -> Outcome | None:
    """None when the agreement must be built (task.extra says any reason the manifest cannot show), else its outcome."""
    try:
        raw = task.spec.read_bytes()
    except OSError as exc:
        return Outcome(task.name, "failed", detail=f"{task.spec}: อ่านไฟล์ไม่ได้ / cannot read: {exc}")
    signed = signed_on(raw, task.spec)
    if signed:  # a signed agreement is never regenerated: what would have changed is said, and how to apply it
        return _signed_outcome(task, prev, library, signed)
    if prev is None:
        foreign = [] if force else _foreign_outputs(task, out_dir, pdf)
        if foreign:
            return Outcome(task.name, "kept", [("ใหม่", "new")], detail=_kept_detail(foreign, None))
        return None
    missing, edited = _outputs_state(prev, out_dir)
    if pdf and not any(rel.endswith(".pdf") for rel in prev.get("outputs", {})):
        missing.append(task.name + ".pdf")  # built with --no-pdf last time
    inputs = fp.inputs(sha256(raw), prev["model"], prev["language"])
    recorded = prev["inputs"]
    same_clauses = all(library.files.get(cid) == c["sha256"] for cid, c in prev.get("clauses", {}).items())
    unchanged = same_clauses and inputs == recorded
    if not unchanged and same_clauses and _exact(inputs) == _exact(recorded):
        # only a clause it does not use changed: it still writes the same bytes unless it now uses other clauses
        unchanged = _uses_same_clauses(task.spec, prev, library, settings)
        if unchanged:
            prev["inputs"] = inputs  # remembered, so the next run decides at once
    if unchanged and not missing and not force:
        note = _kept_detail(edited, prev) if edited else ""
        return Outcome(task.name, "unchanged", detail=note)
    if edited and not force:
        pending = {"inputs": inputs, "language": prev["language"], "clauses": _clauses_now(prev, library)}
        reasons = (_reasons(prev, pending) if not unchanged else []) + [
            ("ไฟล์ผลลัพธ์หายไป", f"missing output {m}") for m in missing
        ]
        return Outcome(
            task.name,
            "kept",
            reasons,
            detail=_kept_detail(edited, prev),
            clause_changes=clause_changes(prev["clauses"], pending["clauses"]) if not unchanged else [],
        )
    task.extra += [("ไฟล์ผลลัพธ์หายไป", f"missing output {m}") for m in missing]
    if force and unchanged and not missing:
        task.extra.append(("สั่งสร้างใหม่ด้วย --force", "forced with --force"))
    return None


def _clauses_now(prev: dict, library: Library) -> dict:
    """The clauses an agreement was built with, as the library has them now (version and hash)."""
    return {
        cid: {"version": library.clauses[cid].version, "sha256": library.files[cid]}
        for cid in prev["clauses"]
        if cid in library.clauses
    }


def _signed_outcome(task: Task, prev: dict | None, library: Library, signed: str) -> Outcome:
    """A signed agreement is not rebuilt: the clause changes it would have had, and that an amendment applies them."""
    would = clause_changes(prev["clauses"], _clauses_now(prev, library)) if prev else []
    detail = (
        f"ลงนามแล้วเมื่อ {signed} จึงไม่สร้างใหม่"
        + (" การเปลี่ยนแปลงข้อสัญญาจะมีผลได้โดยทำบันทึกข้อตกลงแก้ไขเพิ่มเติม (mou amend)" if would else "")
        + f" / signed on {signed}: not regenerated"
        + (
            "; the clause changes above apply only through an amendment (mou amend SIGNED.yaml NEW.yaml)"
            if would
            else ""
        )
    )
    return Outcome(task.name, "signed", [(c, c) for c in would], detail=detail, clause_changes=would)


_SIGNED = re.compile(rb"(?m)^signed:")


def signed_on(raw: bytes, path: Path) -> str | None:
    """The date a spec says its agreement was signed (`signed: {date: …}`), read without building anything."""
    if not _SIGNED.search(raw):
        return None
    from pipeline.spec.source import parse

    data = parse(raw, str(path)).data
    signed = data.get("signed") if isinstance(data, dict) else None
    return str(signed.get("date")) if isinstance(signed, dict) and signed.get("date") else None


def _kept_detail(paths: list[str], prev: dict | None) -> str:
    files = ", ".join(paths)
    when = f" หลังสร้างเมื่อ {prev['built_at']}" if prev else ""
    when_en = f" since it was built on {prev['built_at']}" if prev else " and were not made by mou"
    return (
        f"{files}: มีการแก้ไขด้วยมือ{when} จึงไม่เขียนทับ (ใช้ --force เพื่อเขียนทับ) / "
        f"edited by hand{when_en}; not overwritten (use --force to overwrite)"
    )


def _entry(result: dict, fp: Fingerprint, out_dir: Path) -> dict:
    inputs = fp.inputs(result["spec_sha"], result["model"], result["language"])
    return {
        "spec": result["spec"],
        "key": agreement_key(inputs, result["clauses"]),
        "inputs": inputs,
        "model": result["model"],
        "language": result["language"],
        "clauses": result["clauses"],
        "outputs": {Path(p).relative_to(out_dir).as_posix(): d for p, d in result["outputs"].items()},
        "built_at": now(),
        "seconds": result["seconds"],
    }


def _drop_stale_pdf(prev: dict, entry: dict, out_dir: Path, reasons: list) -> None:
    """A --no-pdf rebuild removes the PDF of the previous build (unless edited by hand): it no longer matches."""
    for rel, digest in prev.get("outputs", {}).items():
        path = out_dir / rel
        if (
            rel.endswith(".pdf")
            and rel not in entry["outputs"]
            and path.exists()
            and sha256(path.read_bytes()) == digest
        ):
            path.unlink()
            reasons.append(
                ("ลบ PDF เดิมที่ไม่ตรงกับ DOCX ใหม่", f"removed the old {rel}, which no longer matches (--no-pdf)")
            )


def _deleted(name: str, entry: dict, out_dir: Path, prune: bool, manifest: dict) -> Outcome:
    """A manifest entry whose spec is gone: reported each run; --prune removes its outputs (unless edited by hand)."""
    outputs = list(entry.get("outputs", {}))
    if not prune:
        return Outcome(
            name,
            "deleted",
            detail=(
                f"ไม่พบไฟล์ข้อกำหนดแล้ว ยังเก็บ {', '.join(outputs)} ไว้ (ใช้ --prune เพื่อลบ) / "
                f"its spec is gone; {', '.join(outputs)} kept (use --prune to remove them)"
            ),
        )
    _, edited = _outputs_state(entry, out_dir)
    removed = []
    for rel in outputs:
        path = out_dir / rel
        if rel not in edited and path.exists():
            path.unlink()
            removed.append(rel)
    del manifest[name]
    detail = f"ลบ / removed {', '.join(removed) or '-'}"
    if edited:
        detail += f"; เก็บไฟล์ที่แก้ไขด้วยมือ / kept, edited by hand: {', '.join(edited)}"
    return Outcome(name, "pruned", detail=detail)
