"""What a legal officer checks page by page before signature, on every shared example's PDF (real LibreOffice):
no heading or "ดังนี้" lead-in last on a page, the signatures never alone on their page, no word split across lines,
Thai page numbers in the text layer, and PDF/A-2b accepted by an independent validator."""

import re
import subprocess
import zipfile

import pikepdf
import pikepdf.pdfa
import pytest

from pipeline.documents.check import skeleton
from pipeline.render.pdftext import line_ends, pdf_pages, search_share
from pipeline.render.thai import EN_MONTHS, JOINER, THAI_MONTHS, thai_digits
from pipeline.signing.pdfa import pdfa_problems

from conftest import EXAMPLE_FILES

NAMES = [f.stem for f in EXAMPLE_FILES]
LEAD = re.compile(r"(ดังนี้|ต่อไปนี้|:)\s*$")


_MARK = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")  # Thai vowel and tone marks: extraction reorders them


def plain(text: str) -> str:
    """Text compared without Thai marks, whose order pypdf does not keep ("ผู้" for "ผู้"), and with สระอำ as one."""
    return _MARK.sub("", text.replace("\u0e4d\u0e32", "\u0e33").replace("\u0e33\u0e32", "\u0e33"))


def page_lines(pdf) -> list[list[str]]:
    """Each page's lines as poppler reads them (pypdf 7 reads LibreOffice 25.2's Thai as garbage)."""
    return [[l.replace("\u00a0", " ") for l in page.splitlines()] for page in pdf_pages(pdf)]


def headings(agreement) -> set[str]:
    return {skeleton(s.heading) for s in agreement.sections}


@pytest.mark.parametrize("name", NAMES)
def test_no_heading_or_lead_in_ends_a_page(built_examples, name):
    b = built_examples[name]
    heads = headings(b.agreement)
    pages = page_lines(b.pdf)
    for n, lines in enumerate(pages[:-1], 1):
        body = [l for l in lines if l.strip()]
        last = body[-1].strip()
        assert skeleton(last) not in heads, f"page {n} ends with the heading {last!r}"
        assert not LEAD.search(last), f"page {n} ends with a lead-in {last!r}"


@pytest.mark.parametrize("name", NAMES)
def test_signatures_come_with_the_end_of_the_body(built_examples, name):
    b = built_examples[name]
    signed = "ลงชื่อ" if b.agreement.lang == "th" else "Signed"
    closing = "ทำขึ้นเป็น" if b.agreement.lang == "th" else "is made in"
    pages = page_lines(b.pdf)
    signing_pages = [i for i, lines in enumerate(pages) if any(l.startswith(signed) for l in lines)]
    assert len(signing_pages) == 1, f"signature and witness blocks spread over pages {[i + 1 for i in signing_pages]}"
    n = signing_pages[0]
    lines = pages[n]
    first_signature = next(i for i, l in enumerate(lines) if l.startswith(signed))
    before = [l for l in lines[1:first_signature] if l.strip()]  # below the page number
    closing = skeleton(closing)
    assert any(closing in skeleton(l) for l in before), f"page {n + 1}: the closing formula is not with the signatures"
    closing_at = next(i for i, l in enumerate(before) if closing in skeleton(l))
    heads = headings(b.agreement)
    body = [l for l in before[:closing_at] if skeleton(l) not in heads]
    assert body, f"page {n + 1}: the signatures stand with no line of the body"
    # Every signature block is whole on its page: the line to sign, the name, the position, the role.
    for lines in pages:
        for i, l in enumerate(lines):
            if l.startswith(signed):
                assert len(lines) > i + 3 and lines[i + 1].strip().startswith("("), lines[i : i + 4]


@pytest.mark.parametrize("name", NAMES)
def test_no_word_split_across_lines(built_examples, name):
    b = built_examples[name]
    heads = headings(b.agreement)
    pages = page_lines(b.pdf)
    words = {w.lower() for lines in pages for l in lines for w in re.findall(r"[A-Za-z]+", l)}
    for n, lines in enumerate(pages, 1):
        if n == 1:  # the title block's centred lines ("between", "and") end with no space by design
            lines = lines[next(i for i, l in enumerate(lines) if skeleton(l) in heads) :]
        for a, c in zip(lines, lines[1:]):
            # A Latin word cut in two: a line ends on a letter with no space, the next begins with letters, and the
            # two pieces make a word the document uses while the first piece is not one ("Inclusiv" / "e Care").
            head, tail = re.search(r"([A-Za-z]+)$", a), re.match(r"([A-Za-z]+)", c)
            if head and tail:
                whole = (head.group(1) + tail.group(1)).lower()
                assert not (whole in words and head.group(1).lower() not in words), (
                    f"page {n}: {a[-20:]!r} / {c[:20]!r}"
                )
        # A date, "ข้อ ๕", "หมู่ที่ ๓", an amount and its unit never part at their spaces (no-break spaces).
        # (A Thai word itself may still break where LibreOffice's dictionary puts a boundary: see the README.)
        text = "\n".join(lines)
        for pattern in SPLIT_AT_SPACE:
            found = pattern.search(text)
            assert not found, f"page {n}: {found.group(0)!r} is broken across lines"


MONTHS = "|".join(THAI_MONTHS + EN_MONTHS)
SPLIT_AT_SPACE = [
    re.compile(p)
    for p in (
        # (a line that is the word alone is a table's header cell above its first row, not a broken line)
        r"[^\n](ข้อ|หมู่ที่|วันที่|ครั้งที่|งวดที่|ร้อยละ|มาตรา|พ\.ศ\.|Clause|No\.) ?\n ?[๐-๙0-9]",
        rf"[๐-๙0-9] ?\n ?({MONTHS}) [๐-๙0-9]",
        rf"[๐-๙0-9] ({MONTHS}) ?\n ?[๐-๙0-9]",
        r"[๐-๙0-9] ?\n ?(บาท|baht)\b",
        r"Annex ?\n ?[A-Z](\s|$)",  # (ภาคผนวก ก: LibreOffice breaks a no-break space between two Thai words; see the README)
    )
]


@pytest.mark.parametrize("name", NAMES)
def test_page_numbers_in_the_text_layer(built_examples, name):
    b = built_examples[name]
    th = b.agreement.lang == "th"
    pages = pdf_pages(b.pdf, layout=True)  # poppler's -layout reading, kept from test_e2e's question about it
    out = "\f".join(pages)
    assert len(pages) >= 3
    for n, page in enumerate(pages[1:], 2):
        first = next(l for l in page.splitlines() if l.strip()).strip()
        assert first == f"- {thai_digits(str(n)) if th else n} -", (n, first)  # as a search for "- ๒ -" reads it
    if th:
        assert not re.search(r"[0-9]", out), re.findall(r".{0,20}[0-9].{0,20}", out)[:3]


@pytest.mark.parametrize("name", NAMES)
def test_pdfa_2b_accepted_by_an_independent_validator(built_examples, name):
    report = pikepdf.pdfa.validate_written(str(built_examples[name].pdf), "2b")
    # a final holds its empty signature fields, a form pikepdf does not check (pipeline.signing.pdfa does, below)
    findings = [f for f in report.findings if not (f.kind == "unsupported" and "/AcroForm" in f.where)]
    assert not findings, [str(f) for f in findings]
    assert pdfa_problems(built_examples[name].pdf.read_bytes()) == []
    with pikepdf.open(built_examples[name].pdf) as pdf:
        assert pdf.open_metadata()["pdfaid:part"] == "2"


def test_files_take_the_umask_and_keep_a_users_chmod(tmp_path, library, settings):
    import os

    from pipeline.api import build

    old = os.umask(0o022)
    try:
        built = build(EXAMPLE_FILES[1], tmp_path, library, settings, None)
        assert built.docx.stat().st_mode & 0o777 == 0o644  # readable by the other users of a shared folder
        os.chmod(built.docx, 0o664)
        build(EXAMPLE_FILES[1], tmp_path, library, settings, None)
        assert built.docx.stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(old)


def test_validate_reads_the_model_line_without_provenance(built_examples, tmp_path):
    from click.testing import CliRunner

    from pipeline.cli.commands import cli

    b = built_examples["inclusive-care"]
    plain = tmp_path / "saved-from-a-viewer.pdf"
    with pikepdf.open(b.pdf) as pdf:
        for key in [k for k in pdf.docinfo.keys() if k.startswith("/Mou")]:
            del pdf.docinfo[key]
        pdf.save(plain)
    result = CliRunner().invoke(cli, ["validate", str(plain)])
    assert result.exit_code == 0 and "performance model" in result.output, result.output


def test_the_body_refers_to_annexes_by_letter(built_examples):
    a = built_examples["inclusive-care"].agreement
    text = "\n".join(b.text for s in a.sections for b in s.blocks).replace("\u00a0", " ")
    assert [s.heading.split(" ")[:2] for s in a.sections if s.part == "annex"] == [["ภาคผนวก", "ก"], ["ภาคผนวก", "ข"]]
    assert "ในภาคผนวก ก" in text and "ให้ใช้ข้อความในบันทึกข้อตกลงนี้บังคับ" in text
    assert "(๔๐%)" not in text and "ร้อยละ ๔๐" in text.replace("\u00a0", " ")
    assert "ได้รับจัดสรรงบประมาณ" in text  # payments in FY 2568, signed in FY 2567
    assert "เฉลี่ย" in text  # 4,166.67 x 300 is not exactly 1,250,000
    assert "สำนักงานการตรวจเงินแผ่นดิน" in text and "ล่วงละเมิด" in text  # audit; safeguarding (vulnerable users)


@pytest.mark.parametrize("name", NAMES)
def test_the_official_font_is_embedded_and_alone(built_examples, name):
    out = subprocess.run(["pdffonts", str(built_examples[name].pdf)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split()[0] for line in out.splitlines()[2:]]
    assert fonts and all(f.split("+")[-1] == "THSarabunNew" for f in fonts), out
    assert all(" yes " in line for line in out.splitlines()[2:]), out  # embedded


@pytest.mark.parametrize("name", NAMES)
def test_a_search_finds_the_thai_words_of_the_document(built_examples, name):
    b = built_examples[name]
    found = search_share(b.docx, b.pdf)
    assert found.share >= 0.995, (f"{found.found}/{found.words}", found.missing[:20])
    raw = "\f".join(pdf_pages(b.pdf, raw=True))  # poppler's reading of search_share above, joiners and all
    assert JOINER not in raw  # the joiners are rendering: never in the text layer


def test_joiners_keep_thai_words_whole_at_line_ends(built_examples, converter, tmp_path):
    """Over the Thai shared examples at most 1 % of Thai line ends fall inside a word (SPEC §4; judged by pythainlp's
    `longest`, not the `newmm` that places the joiners), on both Debian releases (LibreOffice 25.2 on each), and far
    fewer than when the same DOCX goes to LibreOffice without them; the test prints the figure, the README keeps it."""
    inside = without = ends = 0
    seen = []
    converter.join_thai = False  # the session's LibreOffice, for this test without the joiners
    try:
        for name, b in built_examples.items():
            if b.agreement.lang != "th":
                continue
            measured = line_ends(b.pdf, b.docx)
            inside, ends = inside + len(measured.inside), ends + measured.thai
            seen += measured.inside
            pdf = tmp_path / f"{name}.pdf"
            pdf.write_bytes(converter.convert(b.docx.read_bytes()))
            without += len(line_ends(pdf, b.docx).inside)
    finally:
        converter.join_thai = True
    assert ends > 250
    share = inside / ends
    print(f"\nThai line ends inside a word: {inside} of {ends} ({share:.2%}); without joiners {without}: {seen}")
    assert share <= 0.01, f"{inside} of {ends} Thai line ends fall inside a word ({share:.2%}): SPEC §4 allows 1 %"
    assert inside <= without / 3, (inside, without, ends)


def test_the_docx_a_user_edits_holds_no_joiner_and_find_finds_the_words(built_examples, converter):
    from pipeline.render.pdf import _import_uno, _props

    b = built_examples["inclusive-care"]
    with zipfile.ZipFile(b.docx) as z:
        assert JOINER.encode() not in z.read("word/document.xml")
    _import_uno()  # the UNO modules on the path, for _props
    if converter.desktop is None:
        converter.start()
    doc = converter.desktop.loadComponentFromURL(b.docx.as_uri(), "_blank", 0, _props(Hidden=True, ReadOnly=True))
    try:
        for word in ("ผู้รับมอบภารกิจ", "ค่าใช้จ่าย", "ดำเนินการ"):
            search = doc.createSearchDescriptor()
            search.SearchString = word
            assert doc.findAll(search).getCount() > 0, word
    finally:
        doc.close(True)
