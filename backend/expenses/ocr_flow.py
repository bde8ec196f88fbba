"""Receipt blob → OCR job → draft expense lines filled, through the sync path.

Only receipts of expense lines are read: a blob is one once its owner both uploaded it and
attached it to a line of theirs, whichever came last (:func:`receipt_held` after the upload,
``expense_line.attach_receipt`` after the attach) queues ``ocr.read_receipt`` keyed by
``ocr:{organisation}:{sha256}``. Other blobs (a supplier's documents answering an invoice, any
picture on no expense line) are never read. The job reads the blob in the isolated OCR
process (off the event loop), keeps the reading for audit, then in one transaction fills every
editable line referencing the receipt (stamped with a new sync version) and notifies the
owners; after commit it pokes the organisation so the phones pull the filled lines at once. A
crashed OCR process makes the job fail and be retried; the reading is stored once and applied
once per line (``backend.expenses.readings``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from uuid import UUID

from backend.expenses.claim_rules import claim_rules
from backend.expenses.readings import (
    AppliedLine,
    fill_line,
    lines_with_receipt,
    mission_days,
    owner_lines_listing_receipt,
    review_of,
    store_reading,
    stored_reading,
)
from backend.expenses.services import ENTITY, get_line, owner_holds_receipt
from kernel.coerce import as_uuid
from kernel.errors import Problem, register_codes
from kernel.jobs import OCR_QUEUE, job
from kernel.settings import get_settings
from kernel.unit_of_work import UnitOfWork
from notifications import EventData, notify
from ocr.errors import MESSAGES
from ocr.isolation import OcrWorker
from ocr.schemas import ReceiptReading as Reading
from sync import on_blob_held, read_blob, reference_blob, touch_rows

__all__ = ("JOB_NAME", "apply_reading", "queue_reading", "read_receipt", "receipt_held",
           "set_ocr_worker")

log = logging.getLogger("nomade.ocr")
JOB_NAME = "ocr.read_receipt"
#: Readings worth retrying (the OCR process died or the machine was too slow this time).
RETRY_CODES = frozenset({"OCR_WORKER_CRASHED"})

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


def queue_reading(unit_of_work: UnitOfWork, organisation_id: UUID, sha256: str) -> None:
    """Queue the reading of a receipt of an expense line once the write commits (once per
    blob: the job's key)."""
    unit_of_work.enqueue(JOB_NAME, key=f"ocr:{organisation_id}:{sha256}",
                         organisation_id=str(organisation_id), sha256=sha256)


@on_blob_held
async def receipt_held(organisation_id: UUID, sha256: str, holder_id: UUID) -> None:
    """Someone finished uploading a blob: when lines of theirs list it (a receipt attached
    offline, before the upload), they now reference it, and its reading fills them (the
    stored one, else one queued now). A blob on none of their lines is not read."""
    lines = await owner_lines_listing_receipt(organisation_id, sha256, holder_id)
    if not lines:
        return
    for line_id in lines:
        await reference_blob(organisation_id, sha256, ENTITY, line_id)
    reading = await stored_reading(organisation_id, sha256)
    if reading is not None:
        await apply_reading(organisation_id, sha256, reading)
    else:
        async with UnitOfWork() as unit_of_work:
            queue_reading(unit_of_work, organisation_id, sha256)


def _notification(line: AppliedLine, reading: Reading,
                  mission: tuple[dt.date, dt.date] | None) -> tuple[str, EventData]:
    reasons = review_of(reading, mission)
    review = reading.status != "read" or not reading.auto_accept or bool(reasons)
    data: EventData = {"merchant": reading.fields.merchant or ""}
    if reading.fields.total_cents is not None:
        data["amount_cents"] = reading.fields.total_cents
    if reading.code:
        data["code"] = reading.code
    if reasons:  # the first reason, in words, for the notification's body
        data["review"] = [r["code"] for r in reasons]
        data["review_fr"], data["review_en"] = reasons[0]["fr"], reasons[0]["en"]
    return ("ocr_needs_review" if review else "ocr_finished"), data


async def apply_reading(organisation_id: UUID, sha256: str, reading: Reading) -> list[AppliedLine]:
    """Fill the editable lines referencing the receipt, stamp them and notify their owners, in
    one transaction. Lines already filled by this reading, deleted lines, lines of a claim
    under review and lines whose owner did not upload the receipt themselves are left alone.
    Returns the lines changed now."""
    applied: list[AppliedLine] = []
    missions: dict[UUID, tuple[dt.date, dt.date] | None] = {}
    rules = claim_rules()
    # committed: the owners' phones are poked to pull the filled lines, their pushes sent
    async with UnitOfWork() as unit_of_work:
        for line_id in await lines_with_receipt(organisation_id, sha256):
            row = await get_line(line_id, for_update=True)
            if row is None or row["deleted_at"] is not None:
                continue
            if row["claim_id"] is not None and not (await rules.lines_editable(row["claim_id"]))[0]:
                continue
            if not await owner_holds_receipt(row, sha256):
                continue
            mission = await mission_days(organisation_id, row["claim_id"])
            changes = await fill_line(row, sha256, reading, int(row["row_version"]) + 1,
                                      mission)
            if changes is None:
                continue
            owner = as_uuid(row["owner"])
            applied.append(AppliedLine(line_id, owner, changes))
            missions[line_id] = mission
        if applied:
            touch_rows(unit_of_work, ENTITY, [a.line_id for a in applied],
                       organisation=organisation_id)
            for line in applied:
                event, data = _notification(line, reading, missions[line.line_id])
                await notify(event, [line.owner],
                             {"kind": "expense_line", "id": str(line.line_id),
                              "url": f"/expenses/{line.line_id}"},
                             data, key=f"ocr:{line.line_id}:{sha256}:{reading.rule_version}")
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
