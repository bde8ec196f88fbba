"""kernel.background: a process's loop runs once however often it is started, and stops."""

from __future__ import annotations

import asyncio

from kernel.background import BackgroundLoop


async def test_a_loop_started_twice_runs_once_and_stops_when_asked() -> None:
    runs: list[int] = []
    stopped = asyncio.Event()

    async def loop() -> None:
        runs.append(1)
        try:
            await asyncio.sleep(3600)
        finally:
            stopped.set()

    background = BackgroundLoop()
    background.start(loop)
    background.start(loop)
    await asyncio.sleep(0)
    assert runs == [1] and background.running
    await background.stop()
    assert stopped.is_set() and not background.running
    await background.stop()  # stopping a stopped loop is harmless
