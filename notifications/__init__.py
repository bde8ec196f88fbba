"""Notifications: Web Push to devices, per-user preferences and digests, the in-app inbox.

Other domains call :func:`notify` when something happens that a person should learn about;
everything else (who gets a push, when, in which language, on which device) is decided here.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

__all__ = ("notify",)

log = logging.getLogger("nomade.push")


async def notify(
    event_type: str,
    recipients: Iterable[UUID],
    document: Mapping[str, str],
    data: Mapping[str, Any] | None = None,
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

    The inbox items and outbox rows are written with the caller's current transaction when
    there is one; call it after the domain change is saved. The push job is enqueued at once;
    rows not yet visible to it (an open transaction) are sent by the next sweep.
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
        dict(data or {}),
        action_required=action_required,
        key=key or f"event:{uuid.uuid4()}",
        now=now or datetime.now(UTC),
    )
    if due:
        if _in_transaction():
            # The rows become visible when the caller commits: knock again a little later.
            _enqueue_later((0.5, 3.0, 15.0))
        else:
            await _enqueue()
    return due


def _in_transaction() -> bool:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    return engine is not None and engine.current_transaction.get() is not None


async def _enqueue() -> None:
    from backend import jobs

    try:
        await jobs.enqueue("push.deliver")
    except (RuntimeError, KeyError):
        log.warning("push job not enqueued; the next sweep sends the push")


_later: set[asyncio.Task[None]] = set()


def _enqueue_later(delays: tuple[float, ...]) -> None:
    async def knock() -> None:
        for delay in delays:
            await asyncio.sleep(delay)
            await _enqueue()

    task = asyncio.get_running_loop().create_task(knock())
    _later.add(task)
    task.add_done_callback(_later.discard)
