"""The in-memory attempt counter (the Redis one is tested against a real Redis)."""

from __future__ import annotations

from kernel.ratelimit import MemoryStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_window_starts_at_first_attempt_and_resets_after_it() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)
    assert (await store.peek("k")).count == 0
    assert (await store.hit("k", 900)).count == 1
    clock.now += 600
    second = await store.hit("k", 900)
    assert (second.count, second.retry_after) == (2, 300)
    assert (await store.peek("k")).count == 2
    assert (await store.peek("other")).count == 0
    clock.now += 300
    assert (await store.peek("k")).count == 0
    assert (await store.hit("k", 900)).count == 1


async def test_memory_stays_bounded() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock, max_keys=100)
    for index in range(1000):
        await store.hit(f"k{index}", 900)
    assert len(store._counters) <= 100
    assert (await store.peek("k999")).count == 1
