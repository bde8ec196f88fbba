"""Which queue each job runs on, and what ``nomade worker --queues`` accepts."""

from __future__ import annotations

import pytest

from backend.cli import build_parser
from backend.composition import build_registries
from kernel import jobs


def test_receipts_are_read_on_their_own_queue_and_pushes_on_the_short_one() -> None:
    queues = {name: spec.queue for name, spec in build_registries().jobs.items()}
    assert queues["ocr.read_receipt"] == jobs.OCR_QUEUE
    assert queues["push.deliver"] == jobs.DEFAULT_QUEUE
    assert queues["sync.collect_blobs"] == jobs.DEFAULT_QUEUE


def test_worker_serves_every_queue_unless_told_otherwise() -> None:
    parser = build_parser()
    assert parser.parse_args(["worker"]).queues == ("default", "ocr")
    assert parser.parse_args(["worker", "--queues", "ocr"]).queues == ("ocr",)
    assert parser.parse_args(["worker", "--queues", "ocr, default"]).queues == ("default", "ocr")
    with pytest.raises(SystemExit):
        parser.parse_args(["worker", "--queues", "pdf"])


def test_a_job_on_an_unknown_queue_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match="unknown queue"):
        jobs.job("test.nowhere", queue="nowhere")


def test_each_queue_has_its_own_sweeping_redis_queue() -> None:
    from kernel.job_sweep import SweepingRedisQueue

    queue = jobs.RedisQueue("redis://127.0.0.1:6379/0")
    assert set(queue.queues) == set(jobs.QUEUES)
    assert all(isinstance(q, SweepingRedisQueue) for q in queue.queues.values())
    assert len({q.name for q in queue.queues.values()}) == len(jobs.QUEUES)
    assert queue.queues[jobs.DEFAULT_QUEUE].name == "nomade", "jobs queued before the split"
