"""The empty signature fields of a final PDF (SPEC §4): one per signatory and witness, named by role (`delegator`,
`partner`, `supporter:NAME`, `witness:N`), each standing on a dotted signature line of the signatures section (the
signature's appearance above the dots, not across them), in the order the blocks are printed. Each field has its own (empty) appearance and the print flag, and the form asks no
viewer to draw appearances, as PDF/A-2b wants; printing still shows the usual dotted lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import Message, MouError
from pipeline.render.document import SIGNATURE_DOTS
from pipeline.render.pdftext import read_pdf

if TYPE_CHECKING:
    import pikepdf

HEIGHT = 38.0  # points above the dotted line the signature takes (its line's ascent and the 30 points above the block)
ABOVE = 4.0  # the field starts this far above the dots' glyph box (PDFium's): it sits on the line, not across it


@dataclass(frozen=True)
class Box:
    page: int  # from 0
    rect: tuple[float, float, float, float]  # PDF user space: x0, y0, x1, y1


def signature_lines(pdf: bytes) -> list[Box]:
    """The dotted signature lines of a PDF (exactly SIGNATURE_DOTS dots, a word of their own), page by page, top to
    bottom and left to right (the order the blocks are printed in: two abreast), from the build's one read of it."""
    found = [d for d in read_pdf(pdf).dots if d.length == SIGNATURE_DOTS]
    found.sort(key=lambda d: (d.page, round(d.page_height - d.bottom, 1), d.x0))
    return [
        Box(d.page, (round(d.x0, 2), round(d.bottom + ABOVE, 2), round(d.x1, 2), round(d.bottom + ABOVE + HEIGHT, 2)))
        for d in found
    ]


def add_signature_fields(doc: pikepdf.Pdf, roles: list[str], boxes: list[Box]) -> None:
    """One empty signature field per role over the signature lines, in order; the count must match, or the document is
    not what its signatories expect and nothing is placed by guesswork."""
    import pikepdf

    if len(boxes) != len(roles):
        raise MouError(
            Message(
                f"วางช่องลงนามไม่ได้: พบเส้นลงนาม {len(boxes)} เส้น แต่มีผู้ลงนามและพยาน {len(roles)} คน",
                f"cannot place the signature fields: {len(boxes)} signature lines found for {len(roles)} signatories and witnesses",
            )
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


def field_roles(pdf_path_or_doc: Path | pikepdf.Pdf) -> list[str]:
    """The signature fields' names, in order."""
    import pikepdf

    if not isinstance(pdf_path_or_doc, pikepdf.Pdf):
        with pikepdf.open(pdf_path_or_doc) as doc:
            return field_roles(doc)
    form = pdf_path_or_doc.Root.get("/AcroForm")
    if form is None:
        return []
    return [str(f.get("/T")) for f in form.get("/Fields", []) if f.get("/FT") == pikepdf.Name.Sig]
