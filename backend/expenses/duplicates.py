"""Receipts already claimed elsewhere in the organisation (justificatif en double): the same
file, a near-identical photo, or the same merchant, date and amount, on another agent's line
as well as on the agent's own. Only the organisation's own lines are searched.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Sequence
from functools import reduce
from uuid import UUID

from piccolo.columns import Column, Varchar

from backend.expenses.line_findings import Duplicate, DuplicateReason
from backend.expenses.receipt_totals import ReceiptEntry
from backend.expenses.services import ENTITY
from backend.expenses.tables import ExpenseLine, ReceiptReading
from kernel.coerce import as_uuid
from ocr.duplicates import NEAR_DUPLICATE_BITS, hamming, hash_bands, near_bands
from ocr.parsing import normalise_merchant
from sync import referencing_rows

__all__ = ("band_columns", "receipt_duplicates", "similar_receipts")

#: ``receipt_reading``'s indexed bands of the perceptual hash, in the hash's order.
BAND_COLUMNS: tuple[Varchar, ...] = (ReceiptReading.hash_band_0, ReceiptReading.hash_band_1,
                                     ReceiptReading.hash_band_2, ReceiptReading.hash_band_3)


def _band_key(organisation_id: UUID, band: int) -> str:
    return f"{organisation_id}:{band:04x}"


def band_columns(organisation_id: UUID, phash: str | None) -> dict[Column, str | None]:
    """The ``hash_band_*`` values of a reading of the organisation with this hash (a new
    row's ``_data``)."""
    bands = hash_bands(phash) if phash else (None,) * len(BAND_COLUMNS)
    return {column: None if band is None else _band_key(organisation_id, band)
            for column, band in zip(BAND_COLUMNS, bands, strict=True)}



async def _owners(organisation_id: UUID, ids: set[str]) -> dict[str, UUID]:
    """Owner of each live line of the organisation among ``ids``."""
    if not ids:
        return {}
    rows = await ExpenseLine.select(ExpenseLine.id, ExpenseLine.owner).where(
        ExpenseLine.organisation == organisation_id,
        ExpenseLine.deleted_at.is_null(),
        ExpenseLine.id.is_in([UUID(i) for i in ids]),
    )
    return {str(r["id"]): as_uuid(r["owner"]) for r in rows}


async def similar_receipts(organisation_id: UUID, sha256: str, phash: str) -> list[str]:
    """Other receipts of the organisation whose photo looks the same (dHash distance), read
    however long ago: only the readings with a band near the hash's are compared (indexed)."""
    near = reduce(operator.or_, (
        column.is_in([_band_key(organisation_id, value) for value in sorted(values)])
        for column, values in zip(BAND_COLUMNS, near_bands(phash), strict=True)))
    rows = await ReceiptReading.select(ReceiptReading.sha256, ReceiptReading.perceptual_hash).where(
        near, ReceiptReading.sha256 != sha256, ReceiptReading.perceptual_hash.is_not_null())
    return sorted(
        {r["sha256"] for r in rows if hamming(r["perceptual_hash"], phash) <= NEAR_DUPLICATE_BITS}
    )


async def _same_facts(organisation_id: UUID, entry: ReceiptEntry) -> list[str]:
    """Live lines of the organisation with the receipt's merchant, date and amount."""
    merchant = normalise_merchant(entry.get("merchant") or "")
    day, cents = entry.get("date"), entry.get("amount_cents")
    if not merchant or not day or cents is None:
        return []
    rows = await ExpenseLine.select(ExpenseLine.id, ExpenseLine.merchant).where(
        ExpenseLine.organisation == organisation_id,
        ExpenseLine.deleted_at.is_null(),
        ExpenseLine.date == dt.date.fromisoformat(day),
        ExpenseLine.amount_cents == int(cents),
    )
    return [str(r["id"]) for r in rows if normalise_merchant(r["merchant"] or "") == merchant]


async def receipt_duplicates(
    organisation_id: UUID, line_id: UUID, owner: UUID, entries: Sequence[ReceiptEntry]
) -> list[Duplicate]:
    """The other lines of the organisation holding one of this line's receipts (one finding per
    receipt and other line, the strongest reason first: same file, similar photo, same facts)."""
    found: dict[tuple[str, str], DuplicateReason] = {}
    mine = str(line_id)
    for entry in entries:
        sha = entry["sha256"]
        candidates: list[tuple[str, DuplicateReason]] = [
            (row_id, "same_image")
            for row_id in await referencing_rows(organisation_id, sha, ENTITY)
        ]
        if phash := entry.get("perceptual_hash"):
            for similar in await similar_receipts(organisation_id, sha, phash):
                candidates += [
                    (row_id, "similar_image")
                    for row_id in await referencing_rows(organisation_id, similar, ENTITY)
                ]
        candidates += [
            (row_id, "same_merchant_date_amount")
            for row_id in await _same_facts(organisation_id, entry)
        ]
        for row_id, reason in candidates:
            if row_id != mine:
                found.setdefault((sha, row_id), reason)
    owners = await _owners(organisation_id, {row_id for _, row_id in found})
    return [
        Duplicate(
            sha256=sha, other_line_id=row_id, reason=reason, colleague=owners[row_id] != owner
        )
        for (sha, row_id), reason in found.items()
        if row_id in owners
    ]
