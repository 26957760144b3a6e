"""Values as people type them and rules compute with them: dates in the Buddhist Era, amounts of money, fiscal
years, months between dates, Thai and Arabic digits. Below the rules and the renderer (issue 33): `rules/` computes
and words its messages with these, `render/thai.py` writes the documents' Thai (baht in words, joiners) on top of
them, and the questionnaire, the browser and the command line parse what users type with them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from pythainlp.util import arabic_digit_to_thai_digit, thai_digit_to_arabic_digit

BE_OFFSET = 543  # the Buddhist Era: 2567 B.E. is 2024 A.D.


def buddhist_year(year: int) -> int:
    """The Buddhist-Era year of a Gregorian one: 2024 -> 2567."""
    return year + BE_OFFSET


def gregorian_year(year_be: int) -> int:
    """The Gregorian year of a Buddhist-Era one: 2567 -> 2024."""
    return year_be - BE_OFFSET


THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SATANG = Decimal("0.01")


def thai_digits(text: str) -> str:
    """Every Arabic digit as a Thai digit (๐-๙)."""
    return arabic_digit_to_thai_digit(text) if text else text


def arabic_digits(text: str) -> str:
    return thai_digit_to_arabic_digit(text) if text else text


def to_money(value) -> Decimal:
    """An amount as Decimal rounded to the satang, half up (never through a binary float)."""
    return Decimal(str(value)).quantize(SATANG, rounding=ROUND_HALF_UP)


def money_figures(value) -> str:
    """1250000 -> '1,250,000'; 4166.67 -> '4,166.67' (satang shown only when there are some)."""
    amount = to_money(value)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.2f}"


def date(value: dt.date, lang: str) -> str:
    """Thai: '22 เมษายน 2567' (Buddhist Era; digits localised later); English: '22 April 2024'."""
    if lang == "th":
        return f"{value.day} {THAI_MONTHS[value.month - 1]} {buddhist_year(value.year)}"
    return f"{value.day} {EN_MONTHS[value.month - 1]} {value.year}"


def number(value) -> str:
    """A count or measure with thousands separators: 2500 -> '2,500', 75.5 -> '75.5'."""
    if isinstance(value, (int, Decimal)) or (isinstance(value, str) and value.replace(".", "", 1).isdigit()):
        d = Decimal(str(value))
        if d == d.to_integral_value():
            return f"{int(d):,}"
        return f"{d.normalize():,f}"
    return str(value)


def fiscal_year(value: dt.date) -> int:
    """The Thai fiscal year (Buddhist Era) a date falls in: 1 October 2024 - 30 September 2025 is FY 2568."""
    return buddhist_year(value.year) + (1 if value.month >= 10 else 0)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months covered by an inclusive period: 2024-05-01..2025-04-30 -> 12."""
    after = end + dt.timedelta(days=1) if end < dt.date.max else end
    months = (after.year - start.year) * 12 + (after.month - start.month)
    if after.day < start.day:
        months -= 1
    return months


THAI_MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


class ShortYear(ValueError):
    """A date typed with a two-digit year (1/3/68): never taken silently, the user is asked for the full year."""

    def __init__(self, text: str, meant: dt.date | None):
        super().__init__(text)
        self.meant = meant


def _month_number(word: str) -> int | None:
    w = word.strip().replace(".", "").replace(" ", "").lower()
    for table in (THAI_MONTHS, tuple(m.replace(".", "") for m in THAI_MONTHS_SHORT), EN_MONTHS):
        for i, name in enumerate(table):
            if w == name.lower() or (table is EN_MONTHS and len(w) >= 3 and name.lower().startswith(w)):
                return i + 1
    return None


MAX_DATE_TEXT = 60  # "๓๐ กันยายน พ.ศ. ๒๕๖๘" is 20 characters


def parse_user_date(text: str) -> dt.date:
    """Dates as Thai users type them: ๒๒/๔/๒๕๖๗, 22/4/2567, 22/4/2024, 2024-04-22, 1 มี.ค. 2568, 1 มีนาคม 2568,
    1 March 2025. A year above 2400 is Buddhist Era. A two-digit year raises ShortYear (with the date it probably
    means); anything else that is not a date raises ValueError."""
    s = arabic_digits(str(text).strip())
    if len(s) > MAX_DATE_TEXT:  # no date is this long: refused before any pattern reads it
        raise ValueError(text[:MAX_DATE_TEXT])
    # Linear patterns only (no two quantifiers that can share a character): a user's text reaches them.
    m = re.fullmatch(r"(\d{1,2})(\D+)(\d{1,4})", s)
    if m and m.group(2).strip() and m.group(2).strip()[0] not in "/.-":
        month = _month_number(m.group(2))
        if month is None:
            raise ValueError(text)
        d, y = int(m.group(1)), int(m.group(3))
    elif re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", s):
        y, month, d = (int(x) for x in s.split("-"))
    elif re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{1,4}", s):
        d, month, y = (int(x) for x in re.split(r"[/.]", s))
    else:
        raise ValueError(text)
    if y < 100:
        be = 2500 + y  # what a Thai user means by 68: 2568
        try:
            meant = dt.date(gregorian_year(be), month, d)
        except ValueError:
            meant = None
        raise ShortYear(text, meant)
    if y > 2400:
        y = gregorian_year(y)
    return dt.date(y, month, d)


def typed_date(value: dt.date, lang: str) -> str:
    """A date as a user types it, what `parse_user_date` reads back: 1/2/2568 in Thai (Buddhist Era), 2025-02-01 in
    English."""
    return f"{value.day}/{value.month}/{buddhist_year(value.year)}" if lang == "th" else value.isoformat()


def parse_user_amount(text: str) -> Decimal:
    """'1,250,000', '๑,๒๕๐,๐๐๐ บาท', '4166.67' -> Decimal. Raises ValueError."""
    s = arabic_digits(str(text)).replace(",", "").replace("บาท", "").replace("baht", "").strip()
    try:
        value = Decimal(s) if len(s) <= 40 else None
    except Exception as exc:
        raise ValueError(text) from exc
    if value is None or not value.is_finite() or (value and value.adjusted() >= 18):  # no amount has 19 digits
        raise ValueError(text)
    return value
