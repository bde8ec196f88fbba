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
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import msgspec

from backend.expenses.claim_rules import claim_rules
from backend.expenses.duplicates import band_columns
from backend.expenses.line_findings import line_findings
from backend.expenses.receipt_totals import (
    ENTRY_CONFIDENCE,
    LineValue,
    ReceiptEntry,
    combined_values,
    entry_of,
    merge_entries,
)
from backend.expenses.rows import ExpenseLineRecord, OcrSummary
from backend.expenses.services import ENTITY, owner_holds_receipt
from backend.expenses.tables import ExpenseLine, OcrApplication, ReceiptReading
from backend.policy.checks import StoredFinding
from kernel.coerce import as_uuid, json_value
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
    "mission_days",
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
    changes: dict[str, LineValue]


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
        perceptual_hash=row["perceptual_hash"],
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
        perceptual_hash=reading.perceptual_hash,
        _data=band_columns(organisation_id, reading.perceptual_hash),
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


def ocr_summary(reading: Reading, sha256: str, filled: Collection[str],
                mission: tuple[dt.date, dt.date] | None = None) -> OcrSummary:
    """What the line's ``ocr`` column says: confidence of every field the reading proposes
    (filled or not), whether it may be accepted at a glance, the refusal code, which engine
    read each field, and the precise reasons to look at it (``review``: which check failed)."""
    fields = {name: reading.confidence.get(key, 0.0) for name, key in CONFIDENCE_OF.items()
              if name in filled or reading.confidence.get(key) is not None}
    return OcrSummary(sha256=sha256, rule_version=reading.rule_version, status=reading.status,
                      code=reading.code, auto_accept=reading.auto_accept, fields=fields,
                      filled=sorted(filled), review=review_of(reading, mission),
                      sources=reading.fields.sources)


async def mission_days(organisation_id: UUID, claim_id: Any) -> tuple[dt.date, dt.date] | None:
    """First and last day of the mission the line's claim is for, when it has one."""
    from backend.missions.services import live_mission

    if claim_id is None:
        return None
    mission_id = await claim_rules().mission_of(as_uuid(claim_id))
    mission = None if mission_id is None else await live_mission(organisation_id, mission_id)
    if mission is None:
        return None
    return _day(mission["starts_on"]), _day(mission["ends_on"])


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


async def _entries(row: ExpenseLineRecord, sha256: str, reading: Reading) -> list[ReceiptEntry]:
    """What each receipt of the line says once ``reading`` of ``sha256`` is in: the entries
    kept on the line, else the stored reading of a receipt its owner holds (a line read before
    entries were kept), in the line's order; receipts not read yet are left out."""
    receipts = [s for s in json_value(row["receipts"]) or [] if isinstance(s, str)]
    if sha256 not in receipts:
        receipts.append(sha256)
    kept: list[ReceiptEntry] = list((json_value(row["ocr"]) or {}).get("receipts") or [])
    known = {e.get("sha256") for e in kept if isinstance(e, dict)}
    organisation = as_uuid(row["organisation"])
    for sha in receipts:
        if sha in known or sha == sha256 or not await owner_holds_receipt(row, sha):
            continue
        earlier = await stored_reading(organisation, sha)
        if earlier is not None:
            kept.append(entry_of(sha, earlier))
    return merge_entries(kept, receipts, entry_of(sha256, reading))


def _summary(reading: Reading, sha256: str, proposed: dict[str, LineValue],
             mission: tuple[dt.date, dt.date] | None, entries: list[ReceiptEntry],
             findings: list[StoredFinding]) -> OcrSummary:
    """The line's ``ocr`` column: the last reading's summary, every receipt's entry, the
    findings; with several receipts a combined field's confidence is the lowest of theirs."""
    summary = ocr_summary(reading, sha256, proposed, mission)
    if len(entries) > 1:
        for name in ENTRY_CONFIDENCE:
            if name in proposed:
                summary["fields"][name] = min(float(e["confidence"].get(name, 0.0))
                                              for e in entries)
    if any(f["code"] == "RECEIPT_DATE_OUTSIDE_MISSION" for f in findings):
        # said once, by the finding that names the receipt and what to do
        summary["review"] = [r for r in summary["review"]
                             if r["code"] != "OCR_REVIEW_DATE_OUTSIDE_MISSION"]
    summary["receipts"] = entries
    summary["findings"] = findings
    return summary


async def fill_line(row: ExpenseLineRecord, sha256: str, reading: Reading, new_version: int,
                    mission: tuple[dt.date, dt.date] | None = None
                    ) -> dict[str, LineValue] | None:
    """Write ``reading`` into the line ``row`` (read under lock, in the caller's transaction);
    ``mission`` is the first and last day of the line's mission, when it has one.

    With several receipts on the line each one's reading is kept (``ocr.receipts``) and the
    line takes their sum (``backend.expenses.receipt_totals``); the line's findings
    (``ocr.findings``: receipts of different kinds, a receipt dated outside the mission, a
    receipt already on another line of the organisation) are made anew.

    Returns the fields changed (possibly none: the ``ocr`` column still records the reading),
    or None when it was already applied. The caller stamps the row (``row_version`` becomes
    ``new_version``) and checks that the line may change at all (claim under review).
    """
    from backend.expenses.duplicates import receipt_duplicates  # it reads this module's rows

    key = application_key(row["id"], sha256, reading.rule_version)
    if await OcrApplication.exists().where(OcrApplication.application_key == key):
        return None
    sources: dict[str, str] = json_value(row["field_sources"]) or {}
    versions: dict[str, int] = json_value(row["field_versions"]) or {}
    entries = await _entries(row, sha256, reading)
    proposed: dict[str, LineValue]
    if len(entries) > 1:
        proposed = {k: v for k, v in combined_values(entries).items() if sources.get(k) != "user"}
    else:
        # A TypedDict's values read as object; every LineValues field is a LineValue.
        proposed = cast(dict[str, LineValue], dict(draft_changes(reading, sources)))
    changes = {k: v for k, v in proposed.items() if row.get(k) != v}
    for name in proposed:
        sources[name] = "ocr"
    for name in changes:
        versions[name] = new_version
    # The server wrote these fields: a phone's later edit made without seeing them is concurrent.
    writers = {name: client for name, client in (json_value(row["field_clients"]) or {}).items()
               if name not in changes}
    title = str(changes.get("merchant") or row.get("merchant") or
                changes.get("category") or row.get("category") or "")
    duplicates = await receipt_duplicates(as_uuid(row["organisation"]), as_uuid(row["id"]),
                                          as_uuid(row["owner"]), entries)
    findings = line_findings(title, entries, mission=mission, duplicates=duplicates)
    update: dict[Any, Any] = {getattr(ExpenseLine, k): v for k, v in changes.items()}
    update[ExpenseLine.field_sources] = _dump(sources)
    update[ExpenseLine.field_versions] = _dump(versions)
    update[ExpenseLine.field_clients] = _dump(writers)
    update[ExpenseLine.ocr] = _dump(_summary(reading, sha256, proposed, mission, entries,
                                             findings))
    await ExpenseLine.update(update).where(ExpenseLine.id == row["id"])
    await OcrApplication.insert(OcrApplication(
        id=uuid.uuid4(), application_key=key, line_id=row["id"]))
    return changes
