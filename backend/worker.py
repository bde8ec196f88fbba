"""``nomade worker``: runs background jobs from the Redis queue (SAQ)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from backend import jobs
from backend.composition import JOB_MODULES
from backend.db import prepare_engine
from backend.logs import configure_logging
from backend.settings import get_settings
from backend.worker_metrics import MetricsServer

__all__ = ("run_worker",)

log = logging.getLogger("nomade.worker")


async def _startup(ctx: Any) -> None:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    if engine is not None:
        await prepare_engine(engine)
    from backend.live import worker_poke
    from notifications.jobs import start_push
    from sync.pokes import set_poke_publisher

    set_poke_publisher(worker_poke(get_settings().redis_url))  # OCR readings poke the phones
    await start_push(sweep=True)
    settings = get_settings()
    if settings.worker_metrics_port:
        server = MetricsServer(settings.worker_metrics_host, settings.worker_metrics_port,
                               settings.metrics_token)
        try:
            await server.start()
        except OSError as exc:  # jobs matter more than their metrics: run on, say so loudly
            log.error("worker metrics not served on %s:%s: %s", settings.worker_metrics_host,
                      settings.worker_metrics_port, exc)
        else:
            ctx["metrics_server"] = server


async def _shutdown(ctx: Any) -> None:
    from notifications.jobs import stop_push

    await stop_push()
    server = ctx.get("metrics_server")
    if isinstance(server, MetricsServer):
        await server.stop()


def run_worker() -> int:
    """Process jobs until interrupted; needs ``REDIS_URL``."""
    import saq

    settings = get_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    if not settings.redis_url:
        raise SystemExit("nomade worker needs REDIS_URL; without it jobs run inside `nomade serve`")
    jobs.load_job_modules(JOB_MODULES)
    queue = jobs.RedisQueue(settings.redis_url)
    jobs.set_queue(queue)
    # Sweep stuck jobs (their worker died: no heartbeat) every few seconds, not every minute.
    sweep_often: Any = {"sweep": jobs.SWEEP_SECONDS}
    # SIGTERM: SAQ stops dequeuing and lets running jobs finish for the grace period, then
    # cancels them (a cancelled or killed job is retried by the queue: jobs are idempotent).
    worker = saq.Worker(queue.queue, functions=jobs.saq_functions(), concurrency=4,
                        startup=_startup, shutdown=_shutdown,
                        shutdown_grace_period_s=int(settings.shutdown_grace_seconds),
                        timers=sweep_often)
    asyncio.run(worker.start())
    return 0
