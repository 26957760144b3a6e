import datetime as dt
from decimal import Decimal

import pytest

from pipeline import thai


def test_thai_digits_every_digit():
    assert thai.thai_digits("เลขที่ 1034 ถนน 0-9") == "เลขที่ ๑๐๓๔ ถนน ๐-๙"


@pytest.mark.parametrize("value,words", [
    ("1250000", "หนึ่งล้านสองแสนห้าหมื่นบาทถ้วน"),
    ("350000", "สามแสนห้าหมื่นบาทถ้วน"),
    ("1.005", "หนึ่งบาทหนึ่งสตางค์"),  # pythainlp's bahttext on a float says หนึ่งบาทถ้วน
    ("0.50", "ห้าสิบสตางค์"),
    ("21", "ยี่สิบเอ็ดบาทถ้วน"),
    ("4166.67", "สี่พันหนึ่งร้อยหกสิบหกบาทหกสิบเจ็ดสตางค์"),
])
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
