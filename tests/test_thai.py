import datetime as dt
from decimal import Decimal

import pytest

from pipeline.render import thai


def test_thai_digits_every_digit():
    assert thai.thai_digits("เลขที่ 1034 ถนน 0-9") == "เลขที่ ๑๐๓๔ ถนน ๐-๙"


@pytest.mark.parametrize(
    "value,words",
    [
        ("1250000", "หนึ่งล้านสองแสนห้าหมื่นบาทถ้วน"),
        ("350000", "สามแสนห้าหมื่นบาทถ้วน"),
        ("1.005", "หนึ่งบาทหนึ่งสตางค์"),  # pythainlp's bahttext on a float says หนึ่งบาทถ้วน
        ("0.50", "ห้าสิบสตางค์"),
        ("21", "ยี่สิบเอ็ดบาทถ้วน"),
        ("4166.67", "สี่พันหนึ่งร้อยหกสิบหกบาทหกสิบเจ็ดสตางค์"),
    ],
)
def test_baht_words_th(value, words):
    assert thai.baht_words_th(Decimal(value)) == words


def test_money_th_and_en():
    assert thai.money(Decimal("1250000"), "th") == "1,250,000 บาท (หนึ่งล้านสองแสนห้าหมื่นบาทถ้วน)"
    assert thai.money(Decimal("1250000"), "en") == "1,250,000 baht (one million, two hundred and fifty thousand baht)"
    assert thai.money_figures(Decimal("4166.67")) == "4,166.67"


def test_dates():
    assert thai.thai_digits(thai.date(dt.date(2024, 4, 22), "th")) == "๒๒ เมษายน ๒๕๖๗"
    assert thai.date(dt.date(2024, 4, 22), "en") == "22 April 2024"


def test_months_between_inclusive_period():
    assert thai.months_between(dt.date(2024, 5, 1), dt.date(2025, 4, 30)) == 12
    assert thai.months_between(dt.date(2024, 5, 1), dt.date(2025, 5, 1)) == 12
    assert thai.months_between(dt.date(2025, 2, 1), dt.date(2025, 7, 31)) == 6


@pytest.mark.parametrize("text", ["๒๒/๔/๒๕๖๗", "22/4/2567", "22/4/2024", "2024-04-22"])
def test_parse_user_date(text):
    assert thai.parse_user_date(text) == dt.date(2024, 4, 22)


def test_parse_user_amount():
    assert thai.parse_user_amount("๑,๒๕๐,๐๐๐ บาท") == Decimal("1250000")
    with pytest.raises(ValueError):
        thai.parse_user_amount("หนึ่งล้าน")


# -- joiners inside Thai words (rendering for LibreOffice's line breaking) ----------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_UPPER = set("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")
_MARKS = _UPPER | set("\u0e38\u0e39\u0e3a\u0e30\u0e32\u0e33\u0e45")
_LEADING = set("\u0e40\u0e41\u0e42\u0e43\u0e44")
_THAI_TEXT = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x0E01, 0x0E4F) if c not in (0x0E3B, 0x0E3C, 0x0E3D, 0x0E3E)] + [" ", "\u00a0", "๑", "a"]
    ),
    max_size=60,
)


def _invisible_places(text: str):
    """(previous character, next character) around every joiner of a text."""
    plain = [i for i, ch in enumerate(text) if ch != thai.JOINER]
    for i, ch in enumerate(text):
        if ch == thai.JOINER:
            before = [j for j in plain if j < i]
            after = [j for j in plain if j > i]
            yield (text[before[-1]] if before else ""), (text[after[0]] if after else "")


@settings(max_examples=300, deadline=None)
@given(_THAI_TEXT, st.booleans())
def test_joiners_are_invisible_and_never_part_a_letter_from_its_marks(text, after_marks):
    joined = thai.join_words(text, after_marks)
    assert thai.strip_joiners(joined) == text  # nothing else changes
    for prev, nxt in _invisible_places(joined):
        assert nxt not in _MARKS, (text, joined)  # never before a mark or a following vowel
        assert prev not in _LEADING, (text, joined)  # never between a leading vowel and its consonant
        assert after_marks or prev not in _UPPER, (text, joined)  # LibreOffice 7.4: never after an upper mark


PHRASES = (
    "ผู้รับมอบภารกิจดำเนินการเมื่อวันที่",
    "และจัดทำรายงานผลการดำเนินงานและรายงานการเงินประจำปีเสนอผู้บริหารของคู่ภาคี",
    "หากฝ่ายใดไม่อาจปฏิบัติตามบันทึกข้อตกลงนี้ได้ทั้งหมดหรือบางส่วนเพราะเหตุสุดวิสัยตามมาตรา",
    "องค์กรปกครองส่วนท้องถิ่นจัดให้มีมาตรการรักษาความมั่นคงปลอดภัยที่เหมาะสม",
    "ผู้มอบภารกิจจะประเมินผลการจัดบริการสาธารณะของผู้รับมอบภารกิจ",
)


@pytest.mark.parametrize("phrase", PHRASES)
def test_joiners_stand_where_libreoffices_icu_would_break_inside_a_word(phrase):
    """After join_words, every place the ICU LibreOffice breaks lines with offers a break is between two of the
    renderer's words, and a joiner stands only where ICU offered a break inside one."""
    from pipeline.render.linebreak import line_breaks

    breaks = line_breaks()
    assert breaks is not None  # LibreOffice's ICU (libicu) is installed with it
    joined = thai.join_words(phrase, after_marks=True)
    ends, at = set(), 0
    for w in thai.words_of(phrase):
        at += len(w)
        ends.add(at)
    plain_at = [i - joined[:i].count(thai.JOINER) for i in range(len(joined) + 1)]
    assert {plain_at[b] for b in breaks(joined)} <= ends, thai.join_words(phrase, True).replace(thai.JOINER, "+")
    assert thai.JOINER in joined and joined.count(thai.JOINER) < len(phrase) / 4  # a few, not one per cluster
    for i, ch in enumerate(joined):
        if ch == thai.JOINER:  # each one stands where ICU would break the plain text, at that round or a later one
            assert plain_at[i] not in ends


def test_the_renderers_words():
    joined = thai.join_words("ผู้รับมอบภารกิจดำเนินการเมื่อวันที่ ๒๒ เมษายน ๒๕๖๗", after_marks=True)
    shown = joined.replace(thai.JOINER, "+")
    assert "ผู้รับ+มอบ+ภารกิจ" in shown and "ดำเนิน+การ" in shown and "วัน+ที่ " in shown  # defined terms, phrases whole
    assert "เมษายน" in shown  # ICU keeps a month whole: no joiner needed
    assert thai.join_words("Inclusive Care 2024") == "Inclusive Care 2024"  # only Thai is touched
    # "ให้ยกเลิกความในข้อ" is ยกเลิก|ความ|ใน|ข้อ, the amendment formula, not ยก|เลิกความ
    assert thai.words_of("ให้ยกเลิกความในข้อ") == ["ให้", "ยกเลิก", "ความ", "ใน", "ข้อ"]


def test_the_compact_word_list_cuts_as_pythainlps_trie(built_examples):
    """thai.Words (a sorted list, 7 MB) gives newmm the same words as pythainlp's Trie of the same list (78 MB)."""
    import re
    import zipfile

    from pythainlp.tokenize import word_tokenize
    from pythainlp.util import Trie

    words = thai._dictionary()
    trie = Trie(words)
    runs = set()
    for b in built_examples.values():
        runs |= set(re.findall("[\u0e01-\u0e4e]+", zipfile.ZipFile(b.docx).read("word/document.xml").decode()))
    assert len(runs) > 300
    for run in sorted(runs):
        ours = word_tokenize(run, custom_dict=words, engine="newmm", keep_whitespace=True)
        assert ours == word_tokenize(run, custom_dict=trie, engine="newmm", keep_whitespace=True), run
    assert "ผู้รับมอบภารกิจ" in words and "ความใน" not in words and len(words) == len(trie)
