"""The Redis attempt counter against a real Redis (NOMADE_TEST_REDIS=1), and without one."""

from __future__ import annotations

import uuid

import pytest

from kernel.errors import DomainError
from kernel.ratelimit import RedisStore
from tests.conftest import REDIS_TEST_URL, TEST_REDIS


@pytest.mark.skipif(not TEST_REDIS, reason="needs NOMADE_TEST_REDIS=1")
async def test_redis_counter_counts_and_expires() -> None:
    store = RedisStore(REDIS_TEST_URL, prefix=f"test:{uuid.uuid4().hex}:")
    try:
        assert (await store.peek("k")).count == 0
        first = await store.hit("k", 900)
        assert first.count == 1 and 890 <= first.retry_after <= 900
        second = await store.hit("k", 2)  # a later hit never moves the window's end
        assert second.count == 2 and second.retry_after > 2
        assert (await store.peek("k")).count == 2
        short = await store.hit("short", 1)
        assert short.retry_after == 1
    finally:
        await store.close()


async def test_redis_down_refuses_with_service_unavailable() -> None:
    store = RedisStore("redis://127.0.0.1:9/0")  # nothing listens on the discard port
    try:
        with pytest.raises(DomainError) as refused:
            await store.peek("k")
        assert refused.value.code == "SERVICE_UNAVAILABLE"
        assert refused.value.headers["Retry-After"]
    finally:
        await store.close()
