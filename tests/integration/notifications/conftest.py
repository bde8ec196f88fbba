"""Fixtures for push tests: the local fake push service and helpers to subscribe and deliver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import Person
from tests.pushservice import FakePushService, FakeSubscription

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Paris as UTC. Tests use future dates so the real-time job never
    sends what a test holds back."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


@pytest.fixture(scope="session", autouse=True)
async def _close_push_transport() -> AsyncIterator[None]:
    """The sender's shared HTTP session lives for the test session, then is closed."""
    yield
    from notifications.transport import close_transport

    await close_transport()


@pytest.fixture(scope="session")
def push_service() -> Iterator[FakePushService]:
    with FakePushService() as service:
        yield service


async def subscribe(
    client,
    person: Person,
    service: FakePushService,
    *,  # type: ignore[no-untyped-def]
    language: str | None = None,
) -> FakeSubscription:
    """The person's device subscribes through the API, as the app does at start."""
    sub = service.new_subscription()
    body = {**sub.info, "user_agent": "pytest"}
    if language:
        body["language"] = language
    response = await client.post("/api/v1/push/subscriptions", json=body, headers=person.headers)
    assert response.status_code == 200, response.text
    return sub


async def deliver(now: datetime | None = None):  # type: ignore[no-untyped-def]
    """Run the production sender once, as the ``push.deliver`` job does, and wait for any job
    that ``notify`` enqueued in this process (it may hold rows this call could not claim)."""
    from kernel.jobs import InProcessQueue, get_queue
    from notifications.jobs import get_sender

    report = await get_sender().deliver_due(now)
    queue = get_queue()
    if isinstance(queue, InProcessQueue):
        await queue.drain()
    return report
