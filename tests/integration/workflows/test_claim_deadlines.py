"""Expense claims awaiting a decision follow the organisation's reminder and escalation rules,
as missions do: one reminder before the deadline, then the decision one manager level up. Time
moves by handing the periodic run a later ``now``; the claims are created, submitted and
decided through sync push."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.claims.deadlines import run_deadlines
from kernel.timeutil import as_utc
from tests.factories import Org, make_org
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_approval_deadlines import _inbox, _speak
from tests.integration.workflows.test_claims import (
    approved_mission,
    claim,
    line,
    open_claim,
    uploaded,
)
from tests.integration.workflows.test_mileage import pulled


async def _submitted_claim(client: Any, org: Org) -> dict[str, Any]:
    claim_id = await open_claim(client, org, await approved_mission(client, org))
    await line(client, org, claim_id, receipt=await uploaded(org, b"late lunch"))
    ack = await send(client, org.people["agent_a"], "expense_claim.submit",
                     {"id": claim_id, "expected_state": "draft"})
    assert ack.status == "applied", ack
    return await claim(client, org, claim_id)


async def _decide(client: Any, org: Org, who: str, sent: dict[str, Any]) -> Any:
    return await send(client, org.people[who], "expense_claim.decide", {
        "id": sent["id"], "decision": "approve", "expected_state": "submitted",
        "content_hash": sent["content_hash"]})


async def test_a_claim_is_reminded_once_then_passed_up_to_the_next_manager(client: Any) -> None:
    org = await make_org()
    await _speak(client, org, "manager_a", "en")
    await _speak(client, org, "head", "fr")
    sent = await _submitted_claim(client, org)
    submitted_at = as_utc(sent["submitted_at"])
    scope = {"organisation_ids": [org.id]}

    # the default rules: decide within 48 h, reminded 4 h before, escalated at the deadline
    early = await run_deadlines(submitted_at + timedelta(hours=1), **scope)
    assert (early.reminded, early.escalated) == (0, 0)
    assert await _inbox(client, org, "manager_a", "approval_reminder") == []

    for hours in (44.5, 45, 47.9):  # three runs inside the window: one reminder
        await run_deadlines(submitted_at + timedelta(hours=hours), **scope)
    [reminder] = await _inbox(client, org, "manager_a", "approval_reminder")
    assert reminder["title"].startswith("Reminder, to approve:")
    assert "Decision needed by" in reminder["body"]
    assert reminder["url"] == f"/approvals/claim/{sent['id']}"
    assert sent["id"] not in await pulled(client, org, "head", "expense_claim")
    hidden = await client.get(f"/api/v1/claims/{sent['id']}", headers=org.people["head"].headers)
    assert hidden.status_code == 404

    # the deadline passes: the head of the tree decides now, and both sides are told, once
    late = await run_deadlines(submitted_at + timedelta(hours=48, minutes=5), **scope)
    assert late.escalated == 1
    again = await run_deadlines(submitted_at + timedelta(hours=60), **scope)
    assert (again.reminded, again.escalated) == (0, 0)
    [escalated] = await _inbox(client, org, "head", "approval_escalated")
    assert escalated["title"].startswith("Transmise pour décision :")
    assert escalated["url"] == f"/approvals/claim/{sent['id']}"
    [away] = await _inbox(client, org, "manager_a", "approval_escalated_away")
    assert away["title"].startswith("Deadline passed") and "went to" in away["body"]
    assert len(await _inbox(client, org, "manager_a", "approval_reminder")) == 1
    phone = await pulled(client, org, "head", "expense_claim")
    assert phone[sent["id"]]["escalation_level"] == 1
    assert (await claim(client, org, sent["id"]))["escalation_level"] == 1

    # the manager below may no longer decide; the head may
    refused = await _decide(client, org, "manager_a", sent)
    assert refused.status == "rejected" and refused.code == "FORBIDDEN"
    approved = await _decide(client, org, "head", sent)
    assert approved.status == "applied", approved
    assert (await claim(client, org, sent["id"]))["state"] == "approved"
    trail = (await client.get(f"/api/v1/audit/expense_claim/{sent['id']}",
                              headers=org.people["agent_a"].headers)).json()["entries"]
    assert [e["action"] for e in trail] == ["submit", "escalate", "approve"]


async def test_the_organisations_rules_set_the_claims_deadline(client: Any) -> None:
    org = await make_org()
    changed = await client.put("/api/v1/admin/approval-deadlines/",
                               headers=org.people["admin"].headers,
                               json={"decide_within_hours": 8, "remind_before_hours": 2,
                                     "escalate_after_hours": 1})
    assert changed.status_code == 200, changed.text
    sent = await _submitted_claim(client, org)
    submitted_at = as_utc(sent["submitted_at"])
    scope = {"organisation_ids": [org.id]}
    assert (await run_deadlines(submitted_at + timedelta(hours=5), **scope)).reminded == 0
    assert (await run_deadlines(submitted_at + timedelta(hours=6, minutes=30),
                                **scope)).reminded == 1
    # 8 h deadline, escalation an hour after it
    assert (await run_deadlines(submitted_at + timedelta(hours=8, minutes=30),
                                **scope)).escalated == 0
    assert (await run_deadlines(submitted_at + timedelta(hours=9, minutes=1),
                                **scope)).escalated == 1
    # taken back and sent again, the claim waits for its own managers again
    back = await send(client, org.people["agent_a"], "expense_claim.withdraw",
                      {"id": sent["id"], "expected_state": "submitted"})
    assert back.status == "applied", back
    assert (await send(client, org.people["agent_a"], "expense_claim.submit",
                       {"id": sent["id"], "expected_state": "draft"})).status == "applied"
    again = await claim(client, org, sent["id"], who="manager_a")
    assert again["escalation_level"] == 0
    assert (await _decide(client, org, "manager_a", again)).status == "applied"
