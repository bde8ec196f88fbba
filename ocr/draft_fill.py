"""What a reading may write into a draft expense line (pure; the job applies it via sync).

OCR fills only fields the user has not set (``field_sources[field] != "user"``), only with
values read confidently enough, and each (line, receipt, rule version) is applied once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TypedDict, cast

from ocr.schemas import ReceiptReading

__all__ = (
    "MIN_FIELD_CONFIDENCE",
    "OCR_FIELDS",
    "LineValues",
    "application_key",
    "draft_changes",
)


class LineValues(TypedDict, total=False):
    """Expense-line fields as a reading gives them (a field not read is absent)."""

    date: dt.date
    amount_cents: int
    currency: str
    merchant: str
    category: str
    vat_cents: int
    vat_rate_bp: int


#: Expense-line fields OCR may fill.
OCR_FIELDS = ("date", "amount_cents", "currency", "merchant", "category", "vat_rate_bp",
              "vat_cents")
#: Below this confidence a field is left for the user rather than guessed.
MIN_FIELD_CONFIDENCE = 0.3
_CONFIDENCE_OF = {"date": "date", "amount_cents": "total", "merchant": "merchant",
                  "category": "category", "currency": "currency"}
_CATEGORY = {"meal": "meal", "lodging": "lodging", "train": "train", "taxi": "taxi",
             "fuel": "fuel", "parking": "parking"}


def application_key(line_id: object, sha256: str, rule_version: str) -> str:
    """Idempotency key: the same receipt read by the same rules is applied once per line."""
    return f"ocr:{line_id}:{sha256}:{rule_version}"


def _values(reading: ReceiptReading) -> LineValues:
    f = reading.fields
    values: LineValues = {}
    if f.date:
        values["date"] = dt.date.fromisoformat(f.date)
    if f.total_cents is not None and 0 < f.total_cents <= 100_000_000:
        values["amount_cents"] = f.total_cents
    if f.currency and len(f.currency) == 3:
        values["currency"] = f.currency
    if f.merchant:
        values["merchant"] = f.merchant[:200]
    if f.category in _CATEGORY:
        values["category"] = _CATEGORY[f.category]
    amounts = [r.amount_cents for r in f.vat if r.amount_cents is not None]
    if f.vat_total_cents is not None:
        values["vat_cents"] = f.vat_total_cents
    elif amounts and len(amounts) == len(f.vat):
        values["vat_cents"] = sum(amounts)
    if len(f.vat) == 1:
        values["vat_rate_bp"] = int(Decimal(f.vat[0].rate) * 100)
    return values


def draft_changes(reading: ReceiptReading, field_sources: Mapping[str, str]) -> LineValues:
    """Field → value to write with source ``ocr``; empty when the reading was refused."""
    if reading.status != "read":
        return {}

    def fills(name: str) -> bool:
        if field_sources.get(name) == "user":
            return False  # never overwrite what the user typed
        confidence_key = _CONFIDENCE_OF.get(name)
        return not (confidence_key and
                    reading.confidence.get(confidence_key, 0.0) < MIN_FIELD_CONFIDENCE)

    # Some of the fields read, each with its value: still LineValues (every key optional).
    return cast(LineValues, {name: value for name, value in _values(reading).items()
                             if fills(name)})
