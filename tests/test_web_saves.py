"""Nothing lost (issue 21): a page saved as it was shown leaves the spec file byte-identical — every page of every
shared example — and a page never drops a value it does not show (a source's fiscal_years, supporter and note).
The forms are posted as a browser would post them, read from the page's own HTML, through the app's test client."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import pytest
import yaml

from pipeline.documents.check import check_spec
from pipeline.library.clauses import load_library
from pipeline.questionnaire.pages import PAGES, page_questions
from pipeline.render import thai
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


def _set(fields, name, value):
    return [(k, value if k == name else v) for k, v in fields]


def test_two_people_changing_different_fields_from_one_version_both_keep_theirs(client):
    """A changes the title, B (from the same version) the reference number and the budget total: all three stay."""
    workspace, c = client
    example = next(f for f in EXAMPLE_FILES if f.stem == "inclusive-care")
    spec = workspace / "agreement.yaml"
    shutil.copy(example, spec)
    a_general = form_of(c.get("/a/agreement/general").get_data(as_text=True))
    b_general = list(a_general)  # the same page, the same version, in another session
    b_money = form_of(c.get("/a/agreement/money").get_data(as_text=True))
    assert post(c, "/a/agreement/general", _set(a_general, "f.title", "เรื่องที่ A แก้")).status_code == 302
    assert post(c, "/a/agreement/general", _set(b_general, "f.reference_no", "พม ๐๐๐๑/๒๕๖๗")).status_code == 302
    total = yaml.safe_load(spec.read_bytes())["budget"]["total"]
    money = _set(b_money, "f.budget.total", str(total))  # typed again as it was: not a change
    assert post(c, "/a/agreement/money", money).status_code == 302
    after = yaml.safe_load(spec.read_bytes())
    assert after["title"] == "เรื่องที่ A แก้" and after["reference_no"] == "พม ๐๐๐๑/๒๕๖๗"
    from pipeline.store.history import flat

    assert flat(after["budget"]) == flat(yaml.safe_load(example.read_bytes())["budget"])  # as numbers, not as text


def test_the_same_field_changed_by_both_shows_both_values_and_loses_nothing(client):
    workspace, c = client
    example = next(f for f in EXAMPLE_FILES if f.stem == "inclusive-care")
    spec = workspace / "agreement.yaml"
    shutil.copy(example, spec)
    old = form_of(c.get("/a/agreement/general").get_data(as_text=True))
    assert post(c, "/a/agreement/general", _set(old, "f.title", "ชื่อเรื่องของ A")).status_code == 302
    clash = post(c, "/a/agreement/general", _set(_set(old, "f.title", "ชื่อเรื่องของ B"), "f.reference_no", "ที่ ๑/๒๕๖๗"))
    assert clash.status_code == 200
    page = clash.get_data(as_text=True)
    assert 'id="clashes"' in page and "ชื่อเรื่องของ A" in page and "ชื่อเรื่องของ B" in page
    saved = yaml.safe_load(spec.read_bytes())
    assert saved["title"] == "ชื่อเรื่องของ A"  # nothing of A's is discarded before B chooses
    assert saved["reference_no"] == "ที่ ๑/๒๕๖๗"  # B's other change is kept at once
    again = form_of(page)  # the page as it came back: B's typed title in the field, the choice not yet made
    assert ("f.title", "ชื่อเรื่องของ B") in again
    unchosen = post(c, "/a/agreement/general", again)
    assert unchosen.status_code == 200 and yaml.safe_load(spec.read_bytes())["title"] == "ชื่อเรื่องของ A"
    assert post(c, "/a/agreement/general", again + [("keep.title", "mine")]).status_code == 302
    assert yaml.safe_load(spec.read_bytes())["title"] == "ชื่อเรื่องของ B"
    # and keeping the other's value instead
    old = form_of(c.get("/a/agreement/general").get_data(as_text=True))
    post(c, "/a/agreement/general", _set(old, "f.title", "ชื่อเรื่องของ A อีกครั้ง"))
    page = post(c, "/a/agreement/general", _set(old, "f.title", "ของ B อีกครั้ง")).get_data(as_text=True)
    assert post(c, "/a/agreement/general", form_of(page) + [("keep.title", "stored")]).status_code == 302
    assert yaml.safe_load(spec.read_bytes())["title"] == "ชื่อเรื่องของ A อีกครั้ง"


def test_downloads_are_named_after_the_title_and_safe_everywhere(client):
    from pipeline.web.words import file_title

    long_thai = "โครงการพัฒนาศักยภาพศูนย์พัฒนาเด็กเล็ก: ระยะที่ ๒/๒๕๖๘ " * 4  # a colon and a slash, too long
    title = file_title({"title": long_thai}, "care", ".pdf")
    assert title.endswith(".pdf") and len(title) <= 104
    assert not set('<>:"/\\\\|?*') & set(title)
    import unicodedata

    assert unicodedata.category(title[0]) not in ("Mn", "Mc")
    assert file_title({}, "care", ".pdf") == "care.pdf"
    workspace, c = client
    shutil.copy(next(f for f in EXAMPLE_FILES if f.stem == "inclusive-care"), workspace / "care.yaml")
    (workspace / "out").mkdir()
    (workspace / "out" / "care.pdf").write_bytes(b"%PDF-1.4\n")
    got = c.get("/a/care/final.pdf?download=1")
    disposition = got.headers["Content-Disposition"]
    # the title for the browsers that read filename*, the file's own name as the ASCII fallback (issue 32)
    assert "filename*=UTF-8''" in disposition and 'filename="care.pdf"' in disposition.split("filename*=")[0]
    from urllib.parse import unquote

    name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert name.startswith("โครงการพัฒนาศักยภาพศูนย์พัฒนาเด็กเล็ก") and name.endswith(".pdf") and len(name) <= 104


def test_a_rule_is_checked_on_the_page_its_answers_are_on(client):
    """The fiscal-year rule (the instalments of a fiscal year within that year's money) is said on the instalments
    page when it is saved, not only at the review."""
    workspace, c = client
    shutil.copy(next(f for f in EXAMPLE_FILES if f.stem == "inclusive-care"), workspace / "care.yaml")
    fields = form_of(c.get("/a/care/instalments").get_data(as_text=True))
    fields = [(k, "25/9/2567" if k == "r.instalments.1.due" else v) for k, v in fields]  # into fiscal year 2567
    got = post(c, "/a/care/instalments", fields)
    assert got.status_code == 200  # the page again, not the next one
    import re

    said = " ".join(re.findall(r'class="error"[^>]*>(.*?)<', got.get_data(as_text=True), re.S))
    assert "๒๕๖๗" in said or "2567" in said, said


def test_optional_clauses_are_ticked_on_the_last_page_and_reach_the_document(client, library):
    from pipeline.documents.agreement import assemble
    from pipeline.documents.check import load_spec

    workspace, c = client
    shutil.copy(next(f for f in EXAMPLE_FILES if f.stem == "elderly-database-grant"), workspace / "grant.yaml")
    page = c.get("/a/grant/closing").get_data(as_text=True)
    assert 'value="confidentiality"' in page and 'value="intellectual_property" checked' in page
    fields = [(k, v) for k, v in form_of(page) if not (k == "f.clauses" and v == "intellectual_property")]
    fields.append(("f.clauses", "confidentiality"))  # the confidentiality clause on, intellectual property off
    assert post(c, "/a/grant/closing", fields).status_code == 302
    saved = yaml.safe_load((workspace / "grant.yaml").read_bytes())
    assert saved["clauses"] == {"include": ["confidentiality"], "exclude": ["intellectual_property"]}
    _, spec = load_spec(workspace / "grant.yaml", Settings(), library)
    ids = assemble(spec, Settings(), library).section_ids()
    assert "confidentiality" in ids and "intellectual_property" not in ids


def test_the_money_page_shows_one_row_per_fiscal_year_and_saves_them_back_into_the_source(client):
    """universal-design-nonthaburi: the delegator's 3,000,000 in fiscal_years {2567: 1,200,000, 2568: 1,200,000,
    2569: 600,000} is three rows; moving 100,000 from one year to the other keeps one source with its years, its total and its place."""
    workspace, c = client
    example = next(f for f in EXAMPLE_FILES if f.stem == "universal-design-nonthaburi")
    spec = workspace / "agreement.yaml"
    shutil.copy(example, spec)
    fields = form_of(c.get("/a/agreement/money").get_data(as_text=True))
    values = dict(fields)
    assert values["r.budget.sources.0.fiscal_year"] == "2567" and values["r.budget.sources.1.fiscal_year"] == "2568"
    assert values["r.budget.sources.0.amount"].replace(",", "") == "1200000"
    assert values["r.budget.sources.1.amount"].replace(",", "") == "1200000"
    assert values["r.budget.sources.2.fiscal_year"] == "2569"
    assert values["r.budget.sources.2.amount"].replace(",", "") == "600000"
    assert values["r.budget.sources.3.provider"] == "partner"  # the partner's own source is the fourth row
    fields = _set(_set(fields, "r.budget.sources.0.amount", "1100000"), "r.budget.sources.1.amount", "1300000")
    moved = post(c, "/a/agreement/money", fields)
    assert moved.status_code == 302
    # FY 2567 now holds 1,100,000 for the 1,200,000 instalment of July 2024: saved, but not as a complete spec, and
    # the instalments page (where the rule can be put right) says why
    answers = workspace / "agreement.answers.yaml"
    sources = yaml.safe_load(answers.read_bytes())["budget"]["sources"]
    said = c.get(moved.headers["Location"]).get_data(as_text=True)
    assert "๒๕๖๗" in said and "ปีงบประมาณ" in said
    assert len(sources) == 2
    assert sources[0]["amount"] == 3000000
    assert sources[0]["fiscal_years"] == {2567: 1100000, 2568: 1300000, 2569: 600000}
    assert "fiscal_year" not in sources[0] and sources[1]["fiscal_year"] == 2567
    # a third year for the partner's money, typed as a row of its own: a source of its own with that year
    fields = form_of(c.get("/a/agreement/money").get_data(as_text=True))
    row = {"type": "own_revenue", "amount": "0", "provider": "partner", "fiscal_year": "2568"}
    for key, value in row.items():  # the blank row at the foot of the table
        fields = _set(fields, f"r.budget.sources.4.{key}", value)
    post(c, "/a/agreement/money", fields)
    sources = yaml.safe_load(answers.read_bytes())["budget"]["sources"]
    assert sources[0]["fiscal_years"] == {2567: 1100000, 2568: 1300000, 2569: 600000}
    assert sources[-1] == {"type": "own_revenue", "amount": 0, "provider": "partner", "fiscal_year": 2568}


def test_a_grant_may_wait_for_a_mid_term_evaluation_and_a_late_payment_asks_about_carry_over(client):
    """Issue 30 (questionnaire): a grant's instalment may wait for a mid-term evaluation (SPEC §1), so its evaluation
    page asks for the date, and saving it makes a spec `mou build` accepts; an instalment after the term asks whether
    its money is carried over, on the instalments page beside it."""
    workspace, c = client
    example = next(f for f in EXAMPLE_FILES if f.stem == "elderly-database-grant")
    spec = workspace / "agreement.yaml"
    data = yaml.safe_load(example.read_bytes())
    data["instalments"] = [
        {"percent": 60, "due": data["instalments"][0]["due"], "after": "signing"},
        {"percent": 40, "due": "2025-06-15", "after": "midterm"},
    ]
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    page = c.get("/a/agreement/evaluation").get_data(as_text=True)
    assert 'name="f.evaluation.midterm"' in page
    fields = _set(form_of(page), "f.evaluation.midterm", "1/6/2568")
    fields = _set(fields, "r.indicators.0.steps", "ระยะกลาง 1200")  # the target the payment waits to see met
    saved = post(c, "/a/agreement/evaluation", fields)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    saved = yaml.safe_load(spec.read_bytes())
    assert str(saved["evaluation"]["midterm"]) in ("2025-06-01", "[datetime.date(2025, 6, 1)]", "['2025-06-01']")
    assert saved["indicators"][0]["steps"] == [{"at": "midterm", "target": 1200}]
    check_spec(spec, Settings(), load_library())  # what the pages saved builds: no rule broken
    # no instalment after the term: no question on carry-over; one after it: asked on the instalments page
    # (a question that does not apply is on the page hidden and disabled, for the page's script to show)
    asked = re.compile(r'data-question="budget\.carry_over">\s*<fieldset class="q">')
    dormant = re.compile(r'data-question="budget\.carry_over" hidden>\s*<fieldset class="q" disabled>')
    page = c.get("/a/agreement/instalments").get_data(as_text=True)
    assert dormant.search(page) and not asked.search(page)
    data = yaml.safe_load(spec.read_bytes())
    data["instalments"][1] = {"percent": 40, "due": "2025-08-20", "after": "final"}
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert asked.search(c.get("/a/agreement/instalments").get_data(as_text=True))
    assert 'name="f.budget.carry_over"' not in c.get("/a/agreement/money").get_data(as_text=True)


def test_the_next_years_sla_form_refuses_a_year_past_the_term_and_leaves_the_spec_untouched(client):
    """Issue 32, blocker: an end date of 31/7/2569, 13 months and past the term's end (30/6/2569), was saved into a
    signed agreement (the form looked for `sla_renewals[0]` where the rules say `sla_renewals.0.end`)."""
    workspace, c = client
    example = next(f for f in EXAMPLE_FILES if f.stem == "universal-design-nonthaburi")
    spec = workspace / "design.yaml"
    spec.write_text(example.read_text(encoding="utf-8") + "\nsigned:\n  date: 2024-06-10\n", encoding="utf-8")
    before = spec.read_bytes()
    page = c.get("/a/design/sla-year").get_data(as_text=True)
    fields = _set(form_of(page), "end", "31/7/2569")
    fields = _set(fields, "place", "ศาลาว่าการเทศบาลนครนนทบุรี")
    fields = _set(fields, "date", "20/6/2568")
    answer = post(c, "/a/design/sla-year", fields)
    assert answer.status_code == 200, answer.status_code  # the form again, with the reason
    body = answer.get_data(as_text=True)
    assert 'id="sla-problems"' in body and "ช่วงเวลาของ SLA ต้องอยู่ในระยะเวลาดำเนินการ" in body, body[-3000:]
    assert "อายุได้ไม่เกิน ๑๒ เดือน" in body
    assert spec.read_bytes() == before
    # the same form with the end the form offers (the term's end) is saved
    saved = post(c, "/a/design/sla-year", _set(fields, "end", "30/6/2569"))
    assert saved.status_code == 302
    assert len(yaml.safe_load(spec.read_bytes())["sla_renewals"]) == 1


def test_two_people_editing_different_rows_of_a_table_keep_both_and_the_same_cell_is_a_clash(client):
    """Issue 32: two coordinators change different rows of the activities from the same version: both changes stay
    (the table was one field, and one row edit was silently reverted); the same cell changed two ways is a clash."""
    workspace, c = client
    example = next(f for f in EXAMPLE_FILES if f.stem == "inclusive-care")
    spec = workspace / "care.yaml"
    shutil.copy(example, spec)
    url = "/a/care/scope"
    first, second, third = (form_of(c.get(url).get_data(as_text=True)) for _ in range(3))  # all from one version
    saved = post(c, url, _set(first, "r.scope.activities.0.description", "คัดกรองพัฒนาการเด็กทุกคนในศูนย์นำร่อง"))
    assert saved.status_code == 302
    saved = post(c, url, _set(second, "r.scope.activities.1.name", "อบรมบุคลากรศูนย์พัฒนาเด็กเล็ก"))
    assert saved.status_code == 302, saved.get_data(as_text=True)[-2000:]
    activities = yaml.safe_load(spec.read_bytes())["scope"]["activities"]
    assert activities[0]["description"] == "คัดกรองพัฒนาการเด็กทุกคนในศูนย์นำร่อง"  # the first person's row kept
    assert activities[1]["name"] == "อบรมบุคลากรศูนย์พัฒนาเด็กเล็ก"  # and the second's
    clash = post(c, url, _set(third, "r.scope.activities.0.description", "อีกแบบหนึ่ง"))
    assert clash.status_code == 200  # the page again, with both values to choose from
    assert yaml.safe_load(spec.read_bytes())["scope"]["activities"][0]["description"] != "อีกแบบหนึ่ง"


def test_a_download_with_a_long_thai_title_has_a_file_name_linux_takes_and_a_readable_fallback(client):
    """Issue 32: a title of 100 Thai characters with " (ฉบับร่าง).pdf" was 275 bytes, over Linux's 255, and Chromium
    saved nothing; the ASCII fallback was "  ().pdf"."""
    import urllib.parse

    from pipeline.web.words import MAX_FILE_BYTES, file_title

    title = "โครงการพัฒนาศักยภาพศูนย์พัฒนาเด็กเล็กขององค์กรปกครองส่วนท้องถิ่นเพื่อส่งเสริมพัฒนาการกลุ่มเด็กที่มีความเปราะบาง" * 2
    name = file_title({"title": title}, "care", " (ฉบับร่าง).pdf")
    assert len(name.encode("utf-8")) <= MAX_FILE_BYTES and name.endswith(" (ฉบับร่าง).pdf")
    assert name[: -len(" (ฉบับร่าง).pdf")] and title.startswith(name[: -len(" (ฉบับร่าง).pdf")])
    workspace, c = client
    example = next(f for f in EXAMPLE_FILES if f.stem == "inclusive-care")
    data = yaml.safe_load(example.read_bytes())
    data["title"] = title
    (workspace / "care.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (workspace / "out").mkdir()
    (workspace / "out" / "care.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    answer = c.get("/a/care/final.pdf?download=1")
    assert answer.status_code == 200
    disposition = answer.headers["Content-Disposition"]
    assert 'filename="care.pdf"' in disposition, disposition
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert len(urllib.parse.unquote(encoded).encode("utf-8")) <= MAX_FILE_BYTES


def test_an_unknown_address_says_so_and_an_unknown_agreement_says_that(client):
    """Issue 32, minor: every unknown URL said "ไม่พบบันทึกข้อตกลงนี้" (no such agreement)."""
    _, c = client
    page = c.get("/no/such/page")
    assert page.status_code == 404 and "ไม่พบหน้านี้หรือไฟล์นี้" in page.get_data(as_text=True)
    agreement = c.get("/a/nosuch")
    assert agreement.status_code == 404 and "ไม่พบบันทึกข้อตกลงนี้" in agreement.get_data(as_text=True)


def test_thai_pages_keep_codes_in_arabic_digits_and_numbers_in_thai(client):
    """Issue 32, minor: Thai digits were forced into codes ("witness:๑", hashes, "sha๒๕๖")."""
    from flask import g

    from pipeline.web.strings import digits

    _, c = client
    with c.application.test_request_context("/"):
        g.lang = "th"
        said = digits("ยังไม่ได้ลงนาม witness:1 — sha256 72cbf9bf5020 PDF/A-2b วันที่ 22/4/2567 เวลา 18:08 งวดที่ 2 SLA 3")
        assert "witness:1" in said and "sha256 72cbf9bf5020" in said and "PDF/A-2b" in said
        assert "๒๒/๔/๒๕๖๗" in said and "๑๘:๐๘" in said and "งวดที่ ๒" in said and "SLA ๓" in said
        # an English agreement's date quoted in a Thai page stays as English writes it
        said = digits("งวดที่ 2 after the evaluation of 30 June 2026 (or June 30, 2026) ภายใน 15 วัน")
        assert "30 June 2026" in said and "June 30, 2026" in said and "งวดที่ ๒" in said and "๑๕ วัน" in said
        g.lang = "en"
        assert digits("witness:1 on 22/4/2024") == "witness:1 on 22/4/2024"


def test_a_date_that_has_not_come_is_neither_a_signing_nor_a_payment(client):
    """Issue 32, minor: a signing recorded 39 days ahead, a payment "done" in 2575, were accepted without a word."""
    import datetime as dt

    from pipeline.render import thai
    from pipeline.store.record import Record

    workspace, c = client
    (workspace / "care.yaml").write_text(
        next(f for f in EXAMPLE_FILES if f.stem == "inclusive-care").read_text(encoding="utf-8"), encoding="utf-8"
    )
    before = (workspace / "care.yaml").read_bytes()
    ahead = dt.date.today() + dt.timedelta(days=39)
    typed = f"{ahead.day}/{ahead.month}/{ahead.year + 543}"
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/a/care").get_data(as_text=True)).group(1)
    c.post("/a/care/sign", data={"csrf": token, "signed_on": typed, "place": "x", "confirm": "1"})
    page = c.get("/a/care").get_data(as_text=True)
    assert "ยังมาไม่ถึง" in page and thai.thai_digits(thai.date(ahead, "th")) in page, page[-2000:]
    assert (workspace / "care.yaml").read_bytes() == before  # nothing recorded

    (workspace / "care.yaml").write_text(before.decode("utf-8") + "\nsigned:\n  date: 2024-04-22\n", encoding="utf-8")
    c.post("/calendar/done", data={"csrf": token, "uid": "care.instalment.1@mou-pipeline", "date": "1/1/2575"})
    page = c.get("/calendar").get_data(as_text=True)
    assert 'id="calendar-refused"' in page and "ยังมาไม่ถึง" in page
    assert Record(workspace).statuses() == {}


def test_every_method_unticked_stays_unticked_with_its_message_and_empty_categories_are_said(client):
    """Issue 32, minor: unticking every evaluation method re-ticked the default beside "ต้องตอบข้อนี้"; the
    personal-data categories, left empty, were required without a message."""
    workspace, c = client
    spec = workspace / "care.yaml"
    spec.write_text(
        next(f for f in EXAMPLE_FILES if f.stem == "inclusive-care").read_text(encoding="utf-8"), encoding="utf-8"
    )
    before = yaml.safe_load(spec.read_bytes())
    fields = [
        (k, v) for k, v in form_of(c.get("/a/care/evaluation").get_data(as_text=True)) if k != "f.evaluation.methods"
    ]
    page = post(c, "/a/care/evaluation", fields).get_data(as_text=True)
    assert re.search(r'id="f-evaluation\.methods-error">ต้องตอบข้อนี้', page), page[-3000:]
    assert not re.search(r'name="f\.evaluation\.methods" value="\w+" checked', page)  # nothing ticked for them
    assert yaml.safe_load(spec.read_bytes())["evaluation"]["methods"] == before["evaluation"]["methods"]

    fields = _set(form_of(c.get("/a/care/closing").get_data(as_text=True)), "f.personal_data.involved", "y")
    fields = [(k, v) for k, v in fields if k != "f.personal_data.categories"] + [("f.personal_data.categories", "")]
    fields += [("shown", "personal_data.categories")]
    page = post(c, "/a/care/closing", fields).get_data(as_text=True)
    assert re.search(r'id="f-personal_data\.categories-error">ต้องตอบข้อนี้', page), page[-3000:]


def test_the_history_names_methods_and_clauses_in_words(client):
    """Issue 32, minor: the history showed raw codes ("internal", "confidentiality")."""
    workspace, c = client
    spec = workspace / "care.yaml"
    spec.write_text(
        next(f for f in EXAMPLE_FILES if f.stem == "inclusive-care").read_text(encoding="utf-8"), encoding="utf-8"
    )
    fields = [
        (k, v) for k, v in form_of(c.get("/a/care/evaluation").get_data(as_text=True)) if k != "f.evaluation.methods"
    ]
    fields += [("f.evaluation.methods", "internal"), ("f.evaluation.methods", "service_user_feedback")]
    assert post(c, "/a/care/evaluation", fields).status_code == 302
    history = re.search(
        r'id="history".*?</table>|id="history".*?</section>|id="history".*',
        c.get("/a/care").get_data(as_text=True),
        re.S,
    )
    text = re.sub(r"<[^>]+>", " ", history.group(0))
    assert "การรับฟังความคิดเห็นและประเมินผลร่วมกับผู้รับบริการ" in text, text[:2000]  # the method added, in words
    assert "service_user_feedback" not in text and "field_visit" not in text, text[:2000]

    # an amount and a row's number as a Thai reader reads them (the fresh-eyes pass found "๑๕๐๐๐๐๐" and "รายการที่ 1")
    money = form_of(c.get("/a/care/money").get_data(as_text=True))
    old = dict(money)["f.budget.total"]
    total = str(int(thai.parse_user_amount(old)) + 1000)
    money = [(k, total if k == "f.budget.total" else v) for k, v in money]
    post(c, "/a/care/money", money)
    text = re.sub(r"<[^>]+>", " ", c.get("/a/care").get_data(as_text=True))
    line = next(line for line in text.splitlines() if "งบประมาณรวม" in line and "→" in line)
    assert thai.thai_digits(f"{int(total):,}") in line, line
    assert not re.search(r"รายการที่ [0-9]", text), re.search(r".{60}รายการที่ [0-9].{20}", text).group(0)


def test_a_message_shown_in_the_browser_names_no_server_folder(client):
    """Issue 32, minor: a user's error showed the server's path, with a Thai line number."""
    from flask import g

    from pipeline.web.context import public
    from pipeline.web.strings import digits

    workspace, c = client
    with c.application.test_request_context("/"):
        g.lang = "th"
        said = digits(public(f"{workspace}/.drafts/care.yaml:12: ยอดเงินไม่ตรง / amounts differ ({workspace}/care.yaml)"))
        assert str(workspace) not in said and ".drafts" not in said
        assert "care.yaml:12" in said  # the file's own line number, as the file has it


@pytest.mark.parametrize("model", ["grant", "performance", "commissioning"])
def test_a_new_agreements_pages_speak_of_no_enter_key_and_show_the_follow_ups_of_a_default(client, model):
    """Issue 32's fresh-eyes pass: the terminal's "Enter เพื่อข้าม" reached the browser's labels ("ผู้ลงนามปฏิบัติการ
    แทนผู้ใด (…; Enter เพื่อข้ามถ้า…)"), and the partner's kind, shown as CSO before any answer, did not show the CSO's
    registration until a save."""
    workspace, c = client
    (workspace / "fresh.yaml").write_text(f"spec_version: 1\nmodel: {model}\n", encoding="utf-8")
    for page in PAGES:
        for lang in ("th", "en"):
            c.set_cookie("lang", lang)
            body = c.get(f"/a/fresh/{page.id}").get_data(as_text=True)
            text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", body, flags=re.S))
            assert "Enter" not in text, (page.id, lang, text[text.index("Enter") - 80 : text.index("Enter") + 40])
    c.set_cookie("lang", "th")
    parties = c.get("/a/fresh/parties").get_data(as_text=True)
    assert re.search(
        r'<select[^>]*name="f\.parties\.partner\.kind"[^>]*>.*?<option value="cso" selected', parties, re.S
    )
    registration = re.search(
        r'<div class="field[^"]*"[^>]*data-question="parties\.partner\.registration"([^>]*)>', parties
    )
    assert registration and "hidden" not in registration.group(1), registration and registration.group(0)
    assert "การจดทะเบียนของผู้รับมอบภารกิจ" in parties
    account = re.search(r'<label for="in-parties\.partner\.account\.number">(.*?)</label>', parties, re.S).group(1)
    assert 'class="req"' in account, account  # hidden until a bank is given, then needed: its star is there already
    # a CSO's signatory needs the instrument that empowers them (SPEC §2): asked as needed on the page, not found at
    # the review after every page was passed
    authority = re.search(r'<label for="in-parties\.partner\.authority">(.*?)</label>', parties, re.S).group(1)
    assert 'class="req"' in authority, authority
    form = [(k, v) for k, v in form_of(parties) if k != "f.parties.partner.authority"]
    said = post(c, "/a/fresh/parties", form + [("f.parties.partner.authority", "")]).get_data(as_text=True)
    assert re.search(r'id="f-parties\.partner\.authority-error"[^>]*>\s*ต้องตอบข้อนี้', said), said[:3000]
