"""The PDF LibreOffice wrote, finished for the archive: its document information and XMP packet agreeing (PDF/A), no
structure tree, bookmarks without joiners, and a final's empty signature fields; and the document information read
back."""

from __future__ import annotations

import io
import warnings
from typing import Any

import pikepdf
from pypdf import PdfReader

from pipeline.render.fields import add_signature_fields, signature_lines
from pipeline.render.thai import strip_joiners


def set_pdf_metadata(pdf: bytes, metadata: dict[str, str], fields: tuple[str, ...] = ()) -> bytes:
    """The document information, and the same in the XMP packet (PDF/A wants them to agree). LibreOffice's
    /OpenAction (open at page 1, the viewer's default anyway) goes: PDF/A validators do not allow it. A final
    document gets its empty signature fields, one per role in `fields`, over its signature lines."""
    boxes = signature_lines(pdf) if fields else []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        if fields:
            add_signature_fields(doc, list(fields), boxes)
        for key, value in metadata.items():
            doc.docinfo[pikepdf.Name(f"/{key}")] = str(value)
        if "/OpenAction" in doc.Root:
            del doc.Root["/OpenAction"]
        if "/DocChecksum" in doc.trailer:  # LibreOffice's own key, unknown to PDF/A
            del doc.trailer["/DocChecksum"]
        _plain_outline(doc)
        _untagged(doc)
        # No producer: pyHanko, when it signs, appends itself to the document information's /Producer but writes only
        # itself into the XMP packet's, and PDF/A wants the two to agree. Without one, both then say pyHanko. (Who
        # made the document is in xmp:CreatorTool and the Mou* provenance keys.)
        if "/Producer" in doc.docinfo:
            del doc.docinfo["/Producer"]
        with warnings.catch_warnings():  # the Mou* keys have no XMP equivalent: they stay in the document information
            warnings.simplefilter("ignore", UserWarning)
            with doc.open_metadata(set_pikepdf_as_editor=False) as xmp:
                xmp.load_from_docinfo(doc.docinfo)
                if "pdf:Producer" in xmp:
                    del xmp["pdf:Producer"]
        out = io.BytesIO()
        doc.save(out, deterministic_id=False)
    return out.getvalue()


def _untagged(doc: pikepdf.Pdf) -> None:
    """The structure tree LibreOffice writes for PDF/A-2 even when asked for an untagged PDF goes: PDF/A-2b needs no
    tags, and the tree was most of the file (child-protection-commissioning: 1.47 MB with it, 0.22 MB without), and
    made each signature's verification walk ten thousand objects (5.4 s for five signatures, 0.14 s without). The
    outline of headings, which validation reads, is not part of it and stays."""
    for key in ("/StructTreeRoot", "/MarkInfo"):
        if key in doc.Root:
            del doc.Root[key]
    for page in doc.pages:
        if "/StructParents" in page.obj:
            del page.obj["/StructParents"]
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                del annot["/StructParent"]


def _plain_outline(doc: pikepdf.Pdf) -> None:
    """The bookmarks without the joiners and break marks of their headings (a viewer shows and searches them)."""
    outlines = doc.Root.get("/Outlines")
    stack = [outlines.get("/First")] if outlines is not None else []
    seen = set()
    while stack:
        item = stack.pop()
        if item is None or item.objgen in seen:
            continue
        seen.add(item.objgen)
        title = item.get("/Title")
        if title is not None and strip_joiners(str(title)) != str(title):
            item.Title = pikepdf.String(strip_joiners(str(title)))
        stack += [item.get("/Next"), item.get("/First")]


def read_pdf_metadata(pdf: Any) -> dict[str, str]:
    """The document information of a PDF (bytes, a path or an open PdfReader), keys without their slash."""
    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(pdf if not isinstance(pdf, bytes) else io.BytesIO(pdf))
    return {k.lstrip("/"): str(v) for k, v in (reader.metadata or {}).items()}
