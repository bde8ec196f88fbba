"""A request decided by someone else, or taken back by the agent, stops asking the others: the
notification with its Approve button is replaced on their phones (same tag, same push Topic,
silent) and their inbox no longer counts it as unread."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.factories import Org, delegate, make_org
from tests.integration.notifications.conftest import deliver, subscribe
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_missions import decide, submitted
from tests.pushservice import FakePushService


async def _inbox(client: Any, org: Org, who: str, event_type: str) -> list[dict[str, Any]]:
    for _ in range(60):  # notifications are written after the intent commits
        response = await client.get("/api/v1/inbox/", headers=org.people[who].headers)
        assert response.status_code == 200, response.text
        items = [i for i in response.json()["items"] if i["event_type"] == event_type]
        if items:
            return items
        await asyncio.sleep(0.05)
    return []


async def _pushes(service: FakePushService, sub: Any, count: int) -> list[dict[str, Any]]:
    for _ in range(60):
        await deliver()
        messages = service.messages(sub)
        if len(messages) >= count:
            return [m.json() for m in messages]
        await asyncio.sleep(0.05)
    return [m.json() for m in service.messages(sub)]


async def test_approved_by_the_delegate_the_managers_request_is_replaced(
        client: Any, push_service: FakePushService) -> None:
    org = await make_org()
    await delegate(org, "manager_a", "manager_b")
    phone = await subscribe(client, org.people["manager_a"], push_service)
    mission = await submitted(client, org, purpose="Audit Rennes")
    [request] = await _inbox(client, org, "manager_a", "approval_requested")
    assert request["read_at"] is None
    [asked] = await _pushes(push_service, phone, 1)  # the request is on the manager's phone
    assert "decision" in asked

    ack = await decide(client, org, "manager_b", mission, "approve")
    assert ack.status == "applied", ack
    [closed] = await _inbox(client, org, "manager_a", "approval_closed")
    assert closed["title"].startswith("Audit Rennes") and "approuvé par" in closed["title"]
    assert closed["read_at"] is not None
    [request] = await _inbox(client, org, "manager_a", "approval_requested")
    assert request["read_at"] is not None, "the request no longer asks anything"
    assert await _inbox(client, org, "manager_b", "approval_closed") == []  # the one who decided

    _, replaced = await _pushes(push_service, phone, 2)
    assert asked["tag"] == replaced["tag"] == f"mission:{mission['id']}"
    assert "decision" not in replaced and "approuvé par" in replaced["title"]
    assert replaced["silent"] is True and "actions" not in replaced["notification"]


async def test_a_claim_withdrawn_while_waiting_stops_asking(client: Any) -> None:
    org = await make_org()
    mission = await submitted(client, org, purpose="Salon Nantes")
    assert await _inbox(client, org, "manager_a", "approval_requested")
    ack = await send(client, org.people["agent_a"], "mission.cancel",
                     {"id": mission["id"], "expected_state": "submitted"})
    assert ack.status == "applied", ack
    [closed] = await _inbox(client, org, "manager_a", "approval_closed")
    assert closed["title"] == "Salon Nantes — Lyon : retiré par l’agent", closed
    [request] = await _inbox(client, org, "manager_a", "approval_requested")
    assert request["read_at"] is not None
