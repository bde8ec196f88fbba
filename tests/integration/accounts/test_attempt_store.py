"""The database attempt counter (used without Redis) on the test database: atomic, windowed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from backend.accounts.tables import AttemptCounter
from kernel.ratelimit import DatabaseStore


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_counts_atomically_and_the_window_starts_at_the_first_attempt() -> None:
    clock = Clock()
    store = DatabaseStore(AttemptCounter, clock=clock)
    key = f"test:{uuid.uuid4().hex}"
    assert (await store.peek(key)).count == 0
    windows = await asyncio.gather(*[store.hit(key, 900) for _ in range(40)])
    assert sorted(window.count for window in windows) == list(range(1, 41))
    assert 890 <= windows[0].retry_after <= 900
    clock.now += timedelta(seconds=600)
    later = await store.hit(key, 900)
    assert later.count == 41 and 290 <= later.retry_after <= 300
    await store.release(key)
    assert (await store.peek(key)).count == 40
    clock.now += timedelta(seconds=301)
    assert (await store.peek(key)).count == 0
    assert (await store.hit(key, 900)).count == 1  # a new window
    clock.now += timedelta(seconds=901)
    assert await store.forget_expired() >= 1
    assert (await store.peek(key)).count == 0


async def test_the_housekeeping_job_forgets_ended_windows() -> None:
    from backend.accounts.jobs import forget_expired_attempts

    key = f"test:{uuid.uuid4().hex}"
    past = Clock()
    past.now -= timedelta(hours=1)
    await DatabaseStore(AttemptCounter, clock=past).hit(key, 60)
    assert await AttemptCounter.exists().where(AttemptCounter.key == key)
    assert await forget_expired_attempts() >= 1
    assert not await AttemptCounter.exists().where(AttemptCounter.key == key)
