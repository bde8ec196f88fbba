"""The merchant name from the receipt header (made-up header text)."""

from __future__ import annotations

from ocr.extract import Line
from ocr.merchant import merchant_candidates


def best(text: str) -> str:
    return merchant_candidates([Line(t, 90.0) for t in text.splitlines()])[0].value


def test_a_registration_number_after_the_name_is_dropped_not_held_against_it() -> None:
    assert best("""GRANDS MOULINS DU NORD SAS (412118-K)
3 RUE DES ECLUSES
59000 LILLE
HORAIRES D'OUVERTURE""") == "GRANDS MOULINS DU NORD SAS"


def test_hotel_is_a_trade_word_not_a_phone_label() -> None:
    assert best("""HOTEL DES VOYAGEURS
56 COURS LAFAYETTE
69003 LYON
Tel 04 78 00 00 00""") == "HOTEL DES VOYAGEURS"


def test_a_restaurant_named_table_is_not_a_table_number() -> None:
    assert best("""LA TABLE DE MARGOT
16 AVENUE JEAN JAURES
75019 PARIS
Table 12 couverts 2""") == "LA TABLE DE MARGOT"
