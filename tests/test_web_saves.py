"""Nothing lost (issue 21): a page saved as it was shown leaves the spec file byte-identical — every page of every
shared example — and a page never drops a value it does not show (a source's fiscal_years, supporter and note).
The forms are posted as a browser would post them, read from the page's own HTML, through the app's test client."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest
import yaml

from pipeline.questionnaire.pages import PAGES, page_questions
from pipeline.spec.settings import Settings
from pipeline.web.app import create_app

from conftest import EXAMPLE_FILES


class Form(HTMLParser):
    """The controls of the page's form, and what a browser would send for them (no button but the one pressed)."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and "/a/" in (a.get("action") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            chosen = next((v for v, sel in self._options if sel), self._options[0][0] if self._options else "")
            self.fields.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._text[1:] if self._text.startswith("\n") else self._text  # HTML drops one leading newline
            self.fields.append((self._textarea, text))
            self._textarea = None


def form_of(html: str) -> list[tuple[str, str]]:
    parser = Form()
    parser.feed(html)
    return parser.fields + [("action", "next")]


@pytest.fixture
def client(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    app = create_app(workspace, settings=Settings())
    app.config["TESTING"] = True
    return workspace, app.test_client()


def post(client, url, fields):
    from werkzeug.datastructures import MultiDict

    return client.post(url, data=MultiDict(fields))


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_page_saved_unchanged_leaves_the_spec_byte_identical(client, example):
    workspace, c = client
    spec = workspace / "agreement.yaml"
    shutil.copy(example, spec)
    before = spec.read_bytes()
    answers = yaml.safe_load(before)
    pages = [p for p in PAGES if p.id == "screening" or page_questions(p, answers, Settings())]
    assert len(pages) >= 6
    for page in pages:
        url = f"/a/agreement/{page.id}"
        shown = c.get(url)
        assert shown.status_code == 200, page.id
        saved = post(c, url, form_of(shown.get_data(as_text=True)))
        assert saved.status_code in (200, 302), (page.id, saved.status_code)
        if saved.status_code == 200:  # the page came back: say what it objected to
            import re

            body = saved.get_data(as_text=True)
            said = re.findall(r'class="(?:error|banner bad)"[^>]*>(.*?)<', body, re.S)
            pytest.fail(f"{page.id}: the unchanged page was refused: {said}")
        assert spec.read_bytes() == before, f"saving the {page.id} page unchanged rewrote the spec"
        assert not (workspace / "agreement.answers.yaml").exists()


def test_a_changed_money_page_keeps_what_it_does_not_show(client):
    """The money page shows a source's type, amount, provider and fiscal year; its fiscal_years, supporter and note are
    not on the page, and a save that changes the total must not drop them."""
    workspace, c = client
    example = next(f for f in EXAMPLE_FILES if f.stem == "child-protection-commissioning")
    spec = workspace / "agreement.yaml"
    shutil.copy(example, spec)
    data = yaml.safe_load(spec.read_bytes())
    kept = [{k: s[k] for k in ("fiscal_years", "supporter", "note") if k in s} for s in data["budget"]["sources"]]
    assert any(kept), "the example should carry something the page does not show"
    url = "/a/agreement/money"
    fields = form_of(c.get(url).get_data(as_text=True))
    # a change the page does show: the first source's note-free amount typed again with a different grouping
    fields = [(k, v.replace(",", "") if k == "f.budget.total" else v) for k, v in fields]
    fields.append(("f.title_probe", "x"))  # a stray key is ignored
    post(c, url, fields)
    after = yaml.safe_load(spec.read_bytes())
    for source, extra in zip(after["budget"]["sources"], kept):
        for key, value in extra.items():
            assert source.get(key) == value, (key, source)
