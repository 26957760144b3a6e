"""Thai and English formatting: digits, Buddhist-Era dates, amounts in figures and in words (money in Decimal)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words
from pythainlp.util import arabic_digit_to_thai_digit, num_to_thaiword, thai_digit_to_arabic_digit

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
SATANG = Decimal("0.01")


def thai_digits(text: str) -> str:
    """Every Arabic digit as a Thai digit (๐-๙)."""
    return arabic_digit_to_thai_digit(text) if text else text


def arabic_digits(text: str) -> str:
    return thai_digit_to_arabic_digit(text) if text else text


def localise_digits(text: str, lang: str, digits: str = "thai") -> str:
    return thai_digits(text) if lang == "th" and digits == "thai" else text


def to_money(value) -> Decimal:
    """An amount as Decimal rounded to the satang, half up (never through a binary float)."""
    return Decimal(str(value)).quantize(SATANG, rounding=ROUND_HALF_UP)


def money_figures(value) -> str:
    """1250000 -> '1,250,000'; 4166.67 -> '4,166.67' (satang shown only when there are some)."""
    amount = to_money(value)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.2f}"


def baht_words_th(value) -> str:
    """1250000 -> 'หนึ่งล้านสองแสนห้าหมื่นบาทถ้วน'; 1.005 -> 'หนึ่งบาทหนึ่งสตางค์'."""
    amount = to_money(value)
    if amount < 0:
        return "ลบ" + baht_words_th(-amount)
    baht, satang = divmod(int(amount * 100), 100)
    words = (num_to_thaiword(baht) + "บาท") if baht else ""
    if satang:
        return words + num_to_thaiword(satang) + "สตางค์"
    return (words or "ศูนย์บาท") + "ถ้วน"


def baht_words_en(value) -> str:
    """1250000 -> 'one million two hundred and fifty thousand baht'."""
    amount = to_money(value)
    baht, satang = divmod(int(abs(amount) * 100), 100)
    words = f"{num2words(baht, lang='en')} baht"
    if satang:
        words += f" and {num2words(satang, lang='en')} satang"
    return ("minus " if amount < 0 else "") + words


def money(value, lang: str) -> str:
    """Figures and words, the way an agreement writes an amount."""
    if lang == "th":
        return f"{money_figures(value)} บาท ({baht_words_th(value)})"
    return f"{money_figures(value)} baht ({baht_words_en(value)})"


def date(value: dt.date, lang: str) -> str:
    """Thai: '22 เมษายน 2567' (Buddhist Era; digits localised later); English: '22 April 2024'."""
    if lang == "th":
        return f"{value.day} {THAI_MONTHS[value.month - 1]} {value.year + 543}"
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
    return value.year + 543 + (1 if value.month >= 10 else 0)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months covered by an inclusive period: 2024-05-01..2025-04-30 -> 12."""
    after = end + dt.timedelta(days=1) if end < dt.date.max else end
    months = (after.year - start.year) * 12 + (after.month - start.month)
    if after.day < start.day:
        months -= 1
    return months


def parse_user_date(text: str) -> dt.date:
    """Dates as Thai users type them: ๒๒/๔/๒๕๖๗, 22/4/2567, 22/4/2024, 2024-04-22. Raises ValueError."""
    s = arabic_digits(str(text).strip())
    if "-" in s:
        y, m, d = (int(x) for x in s.split("-"))
    else:
        parts = s.replace(".", "/").split("/")
        if len(parts) != 3:
            raise ValueError(text)
        d, m, y = (int(x) for x in parts)
    if y > 2400:
        y -= 543
    return dt.date(y, m, d)


def parse_user_amount(text: str) -> Decimal:
    """'1,250,000', '๑,๒๕๐,๐๐๐ บาท', '4166.67' -> Decimal. Raises ValueError."""
    s = arabic_digits(str(text)).replace(",", "").replace("บาท", "").replace("baht", "").strip()
    try:
        return Decimal(s)
    except Exception as exc:
        raise ValueError(text) from exc
