"""``nomade worker``: runs background jobs from the Redis queues (SAQ).

One process serves every queue of :data:`kernel.jobs.QUEUES` by default, each with its own
concurrency, so receipts being read never hold up push notifications; ``--queues ocr`` (or
``default``) serves only those, to scale OCR workers apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Mapping, Sequence
from typing import Any

import saq

from backend.composition import bootstrap
from kernel import jobs
from kernel.db import prepare_engine
from kernel.logs import configure_logging
from kernel.ports import PortTaken, check_port_free
from kernel.settings import get_settings
from kernel.worker_metrics import MetricsServer

__all__ = ("make_workers", "prepare_worker", "run_worker", "run_workers", "stop_workers")

log = logging.getLogger("nomade.worker")
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


Worker = saq.Worker[Any]


class _QueueWorker(Worker):
    """A SAQ worker for one queue. The process, not each worker, handles SIGINT/SIGTERM: SAQ
    would let the last worker started take the signals from the others."""

    SIGNALS = []  # noqa: RUF012 - SAQ's own class attribute, emptied


def make_workers(queue: jobs.RedisQueue, names: Sequence[str], concurrency: Mapping[str, int],
                 *, grace_seconds: float) -> list[Worker]:
    """One SAQ worker per queue in ``names``, each running up to ``concurrency[name]`` jobs.

    Each sweeps its own queue for the jobs of dead workers every few seconds (not every
    minute): every queue served anywhere is swept. On stop a worker takes no new job and lets
    running ones finish for ``grace_seconds``, then cancels them (a cancelled or killed job is
    retried by the queue: jobs are idempotent).
    """
    functions = jobs.saq_functions()
    sweep_often: Any = {"sweep": jobs.SWEEP_SECONDS}
    return [_QueueWorker(queue.queues[name], functions=functions, concurrency=concurrency[name],
                         shutdown_grace_period_s=int(grace_seconds), timers=sweep_often)
            for name in names]


async def run_workers(workers: Sequence[Worker], stop: asyncio.Event | None = None) -> None:
    """Run the workers until each is stopped (:func:`stop_workers`, or ``stop`` set)."""
    tasks = [asyncio.create_task(worker.start()) for worker in workers]
    await asyncio.sleep(0)  # each start() has made its stop event: stopping reaches it now

    async def stop_when_told(event: asyncio.Event) -> None:
        await event.wait()
        stop_workers(workers)

    watcher = asyncio.create_task(stop_when_told(stop)) if stop is not None else None
    try:
        await asyncio.gather(*tasks)
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


def stop_workers(workers: Sequence[Worker]) -> None:
    """Ask the workers to stop: no new job, running ones get the grace period."""
    for worker in workers:
        worker.event.set()


async def _startup(queues: Sequence[str]) -> MetricsServer | None:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    if engine is not None:
        await prepare_engine(engine)
    from kernel.live import worker_poke
    from notifications.jobs import start_push
    from sync.pokes import set_poke_publisher

    settings = get_settings()
    set_poke_publisher(worker_poke(settings.redis_url))  # OCR readings poke the phones
    # The outbox sweeper runs where push deliveries run: not on workers that only read receipts.
    await start_push(sweep=jobs.DEFAULT_QUEUE in queues)
    if jobs.DEFAULT_QUEUE in queues:  # effects of writes whose process stopped before running them
        from kernel.unit_of_work import start_outbox_sweeper

        start_outbox_sweeper()
    if not settings.worker_metrics_port:
        return None
    server = MetricsServer(settings.worker_metrics_host, settings.worker_metrics_port,
                           settings.metrics_token)
    try:
        await server.start()
    except OSError as exc:  # taken since the check at start-up
        raise PortTaken(f"nomade worker: metrics port {settings.worker_metrics_port} on "
                        f"{settings.worker_metrics_host}: {exc}") from exc
    return server


async def _serve(queue: jobs.RedisQueue, queues: Sequence[str],
                 workers: Sequence[Worker]) -> None:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for signum in _SIGNALS:
        loop.add_signal_handler(signum, stopping.set)
    server: MetricsServer | None = None
    try:
        await queue.start()
        server = await _startup(queues)
        if not stopping.is_set():
            await run_workers(workers, stopping)
    finally:
        from kernel.unit_of_work import stop_outbox_sweeper
        from notifications.jobs import stop_push

        await stop_outbox_sweeper()
        await stop_push()
        if server is not None:
            await server.stop()
        await queue.stop()
        for signum in _SIGNALS:
            loop.remove_signal_handler(signum)


def prepare_worker(queues: Sequence[str] = jobs.QUEUES) -> tuple[jobs.RedisQueue, list[Worker]]:
    """What ``nomade worker`` builds before it connects: the registries, the queue, its
    workers (a test checks them in a fresh interpreter)."""
    settings = get_settings()
    if not settings.redis_url:
        raise SystemExit("nomade worker needs REDIS_URL; without it jobs run inside `nomade serve`")
    bootstrap()  # the same registries as the app: jobs update synced entities, run hooks
    queue = jobs.RedisQueue(settings.redis_url)
    workers = make_workers(queue, queues, jobs.queue_concurrency(settings),
                           grace_seconds=settings.shutdown_grace_seconds)
    return queue, workers


def run_worker(queues: Sequence[str] = jobs.QUEUES) -> int:
    """Process jobs of ``queues`` (default: all) until interrupted; needs ``REDIS_URL``."""
    settings = get_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    if settings.worker_metrics_port:
        check_port_free("nomade worker (metrics)", settings.worker_metrics_host,
                        settings.worker_metrics_port)
    queue, workers = prepare_worker(queues)
    jobs.set_queue(queue)
    log.info("worker serving queues %s", ", ".join(queues))
    asyncio.run(_serve(queue, queues, workers))
    return 0
