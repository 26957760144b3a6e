"""Issue 11: when mou batch rebuilds an agreement it built before, NAME.redline.docx holds the new text with the
changes since the last build as tracked changes, by "mou", at word level; read back here through LibreOffice."""

from __future__ import annotations

import sys

import pytest

from pipeline.render.pdf import _import_uno, _props

from conftest import first_batch
from conftest import mou_run as mou

MOU = [sys.executable, "-m", "pipeline.cli"]


def tracked_changes(converter, path) -> list[tuple[str, str, str]]:
    """(type, author, text) of every tracked change LibreOffice finds in a DOCX."""
    _import_uno()  # the UNO modules on the path, for _props
    if converter.desktop is None:
        converter.start()
    doc = converter.desktop.loadComponentFromURL(path.as_uri(), "_blank", 0, _props(Hidden=True, ReadOnly=True))
    try:
        out = []
        items = doc.getRedlines().createEnumeration()
        while items.hasMoreElements():
            r = items.nextElement()
            start, end = r.getPropertyValue("RedlineStart"), r.getPropertyValue("RedlineEnd")
            cursor = start.getText().createTextCursorByRange(start)
            cursor.gotoRange(end, True)
            out.append((r.getPropertyValue("RedlineType"), r.getPropertyValue("RedlineAuthor"), cursor.getString()))
        return out
    finally:
        doc.close(True)


@pytest.fixture
def batch(tmp_path):
    lib, specs, out = first_batch(tmp_path, ("inclusive-care", "elderly-database-grant-en"))
    assert not list(out.glob("*.redline.docx"))  # a first build has nothing to compare with

    def edit(old_th, new_th, old_en, new_en, *flags):
        path = lib / "clauses" / "disputes.yaml"
        text = path.read_text(encoding="utf-8")
        version = int(text.split("version: ", 1)[1].split()[0])
        assert old_th in text and old_en in text
        text = (
            text.replace(f"version: {version}", f"version: {version + 1}", 1)
            .replace(old_th, new_th, 1)
            .replace(old_en, new_en, 1)
        )
        path.write_text(text, encoding="utf-8")
        run = mou("batch", specs, "--out", out, "--no-pdf", "--library", lib, *flags)
        assert run.returncode == 0, run.stdout + run.stderr
        return run

    return out, edit


def test_a_clause_edit_is_tracked_word_by_word_and_nothing_else(batch, converter):
    out, edit = batch
    run = edit("เจรจาหารือกันโดยสุจริต", "เจรจาหารือกันอย่างเปิดเผยโดยสุจริต", "by good-faith", "by open, good-faith")
    assert (
        "redline: inclusive-care.redline.docx" in run.stdout
        and "redline: elderly-database-grant-en.redline.docx" in run.stdout
    )
    assert tracked_changes(converter, out / "inclusive-care.redline.docx") == [("Insert", "mou", "อย่างเปิดเผย")]
    english = tracked_changes(converter, out / "elderly-database-grant-en.redline.docx")
    assert [(k, a, t.strip()) for k, a, t in english] == [("Insert", "mou", "open,")], english  # a space either side


def test_a_replaced_word_is_a_deletion_and_an_insertion(batch, converter):
    out, edit = batch
    edit("โดยสุจริต", "โดยสุจริตใจ", "good-faith negotiation", "good-faith discussion")
    thai = tracked_changes(converter, out / "inclusive-care.redline.docx")
    # pythainlp reads โดยสุจริตใจ as one word: the word is replaced, not the whole paragraph
    assert thai == [("Delete", "mou", "โดยสุจริต"), ("Insert", "mou", "โดยสุจริตใจ")], thai
    english = tracked_changes(converter, out / "elderly-database-grant-en.redline.docx")
    assert english == [("Delete", "mou", "negotiation"), ("Insert", "mou", "discussion")], english


def test_no_redline_flag(batch):
    out, edit = batch
    run = edit(
        "เจรจาหารือกันโดยสุจริต", "เจรจาหารือกันอย่างเปิดเผยโดยสุจริต", "by good-faith", "by open, good-faith", "--no-redline"
    )
    assert not list(out.glob("*.redline.docx")) and "redline:" not in run.stdout
