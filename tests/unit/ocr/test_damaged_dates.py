"""Dates OCR damaged, re-read beside a time or a date label (text made up for the tests)."""

from __future__ import annotations

import datetime as dt

from ocr.damaged_dates import find_misread_dates


def test_dates_damaged_by_ocr_are_read_only_beside_a_time() -> None:
    assert find_misread_dates("Ticket 0412/2025 13:05") == [(dt.date(2025, 12, 4), "0412/2025")]
    assert find_misread_dates("Caisse 2 17/83/2825 21:35")[0][0] == dt.date(2025, 3, 17)
    assert find_misread_dates("Date: 24/18/2025")[0][0] == dt.date(2025, 10, 24)
    assert find_misread_dates("Tel 0412/2025") == []  # no time: a reference, not a date
    assert find_misread_dates("Le 04/12/2025 13:05") == []  # a clean date is not re-read


def test_a_year_with_a_wrong_century_digit_is_restored() -> None:
    assert find_misread_dates("Date : 09/11/2924 18:02")[0][0] == dt.date(2024, 11, 9)
    assert find_misread_dates("Le 30/06/2523")[0][0] == dt.date(2023, 6, 30)
    assert find_misread_dates("Ref 30/06/2523") == []  # no time, no label


def test_an_impossible_month_or_day_loses_its_misread_leading_digit() -> None:
    assert find_misread_dates("DATE: 12/67/2024")[0][0] == dt.date(2024, 7, 12)
    assert find_misread_dates("14:20 65/03/2022")[0][0] == dt.date(2022, 3, 5)
    # 13 to 19 as a month, 32 to 39 as a day: which digit is wrong cannot be told.
    assert find_misread_dates("DATE: 12/14/2024") == []
    assert find_misread_dates("DATE: 35/04/2024") == []


def test_separators_read_as_thin_digits() -> None:
    assert find_misread_dates("Date: 0771272024")[0][0] == dt.date(2024, 12, 7)
    assert find_misread_dates("Date: 07/1172024")[0][0] == dt.date(2024, 11, 7)
    assert find_misread_dates("Facture 0771272024") == []


def test_a_month_name_misread_by_one_letter() -> None:
    assert find_misread_dates("03 Nuv 2024 19:40")[0][0] == dt.date(2024, 11, 3)
    assert find_misread_dates("14 Dct 2023 08:15")[0][0] == dt.date(2023, 10, 14)
    assert find_misread_dates("03 Max 2024 19:40") == []  # March or May: left alone
