"""Several receipts on one line: the line takes their sum, each receipt's reading is kept, and
receipts of different kinds are told apart (pure rules, no I/O)."""

from __future__ import annotations

import datetime as dt

from backend.expenses.line_findings import line_findings
from backend.expenses.receipt_totals import (
    combined_values,
    entry_of,
    merge_entries,
    receipts_differ,
)
from ocr.schemas import OcrFields, ReceiptReading, VatLine


def reading(
    merchant: str,
    day: str,
    total: int,
    category: str,
    *,
    vat: int | None = None,
    rate: str | None = None,
    currency: str = "EUR",
) -> ReceiptReading:
    fields = OcrFields(
        merchant=merchant,
        date=day,
        total_cents=total,
        category=category,
        currency=currency,
        vat_total_cents=vat,
        vat=[VatLine(rate=rate, amount_cents=vat)] if rate else [],
    )
    confidence = {
        "total": 0.9,
        "date": 0.8,
        "merchant": 0.7,
        "category": 0.9,
        "currency": 1.0,
        "vat": 0.9,
    }
    return ReceiptReading(
        rule_version="t", status="read", fields=fields, confidence=confidence, auto_accept=True
    )


HOTEL = entry_of(
    "a" * 64, reading("HOTEL IBIS GARE", "2026-04-04", 10199, "lodging", vat=927, rate="10")
)
TAXI = entry_of(
    "b" * 64, reading("TAXI RADIO LYON", "2026-04-03", 7580, "taxi", vat=689, rate="10")
)


def test_two_receipts_add_up_and_keep_the_earliest_date() -> None:
    values = combined_values([HOTEL, TAXI])
    assert values["amount_cents"] == 17779  # 101,99 € + 75,80 €, never one of them
    assert values["vat_cents"] == 927 + 689 and values["vat_rate_bp"] == 1000
    assert values["date"] == dt.date(2026, 4, 3)
    assert (values["merchant"], values["category"]) == ("HOTEL IBIS GARE", "lodging")
    assert receipts_differ([HOTEL, TAXI])


def test_two_meals_of_one_restaurant_are_one_meal_line() -> None:
    lunch = entry_of("c" * 64, reading("AU BON ACCUEIL", "2026-04-04", 1850, "meal"))
    dinner = entry_of("d" * 64, reading("AU BON ACCUEIL", "2026-04-04", 2200, "meal"))
    values = combined_values([lunch, dinner])
    assert (values["amount_cents"], values["merchant"], values["category"]) == (
        4050,
        "AU BON ACCUEIL",
        "meal",
    )
    assert not receipts_differ([lunch, dinner])
    assert line_findings("AU BON ACCUEIL", [lunch, dinner], mission=None) == []


def test_an_unreadable_or_foreign_receipt_leaves_the_amount_alone() -> None:
    blurred = entry_of(
        "e" * 64, ReceiptReading(rule_version="t", status="rejected", code="OCR_UNREADABLE")
    )
    assert "amount_cents" not in combined_values([HOTEL, blurred])  # not 101,99 € + 0
    swiss = entry_of("f" * 64, reading("TAXI GENEVE", "2026-04-03", 4000, "taxi", currency="CHF"))
    assert "amount_cents" not in combined_values([HOTEL, swiss])


def test_entries_follow_the_line_order_and_a_new_reading_replaces_the_old() -> None:
    newer = {**HOTEL, "amount_cents": 10000}
    assert merge_entries([HOTEL, TAXI], [TAXI["sha256"], HOTEL["sha256"]], newer) == [TAXI, newer]
    assert merge_entries([HOTEL], [TAXI["sha256"]], TAXI) == [TAXI]  # hotel taken off


def test_receipts_of_different_kinds_name_the_line_and_the_way_out() -> None:
    [differ, outside] = line_findings(
        "HOTEL IBIS GARE", [HOTEL, TAXI], mission=(dt.date(2026, 4, 4), dt.date(2026, 4, 5))
    )
    assert differ["code"] == "RECEIPTS_DIFFER"
    assert differ["message_en"] == (
        "Line “HOTEL IBIS GARE”: 2 receipts of different kinds (HOTEL IBIS GARE €101.99; "
        "TAXI RADIO LYON €75.80) are added up (€177.79). Split it into one line per receipt."
    )
    assert outside["code"] == "RECEIPT_DATE_OUTSIDE_MISSION"
    assert outside["figures"]["sha256"] == TAXI["sha256"]
    assert (
        "03/04/2026" in outside["message_fr"]
        and "retirez ce justificatif" in (outside["message_fr"])
    )
