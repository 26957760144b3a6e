"""Writes templates/th/mou.docx and templates/en/mou.docx: the Word templates a clerk may then restyle in Word.

Run once when the template's structure changes (`python scripts/make_templates.py`); the .docx files are committed
and are what the pipeline reads. Every format lives in a named style, so restyling in Word carries through.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parent.parent
FONT = "TH Sarabun New"
# Children of w:rPr and w:pPr in the order the schema requires (Word asks to repair files that break it).
RPR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]
WORDS = {
    "th": {"subject": "เรื่อง", "between": "ระหว่าง", "and": "กับ", "ref": "เลขที่", "lang": "th-TH"},
    "en": {"subject": "", "between": "between", "and": "and", "ref": "No.", "lang": "en-GB"},
}


def set_child(parent, tag: str, order: list[str], **attrs):
    """Set (or replace) child w:tag of parent with attrs, keeping the schema order of children."""
    for old in parent.findall(qn(f"w:{tag}")):
        parent.remove(old)
    el = OxmlElement(f"w:{tag}")
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    rank = order.index(tag)
    for child in parent:
        name = child.tag.split("}")[1]
        if name in order and order.index(name) > rank:
            child.addprevious(el)
            return el
    parent.append(el)
    return el


def font(rpr, size_pt: float | None = None, bold: bool | None = None, lang: str | None = None):
    set_child(rpr, "rFonts", RPR_ORDER, ascii=FONT, hAnsi=FONT, eastAsia=FONT, cs=FONT)
    if bold is not None:
        for tag in ("b", "bCs"):
            set_child(rpr, tag, RPR_ORDER, val="1" if bold else "0")
    set_child(rpr, "color", RPR_ORDER, val="000000")
    if size_pt:
        set_child(rpr, "sz", RPR_ORDER, val=int(size_pt * 2))
        set_child(rpr, "szCs", RPR_ORDER, val=int(size_pt * 2))
    if lang:
        set_child(rpr, "lang", RPR_ORDER, val=lang, eastAsia=lang, bidi="th-TH")


def para_style(
    doc,
    name,
    base="Normal",
    size=None,
    bold=None,
    align=None,
    before=0,
    after=0,
    first_line=None,
    left=None,
    keep_next=False,
    page_break=False,
    outline=None,
):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles[base]
    style.quick_style = True
    pf = style.paragraph_format
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    if align is not None:
        pf.alignment = align
    if first_line is not None:
        pf.first_line_indent = Cm(first_line)
    if left is not None:
        pf.left_indent = Cm(left)
    pf.keep_with_next = keep_next
    pf.page_break_before = page_break
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):  # Word's Title style draws a coloured rule; ours does not
        ppr.remove(border)
    if outline is not None:
        ppr = style.element.get_or_add_pPr()
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(outline))
        # outlineLvl comes late in pPr: after jc and textDirection, before divId/cnfStyle/rPr
        anchor = ppr.find(qn("w:rPr"))
        (anchor.addprevious(lvl) if anchor is not None else ppr.append(lvl))
    font(style.element.get_or_add_rPr(), size, bold)
    return style


def field_run(paragraph, instr: str, placeholder: str):
    """A complex field (w:fldChar begin/separate/end) such as PAGE."""

    def run_with(child):
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instr
    run_with(text)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def build(lang: str) -> Document:
    w = WORDS[lang]
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin, sec.right_margin = Cm(3.0), Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(2.5), Cm(2.0)
    sec.header_distance, sec.footer_distance = Cm(1.2), Cm(1.0)
    sec.different_first_page_header_footer = True

    # Document defaults: TH Sarabun New 16 pt in all four font slots, the document's language.
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    font(rpr_default, 16, lang=w["lang"])
    ppr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr_default):
        ppr_default.remove(child)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")
    ppr_default.append(spacing)

    justify = WD_ALIGN_PARAGRAPH.THAI_JUSTIFY if lang == "th" else WD_ALIGN_PARAGRAPH.JUSTIFY
    para_style(doc, "Normal", size=16)
    para_style(doc, "Title", size=20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    para_style(doc, "MOU Centre", align=WD_ALIGN_PARAGRAPH.CENTER)
    para_style(doc, "MOU Draft", size=18, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para_style(doc, "Heading 1", size=16, bold=True, before=8, after=2, keep_next=True, outline=0)
    para_style(
        doc, "MOU Annex Heading", base="Heading 1", size=18, align=WD_ALIGN_PARAGRAPH.CENTER, page_break=True, after=8
    )
    para_style(doc, "MOU Body", align=justify, first_line=2.5)
    para_style(doc, "MOU Lead", base="MOU Body", keep_next=True)  # a sentence ending "ดังนี้" stays with what follows
    para_style(doc, "MOU Item", align=justify, left=2.5, first_line=0)
    para_style(doc, "MOU Table Text", size=14)
    para_style(doc, "MOU Table Header", base="MOU Table Text", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para_style(doc, "MOU Table Total", base="MOU Table Text", bold=True)
    para_style(doc, "MOU Signature", align=WD_ALIGN_PARAGRAPH.CENTER, before=0)
    para_style(doc, "MOU Signature Line", base="MOU Signature", before=30)  # room to sign above "ลงชื่อ"
    para_style(doc, "Header", align=WD_ALIGN_PARAGRAPH.CENTER)
    tstyle = doc.styles["Table Grid"]
    tstyle.font.size = Pt(14)

    # Page numbers "- 2 -" centred at the top from page 2 (the first page has its own, empty header).
    header = sec.header.paragraphs[0]
    header.style = doc.styles["Header"]
    # The spaces of "- ๒ -" are 4 pt wider than a plain space: poppler (and the viewers built on it) then reads them
    # as spaces, so a search for "- ๒ -" finds the page number (TH Sarabun New's space is narrow: 1 pt, and 3 pt in
    # English, were not enough).
    spaced = lambda text: set_child(header.add_run(text)._r.get_or_add_rPr(), "spacing", RPR_ORDER, val=80)  # noqa: E731
    spaced("- ")
    # Word prints Thai digits with \* ThaiArabic; the converter drops the switch (LibreOffice would print ก).
    field_run(header, " PAGE \\* ThaiArabic " if lang == "th" else " PAGE ", "๒" if lang == "th" else "2")
    spaced(" -")
    for part in (sec.header, sec.first_page_header):
        part.add_paragraph("{{ front.draft_mark }}", style="MOU Draft")

    body = [
        ("Title", "{{ front.doc_title }}"),
        ("MOU Centre", "({{ front.model_label }})"),
        ("MOU Centre", (w["subject"] + " " if w["subject"] else "") + "{{ front.subject }}"),
        ("MOU Centre", w["between"]),
        ("MOU Centre", "{{ front.delegator }}"),
        ("MOU Centre", w["and"]),
        ("MOU Centre", "{{ front.partner }}"),
        ("MOU Centre", "{%p if front.reference_no %}"),
        ("MOU Centre", w["ref"] + " {{ front.reference_no }}"),
        ("MOU Centre", "{%p endif %}"),
        # The rule under the title block, in en dashes: poppler joins a line ending in a hyphen to the next one
        # ("------คู่ภาคี"), so hyphens would glue the rule to the first heading in the text layer.
        ("MOU Centre", "\u2013" * 14),
        ("Normal", "{%p for s in sections %}"),
        ("Normal", "{%p if s.part == 'annex' %}"),
        ("MOU Annex Heading", "{{ s.heading }}"),
        ("Normal", "{%p else %}"),
        ("Heading 1", "{{ s.heading }}"),
        ("Normal", "{%p endif %}"),
        ("Normal", "{%p for b in s.blocks %}"),
        ("Normal", "{%p if b.kind == 'table' %}"),
        ("Normal", "{{p b.subdoc }}"),
        ("Normal", "{%p elif b.kind == 'lead' %}"),
        ("MOU Lead", "{{ b.text }}"),
        ("Normal", "{%p elif b.kind == 'item' %}"),
        ("MOU Item", "{{ b.text }}"),
        ("Normal", "{%p else %}"),
        ("MOU Body", "{{ b.text }}"),
        ("Normal", "{%p endif %}"),
        ("Normal", "{%p endfor %}"),
        ("Normal", "{%p endfor %}"),
    ]
    first = doc.paragraphs[0] if doc.paragraphs else None
    if first is not None:
        first._p.getparent().remove(first._p)
    for style, text in body:
        doc.add_paragraph(text, style=style)
    props = doc.core_properties
    props.title, props.author, props.comments = "MOU template", "mou-pipeline", "Template version 1"
    props.revision = 1
    _without_what_no_agreement_uses(doc)
    return doc


UNUSED_STYLE = re.compile(r"^(Light|Medium|Dark|Colorful)(Shading|List|Grid)")  # python-docx's 98 table looks
UNUSED_PARTS = ("stylesWithEffects", "thumbnail")  # Word 2010's copy of the styles; the blank page's picture


def _without_what_no_agreement_uses(doc: Document) -> None:
    """python-docx's blank document carries 98 table styles no agreement uses, Word 2010's second copy of every
    style (word/stylesWithEffects.xml, 438 KB) and a thumbnail: 0.8 MB that every render parsed and compressed, and
    LibreOffice read, for nothing. Word and LibreOffice keep offering their own built-in styles."""
    styles = doc.styles.element
    for style in list(styles.iter(qn("w:style"))):
        if UNUSED_STYLE.match(style.get(qn("w:styleId")) or ""):
            styles.remove(style)
    for owner in (doc.part, doc.part.package):
        for rid, rel in list(owner.rels.items()):
            if not rel.is_external and any(word in rel.reltype for word in UNUSED_PARTS):
                del owner.rels[rid]


def main() -> int:
    for lang in ("th", "en"):
        out = ROOT / "templates" / lang / "mou.docx"
        out.parent.mkdir(parents=True, exist_ok=True)
        build(lang).save(out)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
