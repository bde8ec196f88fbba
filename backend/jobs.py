"""Background jobs: a Redis-backed SAQ queue with ``REDIS_URL``, an in-process runner without.

Domains declare jobs with :func:`job` in their ``jobs.py`` module (listed in
``backend.composition.JOB_MODULES``) and enqueue them with :func:`enqueue`. A job must be
idempotent: it may run again after a crash (the queue retries it), and its effect must apply
once (use a unique key per effect).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = (
    "InProcessQueue",
    "JobFunction",
    "JobQueue",
    "RedisQueue",
    "current_queue",
    "enqueue",
    "get_queue",
    "job",
    "load_job_modules",
    "registered_jobs",
    "set_queue",
)

log = logging.getLogger("nomade.jobs")
JobFunction = Callable[..., Awaitable[Any]]
_JOBS: dict[str, tuple[JobFunction, int, float]] = {}


def job(
    name: str, *, retries: int = 5, timeout: float = 120.0
) -> Callable[[JobFunction], JobFunction]:
    """Register ``fn`` as the job ``name``; it receives the keyword arguments it was given."""

    def register(fn: JobFunction) -> JobFunction:
        if name in _JOBS and _JOBS[name][0] is not fn:
            raise ValueError(f"job {name} registered twice")
        _JOBS[name] = (fn, retries, timeout)
        return fn

    return register


def registered_jobs() -> dict[str, tuple[JobFunction, int, float]]:
    """Name → (function, retries, timeout) of every registered job."""
    return dict(_JOBS)


def load_job_modules(modules: tuple[str, ...]) -> None:
    """Import the modules that declare jobs (the worker and the app both call this)."""
    for module in modules:
        importlib.import_module(module)


class JobQueue(Protocol):
    """Where jobs are sent."""

    async def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def depth(self) -> int: ...


@dataclass
class InProcessQueue:
    """Runs jobs on the event loop of this process, with retries and backoff (embedded mode)."""

    concurrency: int = 2
    base_delay: float = 0.5
    _queue: asyncio.Queue[tuple[str, dict[str, Any], int]] = field(default_factory=asyncio.Queue)
    _workers: list[asyncio.Task[None]] = field(default_factory=list)
    _keys: set[str] = field(default_factory=set)
    _in_flight: int = 0

    async def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> None:
        if name not in _JOBS:
            raise KeyError(f"unknown job {name}")
        if key is not None:
            if key in self._keys:
                return
            self._keys.add(key)
        kwargs["_key"] = key
        await self._queue.put((name, kwargs, 1))

    async def start(self) -> None:
        self._workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]

    async def stop(self) -> None:
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []

    async def depth(self) -> int:
        return self._queue.qsize() + self._in_flight

    async def drain(self, within_seconds: float = 30.0) -> None:
        """Wait until every queued job has finished (tests use this)."""
        async with asyncio.timeout(within_seconds):
            while await self.depth():  # noqa: ASYNC110 - retries re-enter the queue later
                await asyncio.sleep(0.02)

    async def _work(self) -> None:
        while True:
            name, kwargs, attempt = await self._queue.get()
            self._in_flight += 1
            try:
                await self._run(name, kwargs, attempt)
            finally:
                self._in_flight -= 1
                self._queue.task_done()

    async def _run(self, name: str, kwargs: dict[str, Any], attempt: int) -> None:
        fn, retries, timeout = _JOBS[name]
        key = kwargs.get("_key")
        call_kwargs = {k: v for k, v in kwargs.items() if k != "_key"}
        try:
            async with asyncio.timeout(timeout):
                await fn(**call_kwargs)
        except Exception:
            if attempt > retries:
                log.exception("job failed for good", extra={"job": name, "attempt": attempt})
                self._keys.discard(key) if key else None
                return
            delay = self.base_delay * 2 ** (attempt - 1) * (0.5 + random.random())
            log.warning("job failed, retrying", extra={"job": name, "attempt": attempt})
            asyncio.get_running_loop().call_later(
                delay, self._queue.put_nowait, (name, kwargs, attempt + 1)
            )
            return
        if key:
            self._keys.discard(key)


class RedisQueue:
    """SAQ on Redis: jobs survive restarts and run in ``nomade worker`` processes."""

    def __init__(self, redis_url: str, name: str = "nomade") -> None:
        from backend.job_sweep import SweepingRedisQueue

        # SAQ's queue, with a sweep that neither orphans a job nor takes a starting one for
        # stuck (see backend/job_sweep.py).
        self.queue = SweepingRedisQueue.from_url(redis_url, name=name,
                                                 unmarked_grace=HEARTBEAT_SECONDS)

    async def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> None:
        if name not in _JOBS:
            raise KeyError(f"unknown job {name}")
        _, retries, timeout = _JOBS[name]
        options: dict[str, Any] = {
            "retries": retries,
            "timeout": int(timeout),
            "retry_delay": 1.0,
            "retry_backoff": True,
            # A worker that dies mid-job stops beating: the job is swept and retried within
            # HEARTBEAT_SECONDS + the worker's sweep period, not after the whole timeout.
            "heartbeat": HEARTBEAT_SECONDS,
        }
        if key is not None:
            options["key"] = key
        await self.queue.enqueue(name, **options, **kwargs)

    async def start(self) -> None:
        await self.queue.connect()

    async def stop(self) -> None:
        await self.queue.disconnect()

    async def depth(self) -> int:
        return int(await self.queue.count("queued")) + int(await self.queue.count("active"))


HEARTBEAT_SECONDS = 10
SWEEP_SECONDS = 5


async def _beat(saq_job: Any) -> None:
    """Touch the running job in Redis so the queue knows its worker is alive."""
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS / 3)
        try:
            await saq_job.update()
        except Exception:
            log.warning("job heartbeat failed", exc_info=True)


def saq_functions() -> list[tuple[str, Callable[..., Awaitable[Any]]]]:
    """The registered jobs as SAQ worker functions (SAQ passes a context first)."""

    def adapt(fn: JobFunction) -> Callable[..., Awaitable[Any]]:
        async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
            saq_job = ctx.get("job")
            beat = asyncio.create_task(_beat(saq_job)) if saq_job is not None else None
            try:
                return await fn(**kwargs)
            finally:
                if beat is not None:
                    beat.cancel()

        return run

    return [(name, adapt(fn)) for name, (fn, _, _) in _JOBS.items()]


_queue: JobQueue | None = None


def set_queue(queue: JobQueue | None) -> None:
    """Install the process's queue (the app and the worker do this at start-up)."""
    global _queue
    _queue = queue


def current_queue() -> JobQueue | None:
    """The process's queue, or None before start-up."""
    return _queue


def get_queue() -> JobQueue:
    """The process's queue."""
    if _queue is None:
        raise RuntimeError("no job queue: the app or worker did not start")
    return _queue


async def enqueue(name: str, *, key: str | None = None, **kwargs: Any) -> None:
    """Send a job to the process's queue."""
    await get_queue().enqueue(name, key=key, **kwargs)
