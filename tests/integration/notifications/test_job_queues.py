"""Receipts being read never hold up push notifications: OCR has a job queue of its own.

With Redis (``NOMADE_TEST_REDIS=1``) the jobs go through SAQ queues on Redis, served by the same
workers ``nomade worker`` runs (in this process, on queues of the test's own); without, through
the embedded runner ``nomade serve`` uses.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from saq.job import Status
from saq.utils import now

from backend.worker import make_workers, run_workers, stop_workers
from kernel import jobs
from tests.conftest import REDIS_TEST_URL, TEST_REDIS
from tests.factories import make_org
from tests.integration.notifications.conftest import subscribe
from tests.pushservice import FakePushService
from tests.registries import declared

READ_SECONDS = 0.5
BACKLOG = 8
CONCURRENCY = {jobs.DEFAULT_QUEUE: 2, jobs.OCR_QUEUE: 1}
_read: list[str] = []


@jobs.job("test.read_receipt_slowly", retries=0, timeout=60, queue=jobs.OCR_QUEUE)
async def read_receipt_slowly(receipt: str) -> None:
    """Stands for ``ocr.read_receipt``: about half a second per receipt, off the event loop."""
    await asyncio.sleep(READ_SECONDS)
    _read.append(receipt)


@pytest.fixture(autouse=True)
def _declared_here() -> Iterator[None]:
    """The ``test.read_receipt_slowly`` job, installed beside the app's for this module's tests
    (declaring registers nothing: the server installs what the modules it lists declare)."""
    with declared(__name__):
        yield


@asynccontextmanager
async def job_queues(unique: str) -> AsyncIterator[jobs.JobQueue]:
    """The process's job queues for the test: SAQ on Redis with its workers, or in-process."""
    previous = jobs.current_queue()
    queue: jobs.JobQueue
    if TEST_REDIS:
        redis_queue = jobs.RedisQueue(REDIS_TEST_URL, prefix=f"test-{unique}-")
        await redis_queue.start()
        workers = make_workers(redis_queue, jobs.QUEUES, CONCURRENCY, grace_seconds=1)
        running = asyncio.create_task(run_workers(workers))
        queue = redis_queue
    else:
        queue = jobs.InProcessQueue(CONCURRENCY)
        await queue.start()
    jobs.set_queue(queue)
    try:
        yield queue
    finally:
        jobs.set_queue(previous)
        if TEST_REDIS:
            stop_workers(workers)
            await running
        await queue.stop()


async def _wait_until(condition, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_push_goes_out_while_a_backlog_of_receipts_is_still_being_read(
    client, push_service: FakePushService, unique: str
) -> None:
    org = await make_org()
    manager = org.people["manager_a"]
    phone = await subscribe(client, manager, push_service)
    receipts = [f"{unique}-{n}" for n in range(BACKLOG)]
    async with job_queues(unique) as queue:
        for receipt in receipts:  # a burst of photographed receipts, queued first
            await jobs.enqueue("test.read_receipt_slowly", key=receipt, receipt=receipt)
        response = await client.post("/api/v1/push/test", headers=manager.headers)
        assert response.status_code == 202

        await push_service.wait_for_async(phone, 1, timeout=BACKLOG * READ_SECONDS)
        read_by_then = len(set(_read) & set(receipts))
        assert read_by_then < 3, f"the push waited for {read_by_then} receipts to be read"
        assert (await queue.depths())[jobs.OCR_QUEUE] >= BACKLOG - 3, "the backlog is real"

        # Every receipt is read in the end, one at a time on its own queue.
        await _wait_until(lambda: set(receipts) <= set(_read), seconds=BACKLOG * READ_SECONDS * 6)
    [message] = push_service.messages(phone)
    assert message.json()["notification"]["title"] == "Notification de test"


@pytest.mark.skipif(not TEST_REDIS, reason="the sweep is Redis's (NOMADE_TEST_REDIS=1)")
async def test_a_receipt_whose_worker_died_is_read_by_a_worker_serving_only_ocr(
    unique: str,
) -> None:
    queue = jobs.RedisQueue(REDIS_TEST_URL, prefix=f"test-{unique}-")
    await queue.start()
    ocr = queue.queues[jobs.OCR_QUEUE]
    receipt = f"{unique}-orphan"
    await ocr.enqueue("test.read_receipt_slowly", key=receipt, retries=2, heartbeat=1,
                      receipt=receipt)
    taken = await ocr.dequeue()  # a worker takes the receipt, starts it, and is killed
    assert taken is not None
    taken.started, taken.attempts = now(), taken.attempts + 1
    await taken.update(status=Status.ACTIVE)
    await asyncio.sleep(1.1)  # its heartbeat lapses

    workers = make_workers(queue, (jobs.OCR_QUEUE,), CONCURRENCY, grace_seconds=1)  # --queues ocr
    running = asyncio.create_task(run_workers(workers))
    try:
        await _wait_until(lambda: receipt in _read, seconds=3 * jobs.SWEEP_SECONDS)
    finally:
        stop_workers(workers)
        await running
        await queue.stop()
