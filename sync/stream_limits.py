"""How many live-event streams (SSE) a process holds, per user and in all.

Each open stream is a task and a subscription; one user opening a thousand of them must not
stop a process answering everyone else. A stream past the caps is refused before it starts:
``LIVE_STREAMS_PER_USER`` (429) or ``LIVE_STREAMS_FULL`` (503), each with Retry-After; the
phone keeps pulling on its own timer meanwhile.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TypeVar
from uuid import UUID

from kernel.errors import DomainError, Problem, register_codes

__all__ = ("StreamCounter", "counted")

T = TypeVar("T")
RETRY_AFTER_SECONDS = 30

register_codes({
    "LIVE_STREAMS_PER_USER": Problem(
        429, "Trop de connexions en direct ouvertes pour votre compte ; fermez d'autres "
        "onglets ou appareils.", "Too many live connections open for your account; close "
        "other tabs or devices."),
    "LIVE_STREAMS_FULL": Problem(
        503, "Le serveur a atteint son nombre de connexions en direct ; nouvel essai bientôt.",
        "The server holds as many live connections as it can; retrying soon."),
})


class StreamCounter:
    """Open streams of this process, per user (single event loop: no lock needed)."""

    def __init__(self) -> None:
        self.per_user: dict[UUID, int] = {}
        self.total = 0

    def open(self, user_id: UUID, *, per_user: int, per_process: int) -> None:
        """Count a new stream, or refuse it past a cap."""
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if self.per_user.get(user_id, 0) >= per_user:
            raise DomainError("LIVE_STREAMS_PER_USER", {"max_streams": per_user},
                              headers=headers)
        if self.total >= per_process:
            raise DomainError("LIVE_STREAMS_FULL", {"max_streams": per_process},
                              headers=headers)
        self.per_user[user_id] = self.per_user.get(user_id, 0) + 1
        self.total += 1

    def close(self, user_id: UUID) -> None:
        """A stream ended."""
        left = self.per_user.get(user_id, 0) - 1
        if left > 0:
            self.per_user[user_id] = left
        else:
            self.per_user.pop(user_id, None)
        self.total = max(0, self.total - 1)


def counted(stream: AsyncIterator[T], counter: StreamCounter,
            user_id: UUID) -> AsyncGenerator[T, None]:
    """``stream``, released from ``counter`` once however it ends: client gone, shutdown, or
    never started at all (the response failed before streaming: released when collected)."""
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            counter.close(user_id)

    async def relay() -> AsyncGenerator[T, None]:
        try:
            async for item in stream:
                yield item
        finally:
            release()

    generator = relay()
    weakref.finalize(generator, release)
    return generator
