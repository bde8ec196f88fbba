"""Field extraction and checks from OCR lines (no image, no Tesseract)."""

from __future__ import annotations

from ocr.checks import decide_auto_accept, run_checks
from ocr.extract import Line, extract_fields

RESTAURANT = """LE PETIT ZINC
12 RUE DE LA PAIX
75002 PARIS
Tel 01 23 45 67 89
SIRET 732 829 320 00074
Le 05/03/2024 a 12:45
2 Menu du jour 38,00
1 Verre de vin 6,00
TOTAL TTC 44,00 EUR
TOTAL HT 39,55
TVA 20,0% 5,00 1,00
TVA 10,0% 34,55 3,45
CB SANS CONTACT 44,00
Merci de votre visite"""


def lines(text: str) -> list[Line]:
    return [Line(t) for t in text.splitlines()]


def test_restaurant_fields_and_checks_hold() -> None:
    ex = extract_fields(lines(RESTAURANT))
    assert ex.merchant == "LE PETIT ZINC"
    assert ex.date == "2024-03-05"
    assert ex.total_cents == 4400
    assert ex.currency == "EUR"
    assert ex.siret == "73282932000074"
    assert ex.payment_cents == 4400
    assert ex.category == "meal"
    assert sorted((r.rate, r.base_cents, r.amount_cents) for r in ex.vat) == [
        ("10", 3455, 345), ("20", 500, 100)
    ]
    checks = run_checks(ex)
    assert checks and all(c.ok for c in checks), checks
    assert decide_auto_accept(ex, checks, ocr_confidence=85)


def test_change_is_never_the_total() -> None:
    text = """CHEZ MARCEL
Date: 01/02/25
1 Plat du jour 14,50
TOTAL 14,50
ESPECES 20,00
RENDU 5,50"""
    ex = extract_fields(lines(text))
    assert ex.total_cents == 1450


def test_a_misread_payment_line_blocks_auto_accept() -> None:
    text = RESTAURANT.replace("CB SANS CONTACT 44,00", "CB SANS CONTACT 41,00")
    ex = extract_fields(lines(text))
    checks = run_checks(ex)
    assert any(c.name == "payment_equals_total" and c.ok is False for c in checks)
    assert not decide_auto_accept(ex, checks, ocr_confidence=85)


def test_illegal_french_rate_and_bad_siret_fail() -> None:
    text = RESTAURANT.replace("TVA 20,0% 5,00 1,00", "TVA 19,6% 5,00 0,98").replace(
        "320 00074", "320 00075"
    )
    checks = {c.name: c.ok for c in run_checks(extract_fields(lines(text)))}
    assert checks["vat_rate_legal"] is False
    assert checks["siret_luhn"] is False


def test_company_suffix_beats_a_person_name_on_top() -> None:
    text = """MARIE LEROUX
LIBRAIRIE DES QUAIS SARL
RCS 412 118 220
14 QUAI DE LA LOIRE,
DATE: 12/11/2025 10:02
Total : 18.00"""
    ex = extract_fields(lines(text))
    assert ex.merchant == "LIBRAIRIE DES QUAIS SARL"
    assert ex.total_cents == 1800
    assert ex.currency is None


def test_hotel_category_and_taxe_de_sejour() -> None:
    text = """HOTEL DU CENTRE
Le 10/10/2025
Nuitee x2 a 89,00 178,00
Taxe de sejour x2 3,30
TOTAL TTC 181,30
TVA 10% sur 161,82 16,18
CARTE BANCAIRE 181,30"""
    ex = extract_fields(lines(text))
    assert ex.category == "lodging"
    assert ex.total_cents == 18130
    assert ex.vat[0].base_cents == 16182


def test_a_date_with_a_lost_digit_loses_to_the_complete_one() -> None:
    text = """CREPERIE DU PORT
Commande 1 -06-2025 12:01
Servi 17-06-2025 14:07
2 Galettes 19,00
TOTAL 19,00"""
    assert extract_fields(lines(text)).date == "2025-06-17"


def test_the_currency_marked_most_often_wins_over_a_stray_mark() -> None:
    ex = extract_fields([Line(t) for t in """KEDAI RUNCIT AMAN
Date: 27/04/2018
1 Gula RM 4.50
1 Kopi RM 18.50 €
TOTAL RM 23.00""".splitlines()])
    assert ex.currency == "MYR"
    ex = extract_fields([Line(t) for t in """CAFE DU COIN
Le 27/04/2025
TOTAL TTC 23,00 EUR
TVA 10% 2,09""".splitlines()])
    assert ex.currency == "EUR"
