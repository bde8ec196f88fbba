"""A revoked device stops working on every app process, although processes remember devices
they have checked (real server processes sharing the test database and Redis)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from backend.accounts.tables import Device
from tests.conftest import REDIS_TEST_URL, TEST_REDIS
from tests.factories import make_org
from tests.integration.sync.servers import running_servers

pytestmark = pytest.mark.skipif(not TEST_REDIS, reason="needs NOMADE_TEST_REDIS=1")


async def _refused_within(http: httpx.AsyncClient, url: str, headers: dict[str, str],
                          seconds: float) -> float:
    """Seconds until ``url`` refuses the token as a revoked device's (fails after ``seconds``)."""
    started = time.monotonic()
    while True:
        response = await http.get(url, headers=headers)
        if response.status_code == 401:
            assert response.json()["code"] == "TOKEN_EXPIRED"
            return time.monotonic() - started
        assert response.status_code == 200
        assert time.monotonic() - started < seconds, "the revoked device still works"
        await asyncio.sleep(0.01)


async def test_a_device_revoked_through_one_process_is_refused_at_once_by_another(
        client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    with running_servers(2, REDIS_TEST_URL) as (url_a, url_b):
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(3):  # process B has checked the device and remembers it
                me = await http.get(f"{url_b}/api/v1/me", headers=agent.headers)
                assert me.status_code == 200
            revoked = await http.delete(f"{url_a}/api/v1/devices/{agent.device_id}",
                                        headers=agent.headers)
            assert revoked.status_code == 204
            assert await _refused_within(http, f"{url_b}/api/v1/me", agent.headers, 0.5) < 0.5


async def test_a_device_revoked_in_the_database_is_refused_within_the_check_period(
        client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    with running_servers(1, REDIS_TEST_URL, {"NOMADE_DEVICE_CHECK_SECONDS": "2"}) as [url]:
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.get(f"{url}/api/v1/me", headers=agent.headers)).status_code == 200
            # By hand, not through Nomade: nobody is told.
            await Device.update({Device.revoked_at: Device.created_at}).where(
                Device.id == agent.device_id)
            assert await _refused_within(http, f"{url}/api/v1/me", agent.headers, 3.0) < 3.0
