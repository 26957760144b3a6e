"""Thai and English as the documents write it: amounts in words, digits localised, lists joined, words kept whole
at line ends. The values it writes (dates, amounts, fiscal years, digits) are `pipeline/values.py`'s."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from num2words import num2words
from pythainlp.util import num_to_thaiword

# The values below the documents' Thai (pipeline/values.py), named here too: what writes Thai reads them from here.
from pipeline.values import (  # noqa: F401  (named again, explicitly: `X as X`)
    BE_OFFSET as BE_OFFSET,
)
from pipeline.values import (
    EN_MONTHS as EN_MONTHS,
)
from pipeline.values import (
    MAX_DATE_TEXT as MAX_DATE_TEXT,
)
from pipeline.values import (
    SATANG as SATANG,
)
from pipeline.values import (
    THAI_MONTHS as THAI_MONTHS,
)
from pipeline.values import (
    THAI_MONTHS_SHORT as THAI_MONTHS_SHORT,
)
from pipeline.values import (
    ShortYear as ShortYear,
)
from pipeline.values import (
    arabic_digits as arabic_digits,
)
from pipeline.values import (
    buddhist_year as buddhist_year,
)
from pipeline.values import (
    date as date,
)
from pipeline.values import (
    fiscal_year as fiscal_year,
)
from pipeline.values import (
    gregorian_year as gregorian_year,
)
from pipeline.values import (
    money_figures as money_figures,
)
from pipeline.values import (
    months_between as months_between,
)
from pipeline.values import (
    number as number,
)
from pipeline.values import (
    parse_user_amount as parse_user_amount,
)
from pipeline.values import (
    parse_user_date as parse_user_date,
)
from pipeline.values import (
    thai_digits as thai_digits,
)
from pipeline.values import (
    to_money as to_money,
)


def localise_digits(text: str, lang: str, digits: str = "thai") -> str:
    return thai_digits(text) if lang == "th" and digits == "thai" else text


def baht_words_th(value: object) -> str:
    """1250000 -> 'หนึ่งล้านสองแสนห้าหมื่นบาทถ้วน'; 1.005 -> 'หนึ่งบาทหนึ่งสตางค์'."""
    amount = to_money(value)
    if amount < 0:
        return "ลบ" + baht_words_th(-amount)
    baht, satang = divmod(int(amount * 100), 100)
    words = (num_to_thaiword(baht) + "บาท") if baht else ""
    if satang:
        return words + num_to_thaiword(satang) + "สตางค์"
    return (words or "ศูนย์บาท") + "ถ้วน"


def baht_words_en(value: object) -> str:
    """1250000 -> 'one million two hundred and fifty thousand baht'."""
    amount = to_money(value)
    baht, satang = divmod(int(abs(amount) * 100), 100)
    words = f"{num2words(baht, lang='en')} baht"
    if satang:
        words += f" and {num2words(satang, lang='en')} satang"
    return ("minus " if amount < 0 else "") + words


def money(value: object, lang: str) -> str:
    """Figures and words, the way an agreement writes an amount."""
    if lang == "th":
        return f"{money_figures(value)} บาท ({baht_words_th(value)})"
    return f"{money_figures(value)} baht ({baht_words_en(value)})"


def percent(value: object, lang: str) -> str:
    """Official style: "ร้อยละ 40" (digits localised later), "40 per cent"; never "(40%)"."""
    return f"ร้อยละ {number(value)}" if lang == "th" else f"{number(value)} per cent"


def fiscal_year_words(year: int, lang: str) -> str:
    """A Thai fiscal year (Buddhist Era): "ปีงบประมาณ พ.ศ. 2568"; in English, Gregorian as an English reader expects:
    "fiscal year 2025 (1 October 2024 to 30 September 2025)"."""
    if lang == "th":
        return f"ปีงบประมาณ พ.ศ. {year}"
    ce = gregorian_year(year)
    return (
        f"Thai fiscal year {ce} (B.E. {year}: {date(dt.date(ce - 1, 10, 1), 'en')} to {date(dt.date(ce, 9, 30), 'en')})"
    )


def and_join(items: list[str], lang: str, word: str | None = None) -> str:
    """Thai lists: "ก ข และ ค" (spaces, the last with และ); English: "a, b and c"."""
    word = word or ("และ" if lang == "th" else "and")
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if lang == "th":
        return " ".join(items[:-1]) + f" {word}" + items[-1]
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


_IRREGULAR = {"child": "children", "person": "people", "man": "men", "woman": "women", "centre": "centres"}


def plural(n: object, word: str) -> str:
    """An English noun for a count: 1 instalment, 2 instalments, 100 children."""
    try:
        one = Decimal(str(n)) == 1
    except Exception:
        one = False
    if one or not word or not word.isascii():
        return word
    head, _, last = word.rpartition(" ")
    lower = last.lower()
    if lower in _IRREGULAR:
        last = _IRREGULAR[lower]
    elif lower.endswith("s") and not lower.endswith("ss"):
        return word  # already plural ("persons")
    elif lower.endswith(("s", "x", "ch", "sh")):
        last += "es"
    elif lower.endswith("y") and lower[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


_COMMON_HEAD = re.compile(
    r"^(Department|Office|Ministry|Bureau|Institute|Council|Secretariat|Provincial|Municipality|"
    r"Foundation|Association|Division|Centre|Center|Committee|City|Town|Province|University) (of|for)\b"
)


def with_article(name: str) -> str:
    """ "the Department of Older Persons": an English name made of a common noun and "of" takes the article."""
    return f"the {name}" if _COMMON_HEAD.match(name or "") else name


_TH_DIGIT = "0-9๐-๙"
_NO_BREAK = (
    # "ข้อ ๕", "วันที่ ๓", "หมู่ที่ ๓", "ครั้งที่ ๒", "งวดที่ ๑", "ร้อยละ ๔๐", "มาตรา ๔๐", "พ.ศ. ๒๕๖๒": word and number stay on one line
    re.compile(rf"(ข้อ|วันที่|หมู่ที่|ครั้งที่|งวดที่|ฉบับที่|ร้อยละ|มาตรา|พ\.ศ\.|ค\.ศ\.|Clause|No\.|B\.E\.) (?=[{_TH_DIGIT}])"),
    # a date: "๓๐ พฤศจิกายน ๒๕๖๗", "30 November 2024"
    re.compile(rf"(?<=[{_TH_DIGIT}]) (?=(?:{'|'.join(THAI_MONTHS + EN_MONTHS)}) [{_TH_DIGIT}])"),
    re.compile(rf"({'|'.join(THAI_MONTHS + EN_MONTHS)}) (?=[{_TH_DIGIT}])"),
    # a number and its unit: "๕๐๐,๐๐๐ บาท", "๒๔ ชั่วโมง", "30 days"
    re.compile(
        rf"(?<=[{_TH_DIGIT}]) (?=บาท|baht|ชั่วโมง|วัน(?!ที่)|เดือน|ปี(?!งบ)|คน|ครั้ง|ฉบับ|งวด|แห่ง|hours?\b|days?\b|months?\b|years?\b|copies\b|instalments?\b)"
    ),
    # a section and its paragraph: "มาตรา ๒๔ (๔)", "section 37 (4)"
    re.compile(rf"(?<=[{_TH_DIGIT}]) (?=\([{_TH_DIGIT}]+\))"),
    # "ภาคผนวก ก", "Annex A", "ปีงบประมาณ พ.ศ."
    re.compile(r"(ภาคผนวก|Annex) (?=[ก-ฮA-Z](?:\s|$|[,.:;)]))"),
    re.compile(r"(ปีงบประมาณ|fiscal year) (?=พ\.ศ\.|B\.E\.|[0-9๐-๙])"),
)


def keep_together(text: str) -> str:
    """No-break spaces where a line must not break at a space: dates, "ข้อ ๕", "หมู่ที่ ๓", "ภาคผนวก ก", a number and its
    unit. LibreOffice and Word both honour U+00A0, and it reads back as a space. Written by hand: no library marks
    these. Inside a Thai word, join_words() does the same work at render time."""
    for pattern in _NO_BREAK:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "\u00a0", text)
    return text


# -- Thai line breaking: joiners inside words ---------------------------------------------------------------------
# LibreOffice breaks Thai lines with ICU's dictionary, which splits compounds and phrases (ดำเนิน|การ, เมื่อวัน|ที่).
# A joiner forbids a break where it stands. The words are pythainlp's (newmm, with the terms below); the same ICU
# LibreOffice uses is asked where it would break (linebreak.py), and a joiner goes at each such place inside a word,
# again until ICU offers no break inside a word (a joiner splits the run ICU segments, which can move its other
# breaks). The joiner is U+FEFF ZERO WIDTH NO-BREAK SPACE, a word joiner to Unicode's line breaking: each U+2060 WORD
# JOINER costs LibreOffice 25.2 layout time (the four Thai examples: 1.4 s of export with U+2060 at the same places,
# 0.87 s with U+FEFF, 0.75 s with none; 6.8 s with a U+2060 between every two clusters, as before), and the line ends
# are the same (0 of 499 inside a word). Joiners are invisible, take no width, and stay out of the text layer (TH
# Sarabun New has no glyph for them). A joiner never stands between a letter and its mark, which would reorder the
# marks in the text layer (หนึ่ง read back as หนึง่), nor after a leading vowel. Rendering, not content: the assembled
# text and the DOCX a user edits never hold them (LibreOffice's Find would no longer find a word with a joiner
# inside); only the copy of the DOCX that goes to LibreOffice for the PDF does (pdf.for_libreoffice).

JOINER = "\ufeff"
_THAI_RUN = re.compile("[\u0e01-\u0e4e]+")
_LEADING = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")
_THAI_LETTERS = frozenset(chr(c) for c in range(0x0E01, 0x0E2F)) | _LEADING  # consonants and leading vowels
_MARKS = frozenset(
    "\u0e30\u0e31\u0e32\u0e33\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e45\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
)
# After an upper vowel or a tone mark, a joiner makes LibreOffice 7.4's PDF export put the mark after the next letter
# in the text layer (พัฒนา read back as พฒันา, ครั้ง as ครัง้), so for 7.4 (`after_marks` false) no joiner stands there.
_NO_JOINER_AFTER = _LEADING | frozenset(
    "\u0e31" + "".join(chr(c) for c in [*range(0x0E34, 0x0E38), *range(0x0E47, 0x0E4F)])
)
_ROUNDS = 6  # ICU asked again after placing joiners; two or three rounds settle every run of the shared examples


def strip_joiners(text: str) -> str:
    """The text without the renderer's joiners."""
    return text.replace(JOINER, "") if text else text


# Terms an agreement defines or repeats, kept whole on a line as DRAFTING.md asks ("defined terms are not broken"):
# pythainlp's dictionary splits them (ผู้|สูงอายุ, ผู้|รับบริการ), so they are added to it for placing the joiners.
UNBROKEN_TERMS = (
    "ผู้มอบภารกิจ",
    "ผู้รับมอบภารกิจ",
    "คู่ภาคี",
    "ผู้สูงอายุ",
    "ผู้รับบริการ",
    "ผู้ใช้บริการ",
    "ผู้เยาว์",
    "ผู้มีอำนาจ",
    "ประเมินผล",
    "การประเมินผล",
    "ผู้ใช้อำนาจปกครอง",
    "ผู้ปฏิบัติงาน",
    "ผู้อำนวยการ",
    "ผู้ช่วยเลขานุการ",
    "ความเห็นชอบ",
    "นับแต่",
    "รายงานการเงิน",  # newmm read ราย|งานการ|เงินประจำปี
    "ตามมาตรา",  # kept whole with its section number's lead-in; `longest` reads ตามมา|ตรา, so ตาม|มาตรา counted as broken
    "รักษาความมั่นคงปลอดภัย",
    "ค่าเป้าหมาย",  # the annex's step columns: "ค่าเป้าหมาย ณ ระยะกลาง ครั้งที่ ๑" in a narrow header (ระยะ|กลาง broke)
    "ระยะกลาง",
    "สหวิชาชีพ",  # newmm reads สห|วิชาชีพ: broke in the indicators' narrow column
    "ครั้งที่",  # the PDPA's term: without it newmm reads มาตร|การรักษา (มาตรการ broken at a line end)
)
# Dictionary words that in an agreement are two: "ให้ยกเลิกความในข้อ ๕" is ยกเลิก|ความ|ใน|ข้อ (cancel the text of
# clause 5), not ยก|เลิกความ; with ความใน as one word "ข้อความในบันทึก" reads ข้อ|ความใน|บันทึก; "นับแต่วัน" is
# นับแต่|วัน (since the day), not นับ|แต่วัน.
NOT_WORDS = ("ความใน", "เลิกความ", "แต่วัน")


class Words:
    """A word list for pythainlp's newmm, which asks only `prefixes(text, start)`: the words, sorted, searched by
    bisection. pythainlp's Trie of the same 62,000 words takes 78 MB and 0.3 s to build in every worker process;
    this takes 7 MB and 0.03 s, and newmm cuts the same words with it (tested)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted({w.strip() for w in words} - {""})

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        out, words, lo, n = [], self.words, 0, len(self.words)
        for end in range(start + 1, len(text) + 1):
            piece = text[start:end]
            lo = bisect.bisect_left(words, piece, lo, n)
            if lo == n or not words[lo].startswith(piece):
                break
            if words[lo] == piece:
                out.append(piece)
        return out

    def __contains__(self, word: str) -> bool:
        at = bisect.bisect_left(self.words, word)
        return at < len(self.words) and self.words[at] == word

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __len__(self) -> int:
        return len(self.words)


@functools.lru_cache(maxsize=1)
def _dictionary() -> Words:
    from pythainlp.corpus import thai_words

    return Words((set(thai_words()) | set(UNBROKEN_TERMS)) - set(NOT_WORDS))


def words_of(run: str) -> list[str]:
    """The words of a run of Thai as the renderer reads them (newmm, with the terms above)."""
    from pythainlp.tokenize import word_tokenize

    # a Words answers what newmm asks of a Trie (its words and prefixes), in less memory
    return word_tokenize(run, custom_dict=_dictionary(), engine="newmm", keep_whitespace=True)  # type: ignore[arg-type]


def _with_joiners(run: str, joins: set[int]) -> str:
    return "".join(JOINER + ch if i in joins else ch for i, ch in enumerate(run))


@functools.lru_cache(maxsize=65536)
def _join_run(run: str, after_marks: bool) -> str:
    from pipeline.render.linebreak import line_breaks

    breaks = line_breaks()
    if breaks is None:
        return run
    words = words_of(run)
    ends = set(itertools.accumulate(map(len, words)))
    # ผู้ ("one who") makes a noun with the word after it (ผู้|ดำรงตำแหน่ง, ผู้|ประมวลผล): never a line end
    at = 0
    for word, after in zip(words, words[1:]):
        at += len(word)
        if word == "ผู้" and after[:1] in _THAI_LETTERS:
            ends.discard(at)
    skip = _LEADING if after_marks else _NO_JOINER_AFTER
    joins: set[int] = set()
    for _ in range(_ROUNDS):
        text = _with_joiners(run, joins)
        place = [i for i, ch in enumerate(run) for _ in range(2 if i in joins else 1)]  # text position -> run index
        new = {place[b] for b in breaks(text) if b < len(text)} - ends - joins
        new = {i for i in new if run[i - 1] not in skip and run[i] not in _MARKS}
        if not new:
            break
        joins |= new
    return _with_joiners(run, joins)


def join_words(text: str, after_marks: bool = False) -> str:
    """The text with a word joiner wherever LibreOffice's line breaker (ICU) would break inside a Thai word (see
    above); `after_marks` allows them after upper vowels and tone marks too, for a LibreOffice whose PDF export keeps
    marks in place there. Without an ICU library the text is left as it is."""
    if not text or not _THAI_RUN.search(text):
        return text
    return _THAI_RUN.sub(lambda m: _join_run(m.group(0), after_marks), strip_joiners(text))
