"""Which document each user is looking at right now, so no push duplicates the open screen.

The app reports the document in view every ~30 s (``POST /api/v1/push/presence``); a report
lives :data:`PRESENCE_TTL` seconds. With ``REDIS_URL`` the reports are shared with the worker
processes through Redis keys with an expiry; without it they live in this process's memory
(embedded mode, where jobs run in the same process).
"""

from __future__ import annotations

import time
from typing import Protocol
from uuid import UUID

from kernel.settings import get_settings

__all__ = (
    "PRESENCE_TTL",
    "MemoryPresence",
    "Presence",
    "RedisPresence",
    "get_presence",
    "set_presence",
)

PRESENCE_TTL = 45


def _key(user_id: UUID | str, document_kind: str, document_id: str) -> str:
    return f"nomade:presence:{user_id}:{document_kind}:{document_id}"


class Presence(Protocol):
    async def report(
        self, user_id: UUID, document_kind: str, document_id: str, ttl: int = PRESENCE_TTL
    ) -> None: ...

    async def clear(self, user_id: UUID, document_kind: str, document_id: str) -> None: ...

    async def viewing(self, pairs: list[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        """The (user id, kind, id) triples among ``pairs`` being looked at now."""
        ...


class MemoryPresence:
    """Presence reports in this process."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    async def report(
        self, user_id: UUID, document_kind: str, document_id: str, ttl: int = PRESENCE_TTL
    ) -> None:
        now = time.monotonic()
        if len(self._until) > 10_000:
            self._until = {k: v for k, v in self._until.items() if v > now}
        self._until[_key(user_id, document_kind, document_id)] = now + ttl

    async def clear(self, user_id: UUID, document_kind: str, document_id: str) -> None:
        self._until.pop(_key(user_id, document_kind, document_id), None)

    async def viewing(self, pairs: list[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        now = time.monotonic()
        return {p for p in pairs if self._until.get(_key(*p), 0.0) > now}


class RedisPresence:
    """Presence reports in Redis, seen by every process."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)

    async def report(
        self, user_id: UUID, document_kind: str, document_id: str, ttl: int = PRESENCE_TTL
    ) -> None:
        await self._redis.set(_key(user_id, document_kind, document_id), b"1", ex=ttl)

    async def clear(self, user_id: UUID, document_kind: str, document_id: str) -> None:
        await self._redis.delete(_key(user_id, document_kind, document_id))

    async def viewing(self, pairs: list[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        if not pairs:
            return set()
        values = await self._redis.mget([_key(*p) for p in pairs])
        return {p for p, v in zip(pairs, values, strict=True) if v is not None}


_presence: Presence | None = None


def get_presence() -> Presence:
    """The process's presence store (Redis when configured)."""
    global _presence
    if _presence is None:
        url = get_settings().redis_url
        _presence = RedisPresence(url) if url else MemoryPresence()
    return _presence


def set_presence(presence: Presence | None) -> None:
    """Replace the presence store (tests)."""
    global _presence
    _presence = presence
