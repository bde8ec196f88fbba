"""Notifications: Web Push to devices, per-user preferences and digests, the in-app inbox.

Other domains call :func:`notify` when something happens that a person should learn about;
everything else (who gets a push, when, in which language, on which device) is decided here.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from uuid import UUID

from notifications.events import EventData, IntentCall

__all__ = ("EventData", "IntentCall", "notify")

log = logging.getLogger("nomade.push")


async def notify(
    event_type: str,
    recipients: Iterable[UUID],
    document: Mapping[str, str],
    data: EventData | None = None,
    *,
    action_required: bool = False,
    key: str | None = None,
    now: datetime | None = None,
) -> int:
    """Record an event for ``recipients`` and queue its pushes; returns the pushes due now.

    Args:
        event_type: one of ``notifications.events.EVENT_TYPES`` (e.g. ``invoice_status_changed``).
        recipients: user ids; unknown or inactive users are ignored.
        document: ``{"kind": "invoice", "id": "<uuid>", "url": "/invoices/<uuid>"}``; the push
            ``Topic`` is derived from it, so newer pushes about one document replace older ones.
        data: what the texts need (see ``notifications.messages``), e.g. ``invoice_number``,
            ``status``, ``amount_cents`` (integer cents), ``reason``, ``deadline`` (ISO 8601).
        action_required: breaks through quiet hours and digests (an approval with a deadline).
        key: idempotency key of the event (e.g. ``f"invoice:{id}:status:{seq}"``): calling again
            with the same key writes nothing new. Default: a fresh key (no de-duplication).
        now: the event time (tests); defaults to the clock.

    The inbox items and push outbox rows are written in the caller's unit of work
    (``kernel.unit_of_work``), with the change they tell of: both commit or neither does. The
    ``push.deliver`` job is one of the unit of work's effects, enqueued once it committed.
    Outside any transaction (a reminder run) the job is enqueued at once.
    """
    from notifications.schemas import DocumentRef
    from notifications.services import write_event

    ref = DocumentRef(
        str(document.get("kind", "")), str(document.get("id", "")), str(document.get("url", ""))
    )
    due = await write_event(
        event_type,
        recipients,
        ref,
        data or {},
        action_required=action_required,
        key=key or f"event:{uuid.uuid4()}",
        now=now or datetime.now(UTC),
    )
    if due:
        from kernel.unit_of_work import current_unit_of_work

        unit_of_work = current_unit_of_work()
        if unit_of_work is not None:
            unit_of_work.enqueue("push.deliver")
        elif _in_transaction():
            log.warning("notify in a transaction outside a unit of work: the push waits for "
                        "the outbox sweep")
        else:
            await _enqueue()
    return due


def _in_transaction() -> bool:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    return engine is not None and engine.current_transaction.get() is not None


async def _enqueue() -> None:
    from kernel import jobs

    try:
        await jobs.enqueue("push.deliver")
    except (RuntimeError, KeyError):
        log.warning("push job not enqueued; the next sweep sends the push")
