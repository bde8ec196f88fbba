"""Receipt blob → OCR job → draft expense lines filled, through the sync path.

When a receipt blob completes, :func:`receipt_completed` enqueues ``ocr.read_receipt`` keyed by
``ocr:{organisation}:{sha256}``. The job reads the blob in the isolated OCR process (off the
event loop), keeps the reading for audit, then in one transaction fills every editable line
referencing the receipt (stamped with a new sync version) and notifies the owners; after
commit it pokes the organisation so the phones pull the filled lines at once. A crashed OCR
process makes the job fail and be retried; the reading is stored once and applied once per
line (``backend.expenses.readings``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from typing import Any
from uuid import UUID

from backend.coerce import as_uuid
from backend.errors import Problem, register_codes
from backend.expenses.readings import (
    AppliedLine,
    fill_line,
    lines_with_receipt,
    owner_lines_listing_receipt,
    review_of,
    store_reading,
    stored_reading,
)
from backend.expenses.services import ENTITY, get_line, owner_holds_receipt
from backend.intents import stamp_outside_intent
from backend.jobs import OCR_QUEUE, enqueue, job
from backend.settings import get_settings
from notifications import notify
from ocr.errors import MESSAGES
from ocr.isolation import OcrWorker
from ocr.schemas import ReceiptReading as Reading
from sync import on_blob_completed, on_blob_held, publish_poke, read_blob, reference_blob
from sync.storage import write_transaction

__all__ = ("JOB_NAME", "apply_reading", "read_receipt", "receipt_completed", "receipt_held",
           "set_ocr_worker")

log = logging.getLogger("nomade.ocr")
JOB_NAME = "ocr.read_receipt"
#: Readings worth retrying (the OCR process died or the machine was too slow this time).
RETRY_CODES = frozenset({"OCR_WORKER_CRASHED"})
#: Content types declared by the client worth reading (the reader checks the bytes anyway).
READABLE_TYPES = ("image/", "application/pdf", "application/octet-stream")

register_codes({code: Problem(*message) for code, message in MESSAGES.items()})

_worker: OcrWorker | None = None
_worker_lock = threading.Lock()
_timeout: float | None = None


def set_ocr_worker(worker: OcrWorker | None, timeout: float | None = None) -> None:
    """Install the process's OCR worker and its wall-clock limit (tests give roomier ones)."""
    global _worker, _timeout
    _worker, _timeout = worker, timeout


def _read_in_worker(data: bytes) -> Reading:
    """Blocking: one receipt through the long-lived OCR process (one at a time)."""
    global _worker
    with _worker_lock:
        settings = get_settings()
        limit = _timeout or settings.ocr_time_limit_seconds
        if _worker is None:  # the engines' budget inside the wall-clock limit of the process
            _worker = OcrWorker(time_budget=max(1.0, limit - 2.0), engine=settings.ocr_engine)
        return _worker.read(data, timeout=limit)


@on_blob_completed
async def receipt_completed(organisation_id: UUID, sha256: str, size: int, content_type: str,
                            uploader_id: UUID) -> None:
    """Every completed photo or PDF may be a receipt: queue its reading (once per blob)."""
    if not content_type.startswith(READABLE_TYPES):
        return
    await enqueue(JOB_NAME, key=f"ocr:{organisation_id}:{sha256}",
                  organisation_id=str(organisation_id), sha256=sha256)


@on_blob_held
async def receipt_held(organisation_id: UUID, sha256: str, holder_id: UUID) -> None:
    """Someone finished uploading a receipt: the lines they attached it to (offline, before
    the upload) now reference it, and a reading already made fills them."""
    lines = await owner_lines_listing_receipt(organisation_id, sha256, holder_id)
    for line_id in lines:
        await reference_blob(organisation_id, sha256, ENTITY, line_id)
    reading = await stored_reading(organisation_id, sha256) if lines else None
    if reading is not None:
        await apply_reading(organisation_id, sha256, reading)


def _notification(line: AppliedLine, reading: Reading,
                  mission: tuple[dt.date, dt.date] | None) -> tuple[str, dict[str, Any]]:
    reasons = review_of(reading, mission)
    review = reading.status != "read" or not reading.auto_accept or bool(reasons)
    data: dict[str, Any] = {"merchant": reading.fields.merchant or ""}
    if reading.fields.total_cents is not None:
        data["amount_cents"] = reading.fields.total_cents
    if reading.code:
        data["code"] = reading.code
    if reasons:  # the first reason, in words, for the notification's body
        data["review"] = [r["code"] for r in reasons]
        data["review_fr"], data["review_en"] = reasons[0]["fr"], reasons[0]["en"]
    return ("ocr_needs_review" if review else "ocr_finished"), data


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


async def _mission_days(organisation_id: UUID, claim_id: Any
                        ) -> tuple[dt.date, dt.date] | None:
    """First and last day of the mission the line's claim is for, when it has one."""
    from backend.claims.services import mission_of  # claims reads lines: import late
    from backend.missions.services import mission_row

    if claim_id is None:
        return None
    mission_id = await mission_of(claim_id if isinstance(claim_id, UUID) else UUID(str(claim_id)))
    mission = None if mission_id is None else await mission_row(organisation_id, mission_id)
    if mission is None:
        return None
    return _day(mission["starts_on"]), _day(mission["ends_on"])


async def apply_reading(organisation_id: UUID, sha256: str, reading: Reading) -> list[AppliedLine]:
    """Fill the editable lines referencing the receipt, stamp them and notify their owners, in
    one transaction. Lines already filled by this reading, deleted lines, lines of a claim
    under review and lines whose owner did not upload the receipt themselves are left alone.
    Returns the lines changed now."""
    from backend.claims.services import lines_editable  # claims reads lines: import late

    applied: list[AppliedLine] = []
    missions: dict[UUID, tuple[dt.date, dt.date] | None] = {}
    version = 0
    async with write_transaction():
        for line_id in await lines_with_receipt(organisation_id, sha256):
            row = await get_line(line_id, for_update=True)
            if row is None or row["deleted_at"] is not None:
                continue
            if row["claim_id"] is not None and not (await lines_editable(row["claim_id"]))[0]:
                continue
            if not await owner_holds_receipt(row, sha256):
                continue
            mission = await _mission_days(organisation_id, row["claim_id"])
            changes = await fill_line(row, sha256, reading, int(row["row_version"]) + 1,
                                      mission)
            if changes is None:
                continue
            owner = as_uuid(row["owner"])
            applied.append(AppliedLine(line_id, owner, changes))
            missions[line_id] = mission
        if applied:
            version = await stamp_outside_intent(organisation_id, ENTITY,
                                                 [a.line_id for a in applied])
            for line in applied:
                event, data = _notification(line, reading, missions[line.line_id])
                await notify(event, [line.owner],
                             {"kind": "expense_line", "id": str(line.line_id),
                              "url": f"/expenses/{line.line_id}"},
                             data, key=f"ocr:{line.line_id}:{sha256}:{reading.rule_version}")
    if applied:  # committed: the owners' phones pull the filled lines now
        await publish_poke(organisation_id, version)
    return applied


@job(JOB_NAME, retries=3, timeout=300, queue=OCR_QUEUE)  # a queue of its own: pushes never wait
async def read_receipt(organisation_id: str, sha256: str) -> int:
    """Read the receipt (or reuse its stored reading) and apply it; returns lines changed."""
    org = UUID(organisation_id)
    reading = await stored_reading(org, sha256)
    if reading is None:
        data = await read_blob(org, sha256)
        reading = await asyncio.to_thread(_read_in_worker, data)
        if reading.code in RETRY_CODES:
            raise RuntimeError(f"OCR failed with {reading.code}; the queue retries")
        await store_reading(org, sha256, reading)
        reading = await stored_reading(org, sha256) or reading
    applied = await apply_reading(org, sha256, reading)
    log.info("receipt read", extra={"sha256": sha256, "status": reading.status,
                                    "code": reading.code, "lines": len(applied)})
    return len(applied)
