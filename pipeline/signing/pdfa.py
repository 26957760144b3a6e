"""What PDF/A-2b asks of a PDF with a form and signatures, checked here because pikepdf's PDF/A checker answers
`not_checked` for any PDF with a form (and veraPDF cannot be installed here): the identification kept in the XMP
packet and in agreement with the document information, every font embedded (a CID TrueType font with its
CIDToGIDMap), every field and signature widget printable with an appearance stream, no viewer asked to draw
appearances, and no JavaScript or other actions."""

from __future__ import annotations

import io

import pikepdf

_INFO_XMP = {
    "/Title": "dc:title",
    "/Author": "dc:creator",
    "/Subject": "dc:description",
    "/Keywords": "pdf:Keywords",
    "/Creator": "xmp:CreatorTool",
    "/Producer": "pdf:Producer",
}
_ACTIONS = ("/JavaScript", "/JS", "/AA", "/Launch")


def _fonts(doc: pikepdf.Pdf) -> list[str]:
    problems, seen = [], set()
    for obj in doc.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != pikepdf.Name.Font or obj.objgen in seen:
            continue
        seen.add(obj.objgen)
        subtype = obj.get("/Subtype")
        if subtype in (pikepdf.Name.Type0, pikepdf.Name.Type3):
            continue  # a Type0's font is its descendant (checked on its own); Type3 glyphs are drawn in the file
        desc = obj.get("/FontDescriptor")
        name = str(obj.get("/BaseFont", "?"))
        if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            problems.append(f"font {name} is not embedded")
        if subtype == pikepdf.Name.CIDFontType2 and "/CIDToGIDMap" not in obj:
            problems.append(f"CID font {name} has no CIDToGIDMap")
    return problems


def _widgets(doc: pikepdf.Pdf) -> list[str]:
    problems = []
    form = doc.Root.get("/AcroForm")
    asks = form.get("/NeedAppearances") if form is not None else None
    if isinstance(asks, bool) and asks:
        problems.append("the form asks viewers to draw appearances (NeedAppearances)")
    for n, page in enumerate(doc.pages, 1):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != pikepdf.Name.Widget:
                continue
            name = str(annot.get("/T", "?"))
            flags = int(annot.get("/F", 0))
            if not flags & 4 or flags & (1 | 2 | 32):
                problems.append(f"page {n}: field {name} is not printable, or hidden")
            ap = annot.get("/AP")
            if ap is None or "/N" not in ap:
                problems.append(f"page {n}: field {name} has no appearance stream")
            if any(k in annot for k in _ACTIONS + ("/A",)):
                problems.append(f"page {n}: field {name} carries an action")
    return problems


def pdfa_problems(pdf: bytes) -> list[str]:
    """What keeps this PDF from PDF/A-2b, among the things signing can break; empty when none."""
    problems = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        meta = doc.open_metadata()
        if meta.get("pdfaid:part") != "2" or meta.get("pdfaid:conformance") != "B":
            problems.append(f"the XMP claims PDF/A-{meta.get('pdfaid:part')}{meta.get('pdfaid:conformance')}, not 2B")
        for key, prop in _INFO_XMP.items():
            if key in doc.docinfo:
                value = meta.get(prop)
                value = value[0] if isinstance(value, list) and value else value
                if isinstance(value, dict):
                    value = next(iter(value.values()), None)
                if value != str(doc.docinfo[key]):
                    problems.append(f"{key} in the document information differs from {prop} in the XMP")
        names = doc.Root.get("/Names")
        if (names is not None and "/JavaScript" in names) or "/OpenAction" in doc.Root or "/AA" in doc.Root:
            problems.append("the document carries JavaScript or an action")
        problems += _fonts(doc) + _widgets(doc)
    return problems
