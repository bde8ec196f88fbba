"""Deadlines reach the phones through the push outbox, once, in each person's language: the
approver's reminder before the deadline, then on escalation the manager above (French here)
and the approver it left (English here). Time moves by handing the run a later ``now``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.missions.deadlines import run_deadlines
from kernel.timeutil import as_utc
from tests.factories import make_org
from tests.integration.notifications.conftest import deliver, subscribe
from tests.integration.workflows.test_missions import submitted
from tests.pushservice import FakePushService


def _titles(service: FakePushService, phone: Any) -> list[str]:
    return [m.json()["notification"]["title"] for m in service.messages(phone)]


async def test_reminder_once_then_escalation_pushes(client: Any,
                                                    push_service: FakePushService) -> None:
    org = await make_org()
    manager, head = org.people["manager_a"], org.people["head"]
    response = await client.patch("/api/v1/me", json={"language": "en"}, headers=manager.headers)
    assert response.status_code == 200, response.text
    # No quiet hours: the approver told of an escalation is informed, not asked to act, so
    # quiet hours would hold that push (reminders and escalations to act break through).
    await client.put("/api/v1/push/preferences", headers=manager.headers,
                     json={"quiet_start": None, "quiet_end": None, "hide_amounts": False})
    manager_phone = await subscribe(client, manager, push_service, language="en")
    head_phone = await subscribe(client, head, push_service, language="fr")
    mission = await submitted(client, org)
    await deliver()
    await push_service.wait_for_async(manager_phone, 1)  # the approval request itself
    sent, scope = as_utc(mission["submitted_at"]), {"organisation_ids": [org.id]}

    for hours in (44.5, 46):
        await run_deadlines(sent + timedelta(hours=hours), **scope)
        await deliver()
    await push_service.wait_for_async(manager_phone, 2)
    reminders = [t for t in _titles(push_service, manager_phone) if t.startswith("Reminder")]
    assert reminders == ["Reminder, to approve: Audit du site de Lyon — Lyon"]
    assert _titles(push_service, head_phone) == []

    await run_deadlines(sent + timedelta(hours=48, minutes=1), **scope)
    await run_deadlines(sent + timedelta(hours=50), **scope)
    await deliver()
    [passed_up] = await push_service.wait_for_async(head_phone, 1)
    assert passed_up.json()["notification"]["title"] == (
        "Transmise pour décision : Audit du site de Lyon — Lyon")
    await push_service.wait_for_async(manager_phone, 3)
    assert _titles(push_service, manager_phone)[-1] == (
        "Deadline passed: Audit du site de Lyon — Lyon")
    assert len(push_service.messages(manager_phone)) == 3
    assert len(push_service.messages(head_phone)) == 1
