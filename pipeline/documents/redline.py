"""Redlines: the new DOCX of an agreement with its differences from the previous build as Word tracked changes.

Our own diff, not LibreOffice's document comparison: it controls the author ("mou"), the date and the granularity.
Paragraphs (body and table cells, in document order) are matched with difflib; a paragraph that changed is diffed
word by word (Thai words found with pythainlp's dictionary segmenter, other text split at spaces), and the changed
words become <w:ins> / <w:del> runs with the formatting of the paragraph's first run. A paragraph that is new is
marked inserted; one that is gone is put back where it stood, marked deleted (its paragraph mark too). A legal officer
accepts or rejects each change in Word or LibreOffice.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
import re
import zipfile
from typing import Any

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
AUTHOR = "mou"
_THAI = re.compile(r"[\u0e00-\u0e7f]+")
_TOKEN = re.compile(r"\s+|[\u0e00-\u0e7f]+|[^\s\u0e00-\u0e7f]+")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def words(text: str) -> list[str]:
    """Tokens whose concatenation is the text: spaces, Thai words (the renderer's: pythainlp's newmm with the
    agreement's terms, already loaded by a worker that builds), and other runs of non-space."""
    from pipeline.render.thai import words_of

    out = []
    for token in _TOKEN.findall(text):
        if _THAI.fullmatch(token):
            out += words_of(token)
        else:
            out.append(token)
    return out


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Two texts as runs of ("same" | "del" | "ins", text), word by word (Thai words as pythainlp cuts them)."""
    import difflib

    a, b = words(old), words(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("ins", "".join(b[j1:j2])))
    return out


def _text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


def _paragraphs(root: Any) -> list[Any]:
    body = root.find(w("body"))
    return [p for p in body.iter(w("p"))]


class _Ids:
    def __init__(self, start: int = 9000):
        self.n = start

    def next(self) -> str:
        self.n += 1
        return str(self.n)


def _run(text: str, rpr: Any, deleted: bool = False) -> Any:
    r = etree.Element(w("r"))
    if rpr is not None:
        r.append(copy.deepcopy(rpr))
    t = etree.SubElement(r, w("delText") if deleted else w("t"))
    t.text = text
    t.set(XML_SPACE, "preserve")
    return r


def _mark(kind: str, ids: _Ids, when: str) -> Any:
    el = etree.Element(w(kind))
    el.set(w("id"), ids.next())
    el.set(w("author"), AUTHOR)
    el.set(w("date"), when)
    return el


def _first_rpr(p: Any) -> Any:
    r = p.find(w("r"))
    return r.find(w("rPr")) if r is not None else None


def _rewrite_changed(p: Any, old_text: str, new_text: str, ids: _Ids, when: str) -> int:
    """Replace the runs of a changed paragraph by equal, deleted and inserted words; returns the number of changes."""
    rpr = _first_rpr(p)
    for r in list(p):
        if r.tag in (w("r"), w("hyperlink"), w("ins"), w("del")):
            p.remove(r)
    a, b = words(old_text), words(new_text)
    changes = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            p.append(_run("".join(b[j1:j2]), rpr))
            continue
        changes += 1
        if i2 > i1:
            d = _mark("del", ids, when)
            d.append(_run("".join(a[i1:i2]), rpr, deleted=True))
            p.append(d)
        if j2 > j1:
            ins = _mark("ins", ids, when)
            ins.append(_run("".join(b[j1:j2]), rpr))
            p.append(ins)
    return changes


def _mark_inserted(p: Any, ids: _Ids, when: str) -> None:
    for r in [c for c in p if c.tag == w("r")]:
        ins = _mark("ins", ids, when)
        r.addprevious(ins)
        ins.append(r)
    ppr = p.find(w("pPr"))
    if ppr is None:
        ppr = etree.SubElement(p, w("pPr"))
        p.insert(0, ppr)
    rpr = ppr.find(w("rPr"))
    if rpr is None:
        rpr = etree.SubElement(ppr, w("rPr"))
    rpr.append(_mark("ins", ids, when))


def _deleted_copy(old_p: Any, ids: _Ids, when: str) -> Any:
    p = copy.deepcopy(old_p)
    for r in [c for c in p if c.tag == w("r")]:
        for t in r.findall(w("t")):
            t.tag = w("delText")
        d = _mark("del", ids, when)
        r.addprevious(d)
        d.append(r)
    ppr = p.find(w("pPr"))
    if ppr is None:
        ppr = etree.Element(w("pPr"))
        p.insert(0, ppr)
    rpr = ppr.find(w("rPr"))
    if rpr is None:
        rpr = etree.SubElement(ppr, w("rPr"))
    rpr.append(_mark("del", ids, when))
    return p


def redline(old_docx: bytes, new_docx: bytes, when: dt.datetime | None = None) -> tuple[bytes, int]:
    """The new DOCX with tracked changes from the old one, and how many changes it marks (0: the texts are equal)."""
    stamp = (when or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(old_docx)) as z:
        old_root = etree.fromstring(z.read("word/document.xml"))
    with zipfile.ZipFile(io.BytesIO(new_docx)) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
        infos = z.infolist()
    new_root = etree.fromstring(parts["word/document.xml"])
    old_ps, new_ps = _paragraphs(old_root), _paragraphs(new_root)
    old_texts, new_texts = [_text(p) for p in old_ps], [_text(p) for p in new_ps]
    ids, changes = _Ids(), 0
    matcher = difflib.SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):  # a paragraph that changed: word by word
            changes += _rewrite_changed(new_ps[j1 + k], old_texts[i1 + k], new_texts[j1 + k], ids, stamp)
        for j in range(j1 + pairs, j2):  # new paragraphs
            _mark_inserted(new_ps[j], ids, stamp)
            changes += 1
        gone = [old_ps[i] for i in range(i1 + pairs, i2)]
        if gone:  # put back where they stood: after the paragraph before them in the new document
            anchor = new_ps[j2 - 1] if j2 > 0 else None
            for old_p in reversed(gone):
                copy_p = _deleted_copy(old_p, ids, stamp)
                if anchor is not None:
                    anchor.addnext(copy_p)
                else:
                    new_ps[0].addprevious(copy_p)
                changes += 1
    parts["word/document.xml"] = etree.tostring(new_root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in infos:
            dst.writestr(info, parts[info.filename])
    return out.getvalue(), changes
