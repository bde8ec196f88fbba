"""Several receipts on one expense line (plusieurs justificatifs sur une ligne): each receipt's
reading is kept, the line's amount is their sum (pure: no web or database import).

A line holds what each of its receipts said (``ocr.receipts``: merchant, date, amount…), in the
order the receipts were attached. With one receipt the line is filled from it as before; with
several, the amounts (and VAT amounts) add up, the date is the earliest, and merchant and
category are kept only when every receipt agrees (else the first receipt's). Receipts of
different kinds (a hotel and a taxi) are still added up, so no receipt is silently dropped, and
:func:`receipts_differ` tells the caller to propose one line per receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal, TypedDict

from ocr.draft_fill import draft_changes
from ocr.schemas import ReceiptReading

__all__ = ("ENTRY_CONFIDENCE", "LineValue", "ReceiptEntry", "combined_values", "entry_of",
           "merge_entries", "receipts_differ")

#: Confidence keys kept per receipt (line field → the reading's key).
ENTRY_CONFIDENCE = {"amount_cents": "total", "date": "date", "merchant": "merchant"}


#: The value of one line field (date, amount_cents, currency, merchant, category, VAT…).
LineValue = str | int | dt.date | None


class ReceiptEntry(TypedDict):
    """What one receipt's reading says, as kept on the line (``ocr.receipts``): the values a
    draft would take (``date`` in ISO form), the reading's status and refusal code, the photo's
    perceptual hash and the confidence of the amount, date and merchant."""

    sha256: str
    status: str
    code: str | None
    merchant: str
    date: str | None
    amount_cents: int | None
    currency: str
    category: str | None
    vat_cents: int | None
    vat_rate_bp: int | None
    perceptual_hash: str | None
    confidence: dict[str, float]


def entry_of(sha256: str, reading: ReceiptReading) -> ReceiptEntry:
    """What one receipt's reading says, as kept on the line (values a draft would take)."""
    values = draft_changes(reading, {})
    date = values.get("date")
    return ReceiptEntry(
        sha256=sha256,
        status=reading.status,
        code=reading.code,
        merchant=values.get("merchant") or reading.fields.merchant or "",
        date=date.isoformat() if date is not None else None,
        amount_cents=values.get("amount_cents"),
        currency=values.get("currency") or "EUR",
        category=values.get("category"),
        vat_cents=values.get("vat_cents"),
        vat_rate_bp=values.get("vat_rate_bp"),
        perceptual_hash=reading.perceptual_hash,
        confidence={
            name: reading.confidence.get(key, 0.0) for name, key in ENTRY_CONFIDENCE.items()
        },
    )


def merge_entries(
    kept: Sequence[ReceiptEntry], receipts: Sequence[str], new: ReceiptEntry
) -> list[ReceiptEntry]:
    """The line's entries once ``new`` is read: one per receipt still on the line, in the
    line's order (``receipts``), the new reading replacing an older one of the same receipt."""
    by_sha = {e.get("sha256"): e for e in kept if isinstance(e, dict)}
    by_sha[new["sha256"]] = new
    return [by_sha[sha] for sha in receipts if sha in by_sha]


def _common(entries: Sequence[ReceiptEntry],
            name: Literal["currency", "vat_rate_bp", "merchant", "category"]) -> LineValue:
    values = {e.get(name) for e in entries}
    return values.pop() if len(values) == 1 else None


def receipts_differ(entries: Sequence[ReceiptEntry]) -> bool:
    """Whether the receipts are of different kinds (categories read differ): one line per
    receipt is then what the agent most likely wants."""
    kinds = {e["category"] for e in entries if e.get("category")}
    return len(kinds) > 1


def combined_values(entries: Sequence[ReceiptEntry]) -> dict[str, LineValue]:
    """Line field → value from several receipts' entries (only the fields that can be told).

    The amount is the sum when every receipt's total was read in one currency (a receipt
    still unread or unreadable leaves the amount alone rather than counting it as zero); the
    VAT amount likewise; the VAT rate only when all receipts share it.
    """
    read = [e for e in entries if e.get("status") == "read"]
    if not read:
        return {}
    values: dict[str, LineValue] = {}
    currency = _common(read, "currency")
    amounts = [e.get("amount_cents") for e in entries]
    if currency is not None and len(read) == len(entries) and None not in amounts:
        values["amount_cents"] = sum(int(a) for a in amounts if a is not None)
        values["currency"] = currency
        vats = [e.get("vat_cents") for e in read]
        if None not in vats:
            values["vat_cents"] = sum(int(v) for v in vats if v is not None)
        rate = _common(read, "vat_rate_bp")
        if rate is not None:
            values["vat_rate_bp"] = rate
    dates = sorted(day for e in read if (day := e.get("date")))
    if dates:
        values["date"] = dt.date.fromisoformat(dates[0])
    merchant = _common(read, "merchant") or next(
        (e["merchant"] for e in read if e.get("merchant")), None
    )
    if merchant:
        values["merchant"] = merchant
    category = _common(read, "category") or next(
        (e["category"] for e in read if e.get("category")), None
    )
    if category:
        values["category"] = category
    return values
