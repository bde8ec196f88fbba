"""Periodic housekeeping jobs (blob collection, tombstone purge), enqueued on a clock.

Every app process runs the loop; each period's job carries the key ``name:period``, so with
several processes (and the Redis queue) a period's job is enqueued once, not once per process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from kernel import jobs
from kernel.background import BackgroundLoop

__all__ = ("due_keys", "run_schedule", "start_schedule", "stop_schedule")

log = logging.getLogger("nomade.schedule")
Periodic = tuple[tuple[str, float], ...]


def due_keys(periodic: Periodic, now: float, last: dict[str, int]) -> list[tuple[str, str]]:
    """The (job, key) pairs whose period started since ``last`` (updated in place)."""
    due: list[tuple[str, str]] = []
    for name, every in periodic:
        period = int(now // every)
        if last.get(name) != period:
            last[name] = period
            due.append((name, f"{name}:{period}"))
    return due


async def run_schedule(
    periodic: Periodic, *, tick: float = 30.0, clock: Callable[[], float] = time.time
) -> None:
    """Enqueue each periodic job once per period, forever."""
    last: dict[str, int] = {}
    while True:
        for name, key in due_keys(periodic, clock(), last):
            try:
                await jobs.enqueue(name, key=key)
            except Exception:
                log.exception("could not enqueue periodic job", extra={"job": name})
                last.pop(name, None)  # try again next tick
        await asyncio.sleep(tick)


_loop = BackgroundLoop()


def start_schedule(periodic: Periodic) -> None:
    """Start the loop in this process (the app's lifespan calls it outside tests)."""
    if periodic:
        _loop.start(lambda: run_schedule(periodic))


async def stop_schedule() -> None:
    """Stop the loop."""
    await _loop.stop()
