"""OCR fills a draft line's untouched fields and never a user's value."""

from __future__ import annotations

import datetime as dt

from ocr.draft_fill import application_key, draft_changes
from ocr.schemas import RULE_VERSION, OcrFields, ReceiptReading, VatLine


def reading(**confidence: float) -> ReceiptReading:
    return ReceiptReading(
        rule_version=RULE_VERSION, status="read",
        fields=OcrFields(merchant="CHEZ MARCEL", date="2024-03-05", total_cents=1450,
                         currency="EUR", category="meal",
                         vat=[VatLine("10", 1318, 132)]),
        confidence={"merchant": 0.9, "date": 0.9, "total": 0.9, "category": 0.8,
                    "currency": 0.9, **confidence},
    )


def test_untouched_fields_are_filled() -> None:
    changes = draft_changes(reading(), {"amount_cents": "ocr"})
    assert changes == {"date": dt.date(2024, 3, 5), "amount_cents": 1450, "currency": "EUR",
                       "merchant": "CHEZ MARCEL", "category": "meal", "vat_cents": 132,
                       "vat_rate_bp": 1000}


def test_user_values_are_never_overwritten() -> None:
    changes = draft_changes(reading(), {"amount_cents": "user", "merchant": "user"})
    assert "amount_cents" not in changes and "merchant" not in changes
    assert changes["date"] == dt.date(2024, 3, 5)


def test_unsure_fields_and_refused_readings_are_left_alone() -> None:
    assert "merchant" not in draft_changes(reading(merchant=0.1), {})
    refused = ReceiptReading(rule_version=RULE_VERSION, status="rejected",
                             code="OCR_NOT_A_RECEIPT")
    assert draft_changes(refused, {}) == {}


def test_application_key_is_stable_per_line_receipt_and_rules() -> None:
    assert application_key("l1", "ab", "v1") == application_key("l1", "ab", "v1")
    assert application_key("l1", "ab", "v1") != application_key("l1", "ab", "v2")
