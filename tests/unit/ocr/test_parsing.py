"""Amounts, dates, rates and SIRET as printed on receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ocr.parsing import (
    find_amounts,
    find_dates,
    find_rates,
    luhn_ok,
    normalise_merchant,
    plain_cents,
)


@pytest.mark.parametrize(
    ("line", "cents"),
    [
        ("TOTAL TTC 12,50 €", [1250]),
        ("Total : 9.00", [900]),
        ("NET A PAYER 1 234,56", [123456]),
        ("Remise -0,75", [-75]),
        ("TVA 10% 22,73 2,27", [2273, 227]),
        ("Le 25.12.2018 à 12h30", []),
        ("Total (RM): 9.6O", [960]),
    ],
)
def test_amounts_with_decimal_comma_or_point(line: str, cents: list[int]) -> None:
    assert find_amounts(line) == cents


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Le 05/03/2024 à 12:45", "2024-03-05"),
        ("Date: 29-12-17 20:38", "2017-12-29"),
        ("05 MAR 2018", "2018-03-05"),
        ("mardi 3 août 2024", "2024-08-03"),
        ("2018-04-18 20:27", "2018-04-18"),
        ("12/31/2019", "2019-12-31"),
        ("Mar 5, 2018", "2018-03-05"),
        ("11:20 am, 7 August, 2023", "2023-08-07"),
        ("le 14 juillet, 2024", "2024-07-14"),
    ],
)
def test_dates_in_many_formats_day_first(line: str, iso: str) -> None:
    assert find_dates(line)[0][0] == dt.date.fromisoformat(iso)


def test_impossible_dates_are_ignored() -> None:
    assert find_dates("31/02/2024 and 12/13/1999") == []


def test_rates() -> None:
    assert find_rates("TVA 5,5 % sur 10,00") == [Decimal("5.5")]
    assert find_rates("TVA 20% 10% ") == [Decimal("20"), Decimal("10")]


def test_siret_luhn() -> None:
    assert luhn_ok("73282932000074")
    assert not luhn_ok("73282932000075")
    assert luhn_ok("35600000000010")  # La Poste: sum of digits a multiple of 5


def test_merchant_normalisation() -> None:
    assert normalise_merchant("Café  de l'Est.") == normalise_merchant("CAFE DE L EST")


def test_numbers_whose_decimal_mark_was_dropped_are_read_as_cents() -> None:
    assert plain_cents("TVA 308") == [308]
    assert plain_cents("ARRONDI 000") == [0]
    assert plain_cents("Table 12 couverts 4") == []
    assert plain_cents("Ticket 2024-118 12:45 75,5%") == []
    assert plain_cents("Facture FA1234567") == []


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("29/12/201711:41", "2017-12-29"),
        ("Date: 25/12/20188:13:39 PM", "2018-12-25"),
        ("2018-04-1820:27", "2018-04-18"),
        ("05MAR201811:41", "2018-03-05"),
        ("12/03/202412h30", "2024-03-12"),
    ],
)
def test_dates_glued_to_the_time_after_them(line: str, iso: str) -> None:
    assert [d.isoformat() for d, _ in find_dates(line)] == [iso]


def test_a_long_number_after_a_date_is_not_a_glued_time() -> None:
    assert find_dates("Tel 01/02/2024123456") == []


def test_a_time_written_with_a_point_is_not_an_amount() -> None:
    assert find_amounts("CB#: 389772 17/01/2018 8.08:53") == []
    assert find_amounts("Total 8.08 : 53 articles") == [808]


def test_a_year_first_date_in_digits_only_is_read_on_a_date_line_only() -> None:
    assert [d.isoformat() for d, _ in find_dates("Date/Time 11.42 20180428/191204")] == \
        ["2018-04-28"]
    assert find_dates("Ref 20180428 EAN 4006381333931") == []  # eight digits, not labelled
