"""Background jobs of the notifications domain: ``push.deliver`` and the outbox sweeper."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from kernel.background import BackgroundLoop
from kernel.jobs import enqueue, job
from notifications.sender import DeliveryReport, PushSender
from notifications.services import next_due_at
from notifications.transport import close_transport
from notifications.vapid import get_signer

__all__ = ("deliver", "get_sender", "run_sweeper", "set_sender", "start_push", "stop_push")

log = logging.getLogger("nomade.push")
_MAX_WAKE_UP = 15 * 60

_sender: PushSender | None = None
_wake_up: asyncio.TimerHandle | None = None
_wake_up_at: float = 0.0
_pending: set[asyncio.Task[None]] = set()


def get_sender() -> PushSender:
    """The process's sender (one VAPID signer, one HTTP client)."""
    global _sender
    if _sender is None:
        _sender = PushSender(get_signer())
    return _sender


def set_sender(sender: PushSender | None) -> None:
    """Replace the process's sender (tests, benchmark)."""
    global _sender
    _sender = sender


async def _wake_up_later() -> None:
    """Enqueue ``push.deliver`` again when the next held push falls due (best effort)."""
    global _wake_up, _wake_up_at
    due = await next_due_at()
    if due is None:
        return
    delay = max((due - datetime.now(UTC)).total_seconds(), 0.05)
    if delay > _MAX_WAKE_UP:
        return
    loop = asyncio.get_running_loop()
    at = loop.time() + delay
    if _wake_up is not None and not _wake_up.cancelled() and _wake_up_at <= at:
        return
    if _wake_up is not None:
        _wake_up.cancel()

    def fire() -> None:
        global _wake_up
        _wake_up = None
        task = loop.create_task(enqueue("push.deliver"))
        _pending.add(task)
        task.add_done_callback(_pending.discard)

    _wake_up, _wake_up_at = loop.call_at(at, fire), at


@job("push.deliver", retries=5, timeout=600)
async def deliver(**_: Any) -> None:
    """Send every due push (and fold due digests)."""
    report = await get_sender().deliver_due()
    if report.sent or report.failed or report.gone:
        log.info("push delivered", extra=report.__dict__)
    await _wake_up_later()


async def run_sweeper(interval: float = 30.0) -> None:
    """Deliver due pushes every ``interval`` seconds, forever (start it in each worker).

    The outbox is durable; this loop is what sends rows held for quiet hours, retries and
    digests after a restart, and rows written in a transaction the first job could not see.
    """
    while True:
        try:
            report: DeliveryReport = await get_sender().deliver_due()
            if report.sent or report.failed:
                log.info("push sweep", extra=report.__dict__)
        except Exception:
            log.exception("push sweep failed")
        await asyncio.sleep(interval)


_sweeper = BackgroundLoop()


async def start_push(*, sweep: bool) -> None:
    """At process start: load the VAPID key (a broken key file stops the start with
    ``VapidKeyError``) and, where jobs run, start the outbox sweeper (a device's subscriptions
    are dropped when it signs out through the hook :func:`backend.composition.bootstrap`
    installs)."""
    get_signer()
    if sweep:
        _sweeper.start(run_sweeper)


async def stop_push() -> None:
    """At process stop: end the sweeper and close the push HTTP session."""
    await _sweeper.stop()
    await close_transport()
