"""The job sweep against a real Redis (NOMADE_TEST_REDIS=1): a job whose worker died is taken
again by another worker; a job that a live worker has just taken is left alone."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from saq.job import Job, Status
from saq.utils import now

from kernel.job_sweep import SweepingRedisQueue
from tests.conftest import REDIS_TEST_URL, TEST_REDIS

pytestmark = pytest.mark.skipif(not TEST_REDIS, reason="needs NOMADE_TEST_REDIS=1")

GRACE = 0.5


@pytest.fixture
async def queue() -> AsyncIterator[SweepingRedisQueue]:
    queue = SweepingRedisQueue.from_url(REDIS_TEST_URL, name=f"sweep-{uuid.uuid4().hex[:8]}",
                                        unmarked_grace=GRACE)
    assert isinstance(queue, SweepingRedisQueue)
    await queue.connect()
    yield queue
    keys = await queue.redis.keys(f"saq:*{queue.name}*")
    if keys:
        await queue.redis.delete(*keys)
    await queue.disconnect()


async def _start(job: Job) -> None:
    """What a worker does once it has taken a job (saq.worker.Worker.process)."""
    job.started = now()
    job.attempts += 1
    await job.update(status=Status.ACTIVE)


async def _sweep_again(queue: SweepingRedisQueue) -> list[str]:
    await queue.redis.delete(queue.namespace("sweep"))  # the lock of the previous sweep
    return await queue.sweep(lock=5)


async def test_a_job_just_taken_by_a_worker_is_not_swept(queue: SweepingRedisQueue) -> None:
    await queue.enqueue("ocr.read", key="just-taken", retries=3, heartbeat=10)
    taken = await queue.dequeue()  # in the active list, not yet marked active by its worker
    assert taken is not None

    assert await queue.sweep(lock=5) == []  # SAQ's own sweep aborted it here

    await _start(taken)
    assert await _sweep_again(queue) == []
    stored = await queue.job("just-taken")
    assert stored is not None and stored.status == Status.ACTIVE
    assert await queue.redis.lrange(queue.namespace("active"), 0, -1) == [taken.id.encode()]


async def test_a_job_whose_worker_died_right_after_taking_it_is_retried(
        queue: SweepingRedisQueue) -> None:
    await queue.enqueue("ocr.read", key="taken-then-died", retries=3, retry_delay=0.0)
    assert await queue.dequeue() is not None  # ... and the worker dies before marking it

    assert await queue.sweep(lock=5) == []  # first seen: might be a live worker's
    await asyncio.sleep(GRACE + 0.1)
    assert len(await _sweep_again(queue)) == 1

    retried = await queue.dequeue(timeout=1)  # another worker takes it
    assert retried is not None and retried.key == "taken-then-died"


async def test_a_job_whose_worker_stopped_beating_is_requeued_at_once(
        queue: SweepingRedisQueue) -> None:
    await queue.enqueue("ocr.read", key="worker-killed", retries=3, heartbeat=1, retry_delay=0.0)
    taken = await queue.dequeue()
    assert taken is not None
    await _start(taken)  # ... then the worker is killed
    await asyncio.sleep(1.1)

    started = time.monotonic()
    assert len(await queue.sweep(lock=5)) == 1
    # Re-queued in the sweep itself (SAQ's waited 5 s for an abort first, and lost the job
    # when the sweeping worker died meanwhile).
    assert time.monotonic() - started < 1.0
    stored = await queue.job("worker-killed")
    assert stored is not None and stored.status == Status.QUEUED and stored.error == "swept"
    retried = await queue.dequeue(timeout=1)
    assert retried is not None and retried.key == "worker-killed" and retried.attempts == 1


async def test_a_job_out_of_retries_is_ended_not_lost(queue: SweepingRedisQueue) -> None:
    await queue.enqueue("ocr.read", key="last-try", retries=1, heartbeat=1)
    taken = await queue.dequeue()
    assert taken is not None
    await _start(taken)
    await asyncio.sleep(1.1)

    assert len(await queue.sweep(lock=5)) == 1
    stored = await queue.job("last-try")
    assert stored is not None and stored.status == Status.ABORTED
    assert await queue.count("active") == 0
