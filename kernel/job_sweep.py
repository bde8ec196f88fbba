"""SAQ's Redis queue with a sweep that re-queues the jobs of dead workers, and only those.

SAQ 0.26's own sweep (``saq/queue/redis.py``) lost jobs here in two ways:

1. It takes for stuck any job in the active list whose stored status is not ``active``. A worker
   moves a job into the active list (``BLMOVE``) and marks it active in a second round trip; a
   sweep that reads in between aborts a job that has just started (upstream tobymao/saq#124,
   #277). When a worker starts with jobs waiting, its first sweep and first dequeue run
   together, so the window is hit easily (the more so with other start-up work on the loop).
2. It aborts (which takes the job out of the active list and the incomplete set), waits up to
   5 s for the worker to acknowledge, and only then re-queues. If the sweeping worker dies in
   between — typically the very worker whose job it aborted — the job is left in no list at
   all: never retried, never finished.

Here a job not yet marked active is swept only once a previous sweep saw it so at least
``unmarked_grace`` seconds earlier (its worker died between dequeue and start), an active job
only when its heartbeat or timeout has lapsed, and the re-queue is one Redis transaction. Every
job queue (``kernel.jobs.QUEUES``: ``default``, ``ocr``) is such a queue, with its own keys and
sweep lock, swept by the workers that serve it (``backend.worker.make_workers``). A
worker that merely stalled past its heartbeat may still finish its attempt while the retry runs:
jobs are idempotent (see ``kernel.jobs``).
"""

from __future__ import annotations

import logging
from typing import Any

from saq.job import Job, Status
from saq.queue.redis import RedisQueue
from saq.utils import now

__all__ = ("SweepingRedisQueue",)

log = logging.getLogger("nomade.jobs")

# Takes the sweep lock (one sweeper at a time across workers); false when another holds it,
# else the active job ids with their stored records.
_LOCK_AND_LIST = """
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
redis.call('SETEX', KEYS[1], ARGV[1], 1)
local found = {}
for i, id in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
    found[i] = {id, redis.call('GET', id)}
end
return found
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class SweepingRedisQueue(RedisQueue):
    """The SAQ Redis queue whose sweep never orphans a job nor takes a starting one for stuck."""

    def __init__(self, *args: Any, unmarked_grace: float = 10.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unmarked_grace = unmarked_grace
        self._unmarked = self.namespace("sweep_unmarked")
        self._lock_and_list: Any = None

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        if self._lock_and_list is None:
            self._lock_and_list = self.redis.register_script(_LOCK_AND_LIST)
        found = await self._lock_and_list(keys=[self._sweep, self._active], args=[lock],
                                          client=self.redis)
        if not found:
            if found is not None:  # nothing active: forget what earlier sweeps noted
                await self.redis.delete(self._unmarked)
            return []
        at = now()
        noted = await self.redis.hgetall(self._unmarked)
        seen = {_text(k): int(v) for k, v in noted.items()}
        unmarked: dict[str, int] = {}
        swept: list[str] = []
        for raw_id, record in found:
            job_id = raw_id.decode()
            job = self.deserialize(record)
            if job is None:  # its record expired or was deleted: drop the dangling id
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.lrem(self._active, 0, raw_id)
                    pipe.zrem(self._incomplete, raw_id)
                    await pipe.execute()
                swept.append(job_id)
                continue
            if job.status in (Status.ACTIVE, Status.ABORTING):
                if not job.stuck:
                    continue
            else:  # dequeued, not yet marked active: normal for a few milliseconds
                first_seen = seen.get(job_id, at)
                if at - first_seen < self.unmarked_grace * 1000:
                    unmarked[job_id] = first_seen
                    continue
            swept.append(job_id)
            await self._requeue(job)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._unmarked)
            for job_id, first_seen in unmarked.items():
                pipe.hset(self._unmarked, job_id, first_seen)
            if unmarked:
                pipe.expire(self._unmarked, int(self.unmarked_grace * 10) + lock)
            await pipe.execute()
        return swept

    async def _requeue(self, job: Job) -> None:
        """Retry the job of a dead worker (one transaction), or end it when out of retries."""
        log.warning("job swept: its worker stopped", extra={
            "job": job.function, "key": job.key, "attempts": job.attempts, "status": job.status})
        if job.retryable:
            await self.retry(job, error=self.swept_error_message)
        else:
            await self.finish(job, Status.ABORTED, error=self.swept_error_message)
