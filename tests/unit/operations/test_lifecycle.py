"""Long-lived streams end when the process begins to shut down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from kernel import lifecycle


async def _ticks(period: float) -> AsyncIterator[int]:
    n = 0
    while True:
        await asyncio.sleep(period)
        n += 1
        yield n


async def test_stream_stops_at_shutdown_and_ends_with_reconnect() -> None:
    lifecycle.reset()
    received: list[int] = []

    async def consume() -> None:
        async for tick in lifecycle.until_shutdown(_ticks(0.01)):
            received.append(tick)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.1)
    assert received, "the stream delivers before shutdown"
    lifecycle.begin_shutdown()
    await asyncio.wait_for(task, 1)
    count = len(received)
    await asyncio.sleep(0.05)
    assert len(received) == count
    assert lifecycle.is_shutting_down()
    message = lifecycle.reconnect_message(750).encode().decode()
    assert "event: reconnect" in message
    assert "retry: 750" in message
    lifecycle.reset()
    assert not lifecycle.is_shutting_down()


async def test_stream_blocked_on_a_quiet_source_stops_too() -> None:
    lifecycle.reset()
    task = asyncio.create_task(_drain(lifecycle.until_shutdown(_ticks(3600))))
    await asyncio.sleep(0.02)
    lifecycle.begin_shutdown()
    assert await asyncio.wait_for(task, 1) == 0
    lifecycle.reset()


async def test_finite_source_ends_normally() -> None:
    lifecycle.reset()

    async def three() -> AsyncIterator[int]:
        for i in range(3):
            yield i

    assert await _drain(lifecycle.until_shutdown(three())) == 3


async def _drain(stream: AsyncIterator[int]) -> int:
    return len([item async for item in stream])
