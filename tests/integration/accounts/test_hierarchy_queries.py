"""The organisation helpers other domains call, against the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.accounts import (
    approvees_of,
    approvers_for,
    can_approve_for,
    managers_of,
    units_managed_by,
)
from backend.accounts.tables import Delegation
from tests.factories import delegate, make_org


async def test_unit_managers_decide_and_managers_go_to_the_head() -> None:
    org = await make_org()
    p = org.people
    now = datetime.now(UTC)
    assert await managers_of(org.unit_ids[0]) == [p["manager_a"].user_id]
    assert await approvers_for(p["agent_a"].user_id, now) == [p["manager_a"].user_id]
    assert await approvers_for(p["manager_a"].user_id, now) == [p["head"].user_id]
    assert await approvers_for(p["head"].user_id, now) == []
    assert await approvers_for(p["supplier"].user_id, now) == []
    assert await can_approve_for(p["manager_a"].actor, p["agent_a"].user_id, now)
    assert not await can_approve_for(p["manager_b"].actor, p["agent_a"].user_id, now)
    assert not await can_approve_for(p["agent_a"].actor, p["agent_a"].user_id, now)
    assert not await can_approve_for(p["supplier"].actor, p["agent_a"].user_id, now)
    assert sorted(await approvees_of(p["manager_a"].user_id, now)) == sorted(
        [p["agent_a"].user_id, p["agent_a2"].user_id])
    head_approvees = set(await approvees_of(p["head"].user_id, now))
    assert {p["manager_a"].user_id, p["manager_b"].user_id} <= head_approvees
    assert p["agent_a"].user_id not in head_approvees


async def test_delegate_approves_only_during_the_period() -> None:
    org = await make_org()
    p = org.people
    delegation_id = await delegate(org, "manager_a", "manager_b", days=7, start_offset_days=-1)
    row = await Delegation.select(Delegation.starts_at, Delegation.ends_at).where(
        Delegation.id == delegation_id).first()
    assert row is not None
    starts, ends = row["starts_at"], row["ends_at"]
    agent = p["agent_a"].user_id
    manager_b = p["manager_b"].actor
    assert await can_approve_for(manager_b, agent, starts)  # start included
    assert not await can_approve_for(manager_b, agent, starts - timedelta(seconds=1))
    assert not await can_approve_for(manager_b, agent, ends)  # end excluded
    now = datetime.now(UTC)
    assert set(await approvers_for(agent, now)) == {p["manager_a"].user_id, manager_b.user_id}
    assert set(await units_managed_by(manager_b.user_id, now)) == set(org.unit_ids)
    assert await units_managed_by(p["manager_a"].user_id, now) == [org.unit_ids[0]]
    assert agent in await approvees_of(manager_b.user_id, now)

    await Delegation.update({Delegation.revoked_at: now}).where(Delegation.id == delegation_id)
    later = now + timedelta(seconds=1)
    assert not await can_approve_for(manager_b, agent, later)
    assert await units_managed_by(manager_b.user_id, later) == [org.unit_ids[1]]
    assert await can_approve_for(manager_b, agent, now - timedelta(hours=1))  # history holds


async def test_future_delegation_is_not_yet_active() -> None:
    org = await make_org()
    await delegate(org, "manager_b", "agent_a", days=3, start_offset_days=2)
    now = datetime.now(UTC)
    assert await approvers_for(org.people["agent_b"].user_id, now) == [
        org.people["manager_b"].user_id]
    assert await approvers_for(org.people["agent_b"].user_id, now + timedelta(days=3)) == sorted(
        [org.people["manager_b"].user_id, org.people["agent_a"].user_id])
