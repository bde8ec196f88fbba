"""Fixed-window attempt counters for rate limiting (sign-in, PIN unlock).

One small interface, two stores: Redis (``INCR`` + ``EXPIRE``, shared by every process) when
``REDIS_URL`` is set, else an in-memory store (one process, which is what the default run has).
Callers look at a counter before doing costly work and count an attempt only when it failed, so
people who sign in correctly are never throttled. Fixed windows allow at most twice the limit
across a window boundary, which is enough against guessing.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Protocol

import msgspec
from redis.exceptions import RedisError

from backend.errors import DomainError

__all__ = (
    "MemoryStore",
    "RateLimitStore",
    "RedisStore",
    "Window",
    "get_store",
    "set_store",
)


class Window(msgspec.Struct, frozen=True):
    """A counter's state: attempts counted in the current window and seconds until it resets."""

    count: int
    retry_after: int


class RateLimitStore(Protocol):
    """Counts attempts per key within a window of ``window_seconds`` that starts at the first."""

    async def peek(self, key: str) -> Window:
        """The current state of ``key`` (count 0 when nothing was counted)."""
        ...

    async def hit(self, key: str, window_seconds: int) -> Window:
        """Count one attempt for ``key``; the window starts at the first attempt."""
        ...


class MemoryStore:
    """Counters in this process's memory (development and single-process runs)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._counters: dict[str, tuple[int, float]] = {}

    async def peek(self, key: str) -> Window:
        now = self._clock()
        count, expires = self._counters.get(key, (0, now))
        if expires <= now:
            return Window(0, 0)
        return Window(count, max(1, math.ceil(expires - now)))

    async def hit(self, key: str, window_seconds: int) -> Window:
        now = self._clock()
        count, expires = self._counters.get(key, (0, now))
        if expires <= now:
            count, expires = 0, now + window_seconds
            if len(self._counters) >= self._max_keys:
                self._forget_expired(now)
        self._counters[key] = (count + 1, expires)
        return Window(count + 1, max(1, math.ceil(expires - now)))

    def _forget_expired(self, now: float) -> None:
        for stale in [k for k, (_, expires) in self._counters.items() if expires <= now]:
            del self._counters[stale]
        if len(self._counters) >= self._max_keys:  # still full: drop the oldest windows
            for stale in sorted(self._counters, key=lambda k: self._counters[k][1])[
                : self._max_keys // 10
            ]:
                del self._counters[stale]


def _unavailable() -> DomainError:
    # Without its counters the limiter cannot protect sign-in: refuse for now (fail closed).
    return DomainError("SERVICE_UNAVAILABLE", {"reason": "rate_limit_store"},
                       headers={"Retry-After": "5"})


class RedisStore:
    """Counters in Redis, shared by every web process. Redis down → SERVICE_UNAVAILABLE."""

    def __init__(self, url: str, prefix: str = "nomade:rl:") -> None:
        from redis.asyncio import Redis

        self._client = Redis.from_url(url)
        self._prefix = prefix

    async def peek(self, key: str) -> Window:
        name = self._prefix + key
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                pipe.get(name)
                pipe.ttl(name)
                raw, ttl = await pipe.execute()
        except RedisError as exc:
            raise _unavailable() from exc
        count = int(raw) if raw is not None else 0
        return Window(count, max(1, int(ttl)) if count else 0)

    async def hit(self, key: str, window_seconds: int) -> Window:
        name = self._prefix + key
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, window_seconds, nx=True)  # the window starts at the first one
                pipe.ttl(name)
                count, _, ttl = await pipe.execute()
        except RedisError as exc:
            raise _unavailable() from exc
        return Window(int(count), max(1, int(ttl)))

    async def close(self) -> None:
        await self._client.aclose()


_stores: dict[tuple[str, int], RateLimitStore] = {}


def get_store(redis_url: str) -> RateLimitStore:
    """The store for this process: Redis when ``redis_url`` is set, else memory.

    A Redis client belongs to one event loop, so one is kept per running loop.
    """
    try:
        loop_id = id(asyncio.get_running_loop()) if redis_url else 0
    except RuntimeError:
        loop_id = 0
    key = (redis_url, loop_id)
    store = _stores.get(key)
    if store is None:
        store = RedisStore(redis_url) if redis_url else MemoryStore()
        _stores[key] = store
    return store


def set_store(redis_url: str, store: RateLimitStore | None) -> None:
    """Replace (or, with None, forget) the store used for ``redis_url`` on this loop (tests)."""
    try:
        loop_id = id(asyncio.get_running_loop()) if redis_url else 0
    except RuntimeError:
        loop_id = 0
    if store is None:
        _stores.pop((redis_url, loop_id), None)
    else:
        _stores[(redis_url, loop_id)] = store
