"""Background jobs: Redis-backed SAQ queues with ``REDIS_URL``, an in-process runner without.

Domains declare jobs with :func:`job` in their ``jobs.py`` module (listed in
``backend.composition.JOB_MODULES``: the server builds the job registry from them and
:func:`install_jobs` it at start-up) and enqueue them with :func:`enqueue`. A job must be
idempotent: it may run again after a crash (the queue retries it), and its effect must apply
once (use a unique key per effect).

Each job belongs to one of :data:`QUEUES`, and each queue has its own workers and concurrency,
so a burst of slow jobs on one (receipts to read) never holds up the jobs of another (push
notifications): ``default`` takes the short jobs (push delivery, housekeeping), ``ocr`` the
receipt readings (about a second of CPU each).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kernel.declarations import declare, of_type

if TYPE_CHECKING:
    from kernel.settings import Settings

__all__ = (
    "DEFAULT_QUEUE",
    "OCR_QUEUE",
    "QUEUES",
    "InProcessQueue",
    "JobDeclaration",
    "JobFunction",
    "JobQueue",
    "JobSpec",
    "RedisQueue",
    "build_jobs",
    "current_queue",
    "enqueue",
    "get_queue",
    "install_jobs",
    "job",
    "parse_queues",
    "queue_concurrency",
    "registered_jobs",
    "set_queue",
)

log = logging.getLogger("nomade.jobs")
JobFunction = Callable[..., Awaitable[Any]]

DEFAULT_QUEUE = "default"
OCR_QUEUE = "ocr"
#: Every queue, in the order a worker serving all of them starts them.
QUEUES: tuple[str, ...] = (DEFAULT_QUEUE, OCR_QUEUE)
# The SAQ queue name in Redis: the default queue keeps the name the single queue had, so jobs
# queued by an older release are still served after an upgrade.
_REDIS_NAMES = {DEFAULT_QUEUE: "nomade", OCR_QUEUE: "nomade-ocr"}


@dataclass(frozen=True)
class JobSpec:
    """A job: its function, retries, timeout (seconds) and queue."""

    fn: JobFunction
    retries: int
    timeout: float
    queue: str


@dataclass(frozen=True)
class JobDeclaration:
    """What :func:`job` leaves in the declaring module: the job's name and specification."""

    name: str
    spec: JobSpec


_JOBS: dict[str, JobSpec] = {}


def job(
    name: str, *, retries: int = 5, timeout: float = 120.0, queue: str = DEFAULT_QUEUE
) -> Callable[[JobFunction], JobFunction]:
    """Declare ``fn`` the job ``name`` on ``queue``; it receives the keyword arguments it was
    given (registered when the server builds its registries)."""
    if queue not in QUEUES:
        raise ValueError(f"job {name}: unknown queue {queue!r} (one of {', '.join(QUEUES)})")

    def register(fn: JobFunction) -> JobFunction:
        declare(JobDeclaration(name, JobSpec(fn, retries, timeout, queue)))
        return fn

    return register


def build_jobs(declarations: list[object]) -> dict[str, JobSpec]:
    """Name → specification of the declared jobs; a name declared twice is refused."""
    built: dict[str, JobSpec] = {}
    for declared in of_type(declarations, JobDeclaration):
        if declared.name in built and built[declared.name].fn is not declared.spec.fn:
            raise ValueError(f"job {declared.name} registered twice")
        built[declared.name] = declared.spec
    return built


def install_jobs(registry: Mapping[str, JobSpec]) -> None:
    """Make ``registry`` the jobs this process enqueues and runs (start-up, once)."""
    global _JOBS
    _JOBS = dict(registry)


def registered_jobs() -> dict[str, JobSpec]:
    """Name → specification of every installed job."""
    return dict(_JOBS)


def _spec(name: str) -> JobSpec:
    spec = _JOBS.get(name)
    if spec is None:
        raise KeyError(f"unknown job {name}")
    return spec


def parse_queues(text: str) -> tuple[str, ...]:
    """``"ocr"`` or ``"default,ocr"`` → the queue names, in :data:`QUEUES` order; empty → all."""
    names = {part.strip() for part in text.split(",") if part.strip()}
    unknown = names - set(QUEUES)
    if unknown:
        raise ValueError(f"unknown queue {', '.join(sorted(unknown))} "
                         f"(queues: {', '.join(QUEUES)})")
    return tuple(q for q in QUEUES if q in names) if names else QUEUES


def queue_concurrency(settings: Settings) -> dict[str, int]:
    """Jobs run at once per queue (per worker process, or in the embedded runner)."""
    return {DEFAULT_QUEUE: max(1, settings.job_concurrency),
            OCR_QUEUE: max(1, settings.ocr_job_concurrency)}


class JobQueue(Protocol):
    """Where jobs are sent."""

    async def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def depth(self) -> int: ...

    async def depths(self) -> dict[str, int]: ...


@dataclass
class _Lane:
    """One queue of the in-process runner: its jobs and the tasks that take them."""

    concurrency: int
    jobs: asyncio.Queue[tuple[str, dict[str, Any], int]] = field(default_factory=asyncio.Queue)
    workers: list[asyncio.Task[None]] = field(default_factory=list)
    in_flight: int = 0

    def depth(self) -> int:
        return self.jobs.qsize() + self.in_flight


class InProcessQueue:
    """Runs jobs on the event loop of this process, with retries and backoff (embedded mode).

    Each queue has its own tasks (``concurrency``: one number for every queue, or per queue),
    so an OCR backlog never delays a push delivery here either.
    """

    def __init__(self, concurrency: int | Mapping[str, int] = 2, base_delay: float = 0.5) -> None:
        per_queue = (dict.fromkeys(QUEUES, concurrency) if isinstance(concurrency, int)
                     else {q: concurrency.get(q, 1) for q in QUEUES})
        self.base_delay = base_delay
        self._lanes = {q: _Lane(max(1, n)) for q, n in per_queue.items()}
        self._keys: set[str] = set()

    async def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> None:
        spec = _spec(name)
        if key is not None:
            if key in self._keys:
                return
            self._keys.add(key)
        kwargs["_key"] = key
        await self._lanes[spec.queue].jobs.put((name, kwargs, 1))

    async def start(self) -> None:
        for lane in self._lanes.values():
            lane.workers = [asyncio.create_task(self._work(lane))
                            for _ in range(lane.concurrency)]

    async def stop(self) -> None:
        tasks = [task for lane in self._lanes.values() for task in lane.workers]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for lane in self._lanes.values():
            lane.workers = []

    async def depth(self) -> int:
        return sum(lane.depth() for lane in self._lanes.values())

    async def depths(self) -> dict[str, int]:
        return {q: lane.depth() for q, lane in self._lanes.items()}

    async def drain(self, within_seconds: float = 30.0) -> None:
        """Wait until every queued job has finished (tests use this)."""
        async with asyncio.timeout(within_seconds):
            while await self.depth():  # noqa: ASYNC110 - retries re-enter the queue later
                await asyncio.sleep(0.02)

    async def _work(self, lane: _Lane) -> None:
        while True:
            name, kwargs, attempt = await lane.jobs.get()
            lane.in_flight += 1
            try:
                await self._run(lane, name, kwargs, attempt)
            finally:
                lane.in_flight -= 1
                lane.jobs.task_done()

    async def _run(self, lane: _Lane, name: str, kwargs: dict[str, Any], attempt: int) -> None:
        spec = _JOBS[name]
        key = kwargs.get("_key")
        call_kwargs = {k: v for k, v in kwargs.items() if k != "_key"}
        try:
            async with asyncio.timeout(spec.timeout):
                await spec.fn(**call_kwargs)
        except Exception:
            if attempt > spec.retries:
                log.exception("job failed for good", extra={"job": name, "attempt": attempt})
                self._keys.discard(key) if key else None
                return
            delay = self.base_delay * 2 ** (attempt - 1) * (0.5 + random.random())
            log.warning("job failed, retrying", extra={"job": name, "attempt": attempt})
            asyncio.get_running_loop().call_later(
                delay, lane.jobs.put_nowait, (name, kwargs, attempt + 1)
            )
            return
        if key:
            self._keys.discard(key)


class RedisQueue:
    """SAQ on Redis, one SAQ queue per name in :data:`QUEUES`: jobs survive restarts and run in
    ``nomade worker`` processes (each serves every queue, or those given with ``--queues``)."""

    def __init__(self, redis_url: str, *, prefix: str = "") -> None:
        from kernel.job_sweep import SweepingRedisQueue

        # SAQ's queue, with a sweep that neither orphans a job nor takes a starting one for
        # stuck (see kernel/job_sweep.py); every queue has it.
        self.queues: dict[str, SweepingRedisQueue] = {
            q: SweepingRedisQueue.from_url(redis_url, name=prefix + _REDIS_NAMES[q],  # type: ignore[misc]
                                           unmarked_grace=HEARTBEAT_SECONDS)
            for q in QUEUES
        }

    async def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> None:
        spec = _spec(name)
        options: dict[str, Any] = {
            "retries": spec.retries,
            "timeout": int(spec.timeout),
            "retry_delay": 1.0,
            "retry_backoff": True,
            # A worker that dies mid-job stops beating: the job is swept and retried within
            # HEARTBEAT_SECONDS + the worker's sweep period, not after the whole timeout.
            "heartbeat": HEARTBEAT_SECONDS,
        }
        if key is not None:
            options["key"] = key
        await self.queues[spec.queue].enqueue(name, **options, **kwargs)

    async def start(self) -> None:
        for queue in self.queues.values():
            await queue.connect()

    async def stop(self) -> None:
        for queue in self.queues.values():
            await queue.disconnect()

    async def depth(self) -> int:
        return sum((await self.depths()).values())

    async def depths(self) -> dict[str, int]:
        return {q: int(await queue.count("queued")) + int(await queue.count("active"))
                for q, queue in self.queues.items()}


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
    """The registered jobs as SAQ worker functions (SAQ passes a context first).

    Every worker knows every job, whatever queue it serves: a job queued on another queue (by
    an older release, before queues were split) still runs instead of failing as unknown.
    """

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

    return [(name, adapt(spec.fn)) for name, spec in _JOBS.items()]


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
