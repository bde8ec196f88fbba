"""Pokes from outside a request: a job that changes synced rows (an OCR reading filling a draft
line) tells the organisation's phones to pull now instead of on their next timer.

Each process installs its publisher once: the web app its channels plugin (``backend.app``),
``nomade worker`` a Redis Streams publisher (``backend.live.worker_poke``). Publishing is best
effort: a lost poke costs only delay, phones also pull on start, when online and on a timer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

__all__ = ("Poke", "publish_poke", "set_poke_publisher")

log = logging.getLogger("nomade.sync.pokes")
Poke = Callable[[UUID, int], Awaitable[None]]

_publisher: Poke | None = None


def set_poke_publisher(poke: Poke | None) -> Poke | None:
    """Install this process's publisher; returns the one it replaces (to put back later)."""
    global _publisher
    previous, _publisher = _publisher, poke
    return previous


async def publish_poke(organisation_id: UUID, version: int) -> None:
    """Poke the organisation at ``version``; call after the change is committed."""
    if _publisher is None:
        log.warning("no poke publisher in this process: phones see the change on their next pull")
        return
    try:
        await _publisher(organisation_id, version)
    except Exception:
        log.warning("poke failed (phones still pull on their own)", exc_info=True)
