"""What a batch run says (printed and saved to mou-report.txt), and `mou inspect`: the provenance a file carries
and what the manifest says of it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.run.key import now, sha256
from pipeline.run.manifest import REPORT_NAME, find_manifest
from pipeline.run.plan import Outcome
from pipeline.store.files import write_atomically

# -- the report -------------------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    specs_dir: Path
    out_dir: Path
    outcomes: list[Outcome]
    clause_touched: dict[str, list[str]]  # "termination v1 → v2" -> agreements rebuilt with that change
    seconds: float
    restarts: int
    warnings: list[str]
    interrupted: bool = False
    signal: int | None = None  # what stopped it: SIGINT (Ctrl-C) or SIGTERM
    save_failed: bool = False  # the manifest or the report could not be written (a full disk)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> bool:
        """Exit 1: an agreement failed, or one that needed rebuilding was kept because it was edited by hand."""
        return self.count("failed") > 0 or self.count("kept") > 0 or self.save_failed


STATUS_LABELS = {
    "built": ("สร้างใหม่", "built"),
    "unchanged": ("ไม่เปลี่ยน", "unchanged"),
    "kept": ("ไม่เขียนทับ", "kept (edited by hand)"),
    "signed": ("ลงนามแล้ว ไม่สร้างใหม่", "signed — not regenerated"),
    "failed": ("ล้มเหลว", "failed"),
    "deleted": ("ข้อกำหนดถูกลบ", "spec deleted"),
    "pruned": ("ลบผลลัพธ์แล้ว", "pruned"),
}


def _reason_text(reasons: list[tuple[str, str]]) -> str:
    return "; ".join(en if th == en else f"{th} / {en}" for th, en in reasons)


def report_text(result: BatchResult) -> str:
    """The change report: why each agreement was rebuilt, which agreements each clause change touched, what was
    kept, failed or left without a spec, and the summary table."""
    lines = [f"mou batch {result.specs_dir} → {result.out_dir}  ({now()})"]
    lines += [f"! {w}" for w in result.warnings]
    if result.interrupted:
        lines.append("! หยุดกลางคัน: บันทึกเฉพาะที่สร้างเสร็จแล้ว / interrupted: only finished agreements were recorded")
    for status in ("built", "kept", "signed", "failed", "deleted", "pruned"):
        group = [o for o in result.outcomes if o.status == status]
        if not group:
            continue
        th, en = STATUS_LABELS[status]
        lines += ["", f"{th} / {en} ({len(group)})"]
        for o in group:
            text = _reason_text(o.reasons) if o.reasons else ""
            if status == "built":
                lines.append(f"  {o.name}: {text}" + (f" — การแก้ไข / redline: {o.redline}" if o.redline else ""))
            else:
                lines.append(f"  {o.name}: {text + ' — ' if text else ''}" + o.detail.replace("\n", "\n    "))
    edited = [o for o in result.outcomes if o.status == "unchanged" and o.detail]
    if edited:
        lines += ["", f"แก้ไขด้วยมือ (ไม่มีอะไรต้องสร้างใหม่) / edited by hand, nothing to rebuild ({len(edited)})"]
        lines += [f"  {o.name}: {o.detail}" for o in edited]
    if result.clause_touched:
        lines += ["", "ข้อสัญญาที่เปลี่ยนและข้อตกลงที่ได้รับผล / clause changes and the agreements they touched"]
        for change, names in sorted(result.clause_touched.items()):
            lines.append(f"  {change}: {len(names)} — {', '.join(sorted(names))}")
    lines += ["", summary_table(result)]
    return "\n".join(lines) + "\n"


def summary_table(result: BatchResult) -> str:
    rows = [
        (f"{th} / {en}", str(result.count(status)))
        for status, (th, en) in STATUS_LABELS.items()
        if result.count(status) or status in ("built", "unchanged", "failed")
    ]
    built = result.count("built")
    per = f" ({result.seconds / built:.2f} s per agreement built)" if built else ""
    rows.append(("เวลา / time", f"{result.seconds:.2f} s{per}"))
    if result.restarts:
        rows.append(("เริ่ม LibreOffice ใหม่ / LibreOffice restarts", str(result.restarts)))
    width = max(display_width(label) for label, _ in rows)
    return "\n".join(f"{label}{' ' * (width - display_width(label))}  {value}" for label, value in rows)


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: Thai vowels and tone marks above or below a letter take none."""
    return sum(1 for ch in text if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))


def _save_report(result: BatchResult) -> None:
    write_atomically({result.out_dir / REPORT_NAME: report_text(result).encode("utf-8")})


# -- provenance of one file ---------------------------------------------------------------------------------------------


def inspect_file(path: Path) -> list[tuple[str, str]]:
    """(label, value) rows: the provenance inside a DOCX or PDF, and what the batch manifest beside it records."""
    from pipeline.documents.check import document_provenance
    from pipeline.errors import DocumentError, Message

    data = path.read_bytes()
    try:
        prov = document_provenance(data)
    except Exception as exc:  # python-docx and pypdf raise several types on a file that is neither
        raise DocumentError(Message("อ่านเอกสารไม่ได้", f"could not read '{path}' as DOCX or PDF: {exc}")) from exc
    if "spec_hash" not in prov:
        raise DocumentError(
            f"ไม่พบข้อมูลที่มาใน '{path}' (ไม่ได้สร้างด้วย mou) / '{path}' carries no provenance: it was not made by mou"
        )
    clauses = [c for c in prov.get("clauses", "").split(",") if c]
    rows = [
        ("file", str(path)),
        ("spec hash", prov["spec_hash"]),
        ("model", prov.get("model", "?")),
        ("language", prov.get("language", "?")),
        ("template", prov.get("template", "?")),
        ("pipeline", prov.get("pipeline", "?")),
        ("draft", prov.get("draft", "?")),
    ]
    rows += [("clauses" if i == 0 else "", c.replace("@", " ")) for i, c in enumerate(clauses)]
    found = find_manifest(path.resolve())
    if found:
        folder, agreements = found
        rel = path.resolve().relative_to(folder).as_posix()
        for name, entry in agreements.items():
            if rel in entry["outputs"]:
                same = entry["outputs"][rel] == sha256(data)
                rows += [
                    ("spec", entry.get("spec", name)),
                    ("built", entry["built_at"]),
                    (
                        "manifest",
                        "ตรงกับที่สร้าง / as built"
                        if same
                        else "แก้ไขหลังสร้าง (mou batch จะไม่เขียนทับโดยไม่มี --force) / edited since it was built "
                        "(mou batch will not overwrite it without --force)",
                    ),
                ]
                break
    return rows
