"""Fixed-window attempt counters for rate limiting (sign-in, PIN unlock).

One small interface, three stores: Redis (``INCR`` + ``EXPIRE``, shared by every process) when
``REDIS_URL`` is set, else the database (an atomic upsert on one row per key, shared by every
process on that database); an in-memory store for tests and tools.

Callers :func:`reserve` an attempt on every key *before* the costly check, atomically: of 100
concurrent guesses against a limit of 10, at most 10 are checked; the rest are refused. A
successful attempt is released again (:func:`release`), so people who sign in correctly are
never throttled; a failed one stays counted. Fixed windows allow at most twice the limit across a
window boundary, which is enough against guessing.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import msgspec
from redis.exceptions import RedisError

from kernel.errors import DomainError

__all__ = (
    "DatabaseStore",
    "MemoryStore",
    "RateLimitStore",
    "RedisStore",
    "Window",
    "get_store",
    "release",
    "reserve",
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
        """Count one attempt for ``key`` atomically; the window starts at the first attempt."""
        ...

    async def release(self, key: str) -> None:
        """Take back one attempt counted on ``key`` (it succeeded or was not made)."""
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

    async def release(self, key: str) -> None:
        count, expires = self._counters.get(key, (0, 0.0))
        if count > 0:
            self._counters[key] = (count - 1, expires)

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

    async def release(self, key: str) -> None:
        try:
            await self._client.eval(_RELEASE, 1, self._prefix + key)
        except RedisError as exc:
            raise _unavailable() from exc

    async def close(self) -> None:
        await self._client.aclose()


# Decrement only a live counter above zero (never recreate an expired one without a TTL).
_RELEASE = (
    "local n = tonumber(redis.call('get', KEYS[1]) or '0') "
    "if n > 0 then return redis.call('decr', KEYS[1]) end return 0"
)


class DatabaseStore:
    """Counters in a table of the database (``key``, ``attempts``, ``expires_at``), shared by
    every process without Redis. ``hit`` is one atomic upsert (PostgreSQL and SQLite)."""

    def __init__(self, table: Any, clock: Callable[[], datetime] | None = None) -> None:
        self._table = table
        self._name = table._meta.tablename
        self._clock = clock or (lambda: datetime.now(UTC))

    @staticmethod
    def _window(count: int, expires: Any, now: datetime) -> Window:
        if isinstance(expires, str):
            expires = datetime.fromisoformat(expires)
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        if expires <= now or count <= 0:
            return Window(0, 0)
        return Window(count, max(1, math.ceil((expires - now).total_seconds())))

    async def peek(self, key: str) -> Window:
        now = self._clock()
        rows = await self._table.raw(
            f"SELECT attempts, expires_at FROM {self._name} WHERE key = {{}}", key)  # noqa: S608
        if not rows:
            return Window(0, 0)
        return self._window(int(rows[0]["attempts"]), rows[0]["expires_at"], now)

    async def hit(self, key: str, window_seconds: int) -> Window:
        now = self._clock()
        ends = now + timedelta(seconds=window_seconds)
        rows = await self._table.raw(
            f"INSERT INTO {self._name} (key, attempts, expires_at) VALUES ({{}}, 1, {{}}) "  # noqa: S608
            f"ON CONFLICT (key) DO UPDATE SET "
            f"attempts = CASE WHEN {self._name}.expires_at <= {{}} THEN 1 "
            f"ELSE {self._name}.attempts + 1 END, "
            f"expires_at = CASE WHEN {self._name}.expires_at <= {{}} THEN {{}} "
            f"ELSE {self._name}.expires_at END "
            f"RETURNING attempts, expires_at", key, ends, now, now, ends)
        return self._window(int(rows[0]["attempts"]), rows[0]["expires_at"], now)

    async def release(self, key: str) -> None:
        await self._table.raw(
            f"UPDATE {self._name} SET attempts = attempts - 1 "  # noqa: S608
            "WHERE key = {} AND attempts > 0", key)

    async def forget_expired(self) -> int:
        """Delete the rows whose window ended (housekeeping); returns how many."""
        rows = await self._table.raw(
            f"DELETE FROM {self._name} WHERE expires_at <= {{}} RETURNING key",  # noqa: S608
            self._clock())
        return len(rows)


async def reserve(store: RateLimitStore, keys: list[str], limit: int,
                  window_seconds: int) -> None:
    """Count one attempt on each of ``keys`` before making it; RATE_LIMITED (nothing counted)
    when any of them is already at ``limit``. Atomic per key, so concurrent attempts cannot
    all slip under the limit."""
    counted: list[str] = []
    refused: list[Window] = []
    try:
        for key in keys:
            window = await store.hit(key, window_seconds)
            counted.append(key)
            if window.count > limit:
                refused.append(window)
    except BaseException:
        await release(store, counted)
        raise
    if refused:
        await release(store, counted)
        retry_after = max(window.retry_after for window in refused)
        raise DomainError("RATE_LIMITED", {"retry_after": retry_after},
                          headers={"Retry-After": str(retry_after)})


async def release(store: RateLimitStore, keys: list[str]) -> None:
    """Take back the attempt :func:`reserve` counted on ``keys`` (it succeeded)."""
    for key in keys:
        await store.release(key)


_stores: dict[tuple[str, int], RateLimitStore] = {}


def get_store(redis_url: str, fallback: Callable[[], RateLimitStore] = MemoryStore,
              ) -> RateLimitStore:
    """The store for this process: Redis when ``redis_url`` is set, else ``fallback()`` (the
    callers pass the database store; memory by default).

    A Redis client belongs to one event loop, so one is kept per running loop.
    """
    try:
        loop_id = id(asyncio.get_running_loop()) if redis_url else 0
    except RuntimeError:
        loop_id = 0
    key = (redis_url, loop_id)
    store = _stores.get(key)
    if store is None:
        store = RedisStore(redis_url) if redis_url else fallback()
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
