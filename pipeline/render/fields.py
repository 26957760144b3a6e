"""The empty signature fields of a final PDF (SPEC §4): one per signatory and witness, named by role (`delegator`,
`partner`, `supporter:NAME`, `witness:N`), laid over the dotted signature lines of the signatures section, in the
order the blocks are printed. Each field has its own (empty) appearance and the print flag, and the form asks no
viewer to draw appearances, as PDF/A-2b wants; printing still shows the usual dotted lines."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from pipeline.errors import MouError

SIGNATURE_DOTS = 45  # the dotted line a signature goes on ("ลงชื่อ ....", "Signed ...."); other dotted lines differ
LINE = re.compile(rf"^\.{{{SIGNATURE_DOTS}}}$")
HEIGHT = 30.0  # points above the line the signature may take (a signature block's line height is about 20)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


@dataclass(frozen=True)
class Box:
    page: int  # from 0
    rect: tuple[float, float, float, float]  # PDF user space: x0, y0, x1, y1


def signature_lines(pdf: bytes) -> list[Box]:
    """The dotted signature lines of a PDF, page by page, top to bottom and left to right (the order the blocks are
    printed in: two abreast), as poppler lays the words out."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise MouError("ไม่พบ pdftotext (poppler-utils) ให้รัน make / pdftotext (poppler-utils) is missing: run make")
    with tempfile.TemporaryDirectory(prefix="mou-fields-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        out = subprocess.run([tool, "-bbox", str(src), "-"], capture_output=True, check=True, timeout=120).stdout
    boxes = []
    for page, chunk in enumerate(out.decode("utf-8", "replace").split("<page ")[1:]):
        size = _PAGE.match("<page " + chunk)
        height = float(size.group(2)) if size else 841.89
        found = []
        for m in _WORD.finditer(chunk):
            x0, x1, y1, text = float(m[1]), float(m[3]), float(m[4]), m[5]
            if LINE.match(text):
                found.append((round(y1, 1), x0, x1))
        for y1, x0, x1 in sorted(found):
            base = height - y1  # the line's foot in PDF space (y up)
            boxes.append(Box(page, (round(x0, 2), round(base - 2, 2), round(x1, 2), round(base + HEIGHT, 2))))
    return boxes


def add_signature_fields(doc: pikepdf.Pdf, roles: list[str], boxes: list[Box]) -> None:
    """One empty signature field per role over the signature lines, in order; the count must match, or the document is
    not what its signatories expect and nothing is placed by guesswork."""
    if len(boxes) != len(roles):
        raise MouError(
            f"วางช่องลงนามไม่ได้: พบเส้นลงนาม {len(boxes)} เส้น แต่มีผู้ลงนามและพยาน {len(roles)} คน / "
            f"cannot place the signature fields: {len(boxes)} signature lines found for {len(roles)} signatories and witnesses"
        )
    if not roles:
        return
    fields = []
    for role, box in zip(roles, boxes):
        page = doc.pages[box.page]
        x0, y0, x1, y1 = box.rect
        appearance = doc.make_stream(b"")  # drawn as nothing until signed: the page's dotted line shows through
        appearance.Type = pikepdf.Name.XObject
        appearance.Subtype = pikepdf.Name.Form
        appearance.BBox = pikepdf.Array([0, 0, round(x1 - x0, 2), round(y1 - y0, 2)])
        widget = doc.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Sig,
                T=pikepdf.String(role),
                TU=pikepdf.String(role),
                F=4,  # print
                Rect=pikepdf.Array([x0, y0, x1, y1]),
                P=page.obj,
                AP=pikepdf.Dictionary(N=appearance),
            )
        )
        annots = page.obj.get("/Annots")
        if annots is None:
            page.obj.Annots = pikepdf.Array([widget])
        else:
            annots.append(widget)
        fields.append(widget)
    doc.Root.AcroForm = doc.make_indirect(pikepdf.Dictionary(Fields=pikepdf.Array(fields)))


def field_roles(pdf_path_or_doc) -> list[str]:
    """The signature fields' names, in order."""
    if not isinstance(pdf_path_or_doc, pikepdf.Pdf):
        with pikepdf.open(pdf_path_or_doc) as doc:
            return field_roles(doc)
    form = pdf_path_or_doc.Root.get("/AcroForm")
    if form is None:
        return []
    return [str(f.get("/T")) for f in form.get("/Fields", []) if f.get("/FT") == pikepdf.Name.Sig]
