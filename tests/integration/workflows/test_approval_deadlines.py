"""Requests awaiting a decision: one reminder before the deadline, escalation up the unit tree
after it, by the organisation's rules (data an administrator changes). Time moves by handing
the periodic run a later ``now``; the missions are created and submitted through sync push."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from backend.missions.deadlines import run_deadlines
from kernel.timeutil import as_utc
from tests.factories import Org, make_org
from tests.integration.workflows.test_missions import decide, read, submitted


async def _inbox(client: Any, org: Org, who: str, event_type: str) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/inbox/?limit=100", headers=org.people[who].headers)
    assert response.status_code == 200, response.text
    return [item for item in response.json()["items"] if item["event_type"] == event_type]


async def _speak(client: Any, org: Org, who: str, language: str) -> None:
    response = await client.patch("/api/v1/me/", json={"language": language},
                                  headers=org.people[who].headers)
    assert response.status_code == 200, response.text


async def _listed(client: Any, org: Org, who: str) -> set[str]:
    response = await client.get("/api/v1/missions/", headers=org.people[who].headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


async def test_one_reminder_then_escalation_to_the_next_manager(client: Any) -> None:
    org = await make_org()
    await _speak(client, org, "manager_a", "en")
    await _speak(client, org, "head", "fr")
    mission = await submitted(client, org)
    sent = as_utc(mission["submitted_at"])
    scope = {"organisation_ids": [org.id]}

    # the default rules: decide within 48 h, reminded 4 h before, escalated at the deadline
    early = await run_deadlines(sent + timedelta(hours=1), **scope)
    assert (early.reminded, early.escalated) == (0, 0)
    assert await _inbox(client, org, "manager_a", "approval_reminder") == []

    for hours in (44.5, 45, 47.9):  # three runs inside the window: one reminder
        await run_deadlines(sent + timedelta(hours=hours), **scope)
    [reminder] = await _inbox(client, org, "manager_a", "approval_reminder")
    assert reminder["title"].startswith("Reminder, to approve: Audit du site de Lyon")
    assert reminder["url"] == f"/approvals/mission/{mission['id']}"
    assert mission["id"] not in await _listed(client, org, "head")

    # the deadline passes: the head of the tree decides now, and both sides are told
    late = await run_deadlines(sent + timedelta(hours=48, minutes=5), **scope)
    assert late.escalated == 1
    again = await run_deadlines(sent + timedelta(hours=60), **scope)
    assert again.escalated == 0
    [escalated] = await _inbox(client, org, "head", "approval_escalated")
    assert escalated["title"] == "Transmise pour décision : Audit du site de Lyon — Lyon"
    [away] = await _inbox(client, org, "manager_a", "approval_escalated_away")
    assert away["title"].startswith("Deadline passed") and "went to" in away["body"]
    assert mission["id"] in await _listed(client, org, "head")
    assert (await read(client, org, "agent_a", mission["id"]))["escalation_level"] == 1

    # the manager below may no longer decide; the head may
    refused = await decide(client, org, "manager_a", mission, "approve")
    assert refused.status == "rejected" and refused.code == "FORBIDDEN"
    approved = await decide(client, org, "head", mission, "approve")
    assert approved.status == "applied", approved
    assert (await read(client, org, "agent_a", mission["id"]))["state"] == "approved"


async def test_the_rules_are_the_organisations_data(client: Any) -> None:
    org = await make_org()
    admin = org.people["admin"].headers
    shown = await client.get("/api/v1/admin/approval-deadlines/", headers=admin)
    assert shown.status_code == 200, shown.text
    assert {k: shown.json()[k] for k in ("decide_within_hours", "remind_before_hours",
                                         "escalate_after_hours")} == {
        "decide_within_hours": 48, "remind_before_hours": 4, "escalate_after_hours": 0}
    changed = await client.put("/api/v1/admin/approval-deadlines/", headers=admin, json={
        "decide_within_hours": 8, "remind_before_hours": 2, "escalate_after_hours": 1})
    assert changed.status_code == 200, changed.text
    bad = await client.put("/api/v1/admin/approval-deadlines/", headers=admin, json={
        "decide_within_hours": 0, "remind_before_hours": 2, "escalate_after_hours": 1})
    assert bad.status_code == 400 and bad.json()["code"] == "VALIDATION_FAILED"
    for who in ("manager_a", "agent_a"):
        forbidden = await client.get("/api/v1/admin/approval-deadlines/",
                                     headers=org.people[who].headers)
        assert forbidden.status_code == 403

    mission = await submitted(client, org)
    sent = as_utc(mission["submitted_at"])
    scope = {"organisation_ids": [org.id]}
    assert (await run_deadlines(sent + timedelta(hours=6, minutes=30), **scope)).reminded == 1
    # 8 h deadline, escalation an hour after it
    assert (await run_deadlines(sent + timedelta(hours=8, minutes=30), **scope)).escalated == 0
    assert (await run_deadlines(sent + timedelta(hours=9, minutes=1), **scope)).escalated == 1


async def test_a_booking_expiring_sooner_brings_the_deadline_forward(client: Any) -> None:
    org = await make_org()
    expires = datetime.now().astimezone() + timedelta(hours=10)
    mission = await submitted(client, org, bookings=[
        {"label": "Paris-Lyon 8h04", "fare_cents": 8900, "expires_at": expires.isoformat()}])
    scope = {"organisation_ids": [org.id]}
    assert (await run_deadlines(expires - timedelta(hours=5), **scope)).reminded == 0
    assert (await run_deadlines(expires - timedelta(hours=3), **scope)).reminded == 1
    [reminder] = await _inbox(client, org, "manager_a", "approval_reminder")
    assert "Décision attendue avant le" in reminder["body"]
    assert (await run_deadlines(expires + timedelta(minutes=1), **scope)).escalated == 1
    assert mission["id"] in await _listed(client, org, "head")
