"""Receipt readings and their application to draft expense lines (the only code touching
``receipt_reading`` / ``ocr_application``; ``backend.expenses.ocr_flow`` runs the job).

A reading fills the fields of a line the user has not set (``field_sources != "user"``), marks
them ``ocr`` with the reading's confidence in the line's ``ocr`` column, and is applied once
per (line, receipt, rule version): the ``ocr_application`` row is written in the same
transaction as the line.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec

from backend.coerce import as_uuid, json_value
from backend.expenses.services import ENTITY
from backend.expenses.tables import ExpenseLine, OcrApplication, ReceiptReading
from ocr.draft_fill import application_key, draft_changes
from ocr.review import REVIEW_MESSAGES, review_reasons
from ocr.schemas import Check, OcrFields
from ocr.schemas import ReceiptReading as Reading
from sync import referencing_rows

__all__ = (
    "CONFIDENCE_OF",
    "AppliedLine",
    "fill_line",
    "lines_with_receipt",
    "ocr_summary",
    "owner_lines_listing_receipt",
    "review_of",
    "store_reading",
    "stored_reading",
)

#: Line field → key of the reading's confidence.
CONFIDENCE_OF = {"date": "date", "amount_cents": "total", "merchant": "merchant",
                 "category": "category", "currency": "currency", "vat_rate_bp": "vat",
                 "vat_cents": "vat"}


@dataclass(frozen=True)
class AppliedLine:
    """A line a reading was applied to, for the notification."""

    line_id: UUID
    owner: UUID
    changes: dict[str, Any]


def _dump(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _reading_key(organisation_id: UUID, sha256: str, rule_version: str) -> str:
    return f"{organisation_id}:{sha256}:{rule_version}"


async def stored_reading(organisation_id: UUID, sha256: str) -> Reading | None:
    """The latest stored reading of the receipt (any rule version), or None."""
    row = await ReceiptReading.select().where(
        ReceiptReading.organisation == organisation_id, ReceiptReading.sha256 == sha256,
    ).order_by(ReceiptReading.created_at, ascending=False).first()
    if row is None:
        return None
    return Reading(
        rule_version=row["rule_version"], status=row["status"], code=row["code"],
        fields=msgspec.convert(json_value(row["fields"]) or {}, OcrFields),
        confidence=json_value(row["confidence"]) or {}, auto_accept=bool(row["auto_accept"]),
        checks=msgspec.convert(json_value(row["checks"]) or [], list[Check]),
        flags=json_value(row["flags"]) or [], raw_text=row["raw_text"] or "", sha256=sha256,
    )


async def store_reading(organisation_id: UUID, sha256: str, reading: Reading) -> None:
    """Keep the reading for audit (once per rule version: a second store is ignored)."""
    await ReceiptReading.insert(ReceiptReading(
        id=uuid.uuid4(), organisation=organisation_id, sha256=sha256,
        rule_version=reading.rule_version[:40],
        reading_key=_reading_key(organisation_id, sha256, reading.rule_version),
        status=reading.status, code=reading.code, auto_accept=reading.auto_accept,
        fields=_dump(reading.fields), confidence=_dump(reading.confidence),
        checks=_dump(reading.checks), flags=_dump(reading.flags),
        candidates=_dump(reading.candidates), raw_text=reading.raw_text,
    )).on_conflict(action="DO NOTHING")


async def lines_with_receipt(organisation_id: UUID, sha256: str) -> list[UUID]:
    """Ids of the live lines of the organisation that reference ``sha256`` (a line references
    a receipt once its owner uploaded it: :func:`sync.reference_blob`)."""
    ids = [UUID(row_id) for row_id in await referencing_rows(organisation_id, sha256, ENTITY)]
    if not ids:
        return []
    rows = await ExpenseLine.select(ExpenseLine.id).where(
        ExpenseLine.organisation == organisation_id, ExpenseLine.deleted_at.is_null(),
        ExpenseLine.id.is_in(ids))
    return [as_uuid(r["id"]) for r in rows]


async def owner_lines_listing_receipt(organisation_id: UUID, sha256: str,
                                      owner: UUID) -> list[UUID]:
    """Ids of ``owner``'s live lines whose receipts list ``sha256``, referenced or not yet
    (attached offline before the upload finished): a scan of one person's lines only."""
    rows = await ExpenseLine.select(ExpenseLine.id, ExpenseLine.receipts).where(
        ExpenseLine.organisation == organisation_id, ExpenseLine.owner == owner,
        ExpenseLine.deleted_at.is_null())
    return [as_uuid(r["id"]) for r in rows if sha256 in (json_value(r["receipts"]) or [])]


def review_of(reading: Reading, mission: tuple[dt.date, dt.date] | None = None
              ) -> list[dict[str, str]]:
    """Why the line's reading needs a look, as codes with their French and English words."""
    return [{"code": code, "fr": REVIEW_MESSAGES[code][0], "en": REVIEW_MESSAGES[code][1]}
            for code in review_reasons(reading, mission)]


def ocr_summary(reading: Reading, sha256: str, filled: dict[str, Any],
                mission: tuple[dt.date, dt.date] | None = None) -> dict[str, Any]:
    """What the line's ``ocr`` column says: confidence of every field the reading proposes
    (filled or not), whether it may be accepted at a glance, the refusal code, which engine
    read each field, and the precise reasons to look at it (``review``: which check failed)."""
    fields = {name: reading.confidence.get(key, 0.0) for name, key in CONFIDENCE_OF.items()
              if name in filled or reading.confidence.get(key) is not None}
    return {"sha256": sha256, "rule_version": reading.rule_version, "status": reading.status,
            "code": reading.code, "auto_accept": reading.auto_accept, "fields": fields,
            "filled": sorted(filled), "review": review_of(reading, mission),
            "sources": reading.fields.sources}


async def fill_line(row: dict[str, Any], sha256: str, reading: Reading, new_version: int,
                    mission: tuple[dt.date, dt.date] | None = None) -> dict[str, Any] | None:
    """Write ``reading`` into the line ``row`` (read under lock, in the caller's transaction);
    ``mission`` is the first and last day of the line's mission, when it has one.

    Returns the fields changed (possibly none: the ``ocr`` column still records the reading),
    or None when it was already applied. The caller stamps the row (``row_version`` becomes
    ``new_version``) and checks that the line may change at all (claim under review).
    """
    key = application_key(row["id"], sha256, reading.rule_version)
    if await OcrApplication.exists().where(OcrApplication.application_key == key):
        return None
    sources: dict[str, str] = json_value(row["field_sources"]) or {}
    versions: dict[str, int] = json_value(row["field_versions"]) or {}
    proposed = draft_changes(reading, sources)
    changes = {k: v for k, v in proposed.items() if row.get(k) != v}
    for name in proposed:
        sources[name] = "ocr"
    for name in changes:
        versions[name] = new_version
    # The server wrote these fields: a phone's later edit made without seeing them is concurrent.
    writers = {name: client for name, client in (json_value(row["field_clients"]) or {}).items()
               if name not in changes}
    update: dict[Any, Any] = {getattr(ExpenseLine, k): v for k, v in changes.items()}
    update[ExpenseLine.field_sources] = _dump(sources)
    update[ExpenseLine.field_versions] = _dump(versions)
    update[ExpenseLine.field_clients] = _dump(writers)
    update[ExpenseLine.ocr] = _dump(ocr_summary(reading, sha256, proposed, mission))
    await ExpenseLine.update(update).where(ExpenseLine.id == row["id"])
    await OcrApplication.insert(OcrApplication(
        id=uuid.uuid4(), application_key=key, line_id=row["id"]))
    return changes
