"""Mission orders end to end: intents from devices, decisions, refusals, reads, audit."""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from backend.accounts.tables import User
from backend.missions.tables import Mission
from tests.factories import Org, delegate, make_org
from tests.integration.workflows.intents import send


def mission_args(**extra: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "purpose": "Audit du site de Lyon", "destination": "Lyon",
            "starts_on": "2026-12-01", "ends_on": "2026-12-03", "transport": "train",
            "estimated_cost_cents": 24000, **extra}


async def read(client: Any, org: Org, who: str, mission_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/missions/{mission_id}",
                                headers=org.people[who].headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def submitted(client: Any, org: Org, who: str = "agent_a", **extra: Any) -> dict[str, Any]:
    args = mission_args(**extra)
    assert (await send(client, org.people[who], "mission.create", args)).status == "applied"
    ack = await send(client, org.people[who], "mission.submit",
                     {"id": args["id"], "expected_state": "draft"})
    assert ack.status == "applied", ack
    return await read(client, org, who, args["id"])


async def decide(client: Any, org: Org, who: str, mission: dict[str, Any], decision: str,
                 **extra: Any) -> Any:
    args = {"id": mission["id"], "decision": decision, "expected_state": "submitted",
            "content_hash": mission["content_hash"], **extra}
    return await send(client, org.people[who], "mission.decide", args)


async def _pulled_mission(client: Any, org: Org, who: str, mission_id: str) -> dict[str, Any]:
    pulled = await client.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())},
                               headers=org.people[who].headers)
    assert pulled.status_code == 200, pulled.text
    [row] = [p["data"] for p in pulled.json()["patch"] if p["id"] == mission_id]
    return row  # type: ignore[no-any-return]


async def test_the_manager_sees_who_asks_also_for_requests_made_before_names_were_kept(
    client: Any,
) -> None:
    org = await make_org()
    mission = await submitted(client, org)
    agent_id = org.people["agent_a"].user_id
    name = (await User.select(User.full_name).where(User.id == agent_id).first() or {})[
        "full_name"]
    assert (await _pulled_mission(client, org, "manager_a", mission["id"]))["agent_name"] == name
    await Mission.update({Mission.agent_name: ""}).where(Mission.agent == agent_id)
    backfill = importlib.import_module(
        "backend.missions.piccolo_migrations.missions_2026_12_02t05_06_24_000000")
    for step in (await backfill.forwards()).raw:
        await step()
    row = await Mission.select(Mission.agent_name).where(Mission.agent == agent_id).first()
    assert row is not None and row["agent_name"] == name


async def test_agent_drafts_submits_and_manager_approves(client: Any) -> None:
    org = await make_org()
    mission = await submitted(client, org)
    assert mission["state"] == "submitted"
    ack = await decide(client, org, "manager_a", mission, "approve")
    assert ack.status == "applied"
    after = await read(client, org, "agent_a", mission["id"])
    assert after["state"] == "approved"
    assert after["decided_by"] == str(org.people["manager_a"].user_id)
    trail = await client.get(f"/api/v1/audit/mission/{mission['id']}",
                             headers=org.people["agent_a"].headers)
    assert trail.status_code == 200, trail.text
    actions = [(e["action"], e["actor_id"]) for e in trail.json()["entries"]]
    assert actions == [("submit", str(org.people["agent_a"].user_id)),
                       ("approve", str(org.people["manager_a"].user_id))]
    approve = trail.json()["entries"][1]
    assert approve["content_hash"] == mission["content_hash"]
    assert approve["device_id"] == str(org.people["manager_a"].device_id)
    assert approve["client_time"] is not None and approve["server_time"] is not None


async def test_refuse_and_return_need_a_reason_and_return_allows_resubmission(client: Any) -> None:
    org = await make_org()
    mission = await submitted(client, org)
    ack = await decide(client, org, "manager_a", mission, "refuse")
    assert (ack.status, ack.code) == ("rejected", "REASON_REQUIRED")
    ack = await decide(client, org, "manager_a", mission, "return", reason="Dates ?")
    assert ack.status == "applied"
    back = await read(client, org, "agent_a", mission["id"])
    assert (back["state"], back["decision_reason"]) == ("returned", "Dates ?")
    edit = await send(client, org.people["agent_a"], "mission.edit",
                      {"id": mission["id"], "base_version": back["row_version"],
                       "ends_on": "2026-12-04"})
    assert edit.status == "applied"
    resubmit = await send(client, org.people["agent_a"], "mission.submit",
                          {"id": mission["id"], "expected_state": "returned"})
    assert resubmit.status == "applied"
    again = await read(client, org, "agent_a", mission["id"])
    assert again["content_hash"] != mission["content_hash"]
    ack = await decide(client, org, "manager_a", again, "refuse", reason="Budget")
    assert ack.status == "applied"
    assert (await read(client, org, "agent_a", mission["id"]))["state"] == "refused"


async def test_decision_refusal_codes(client: Any) -> None:
    org = await make_org()
    mission = await submitted(client, org)
    stale = dict(mission, content_hash="0" * 64)
    assert (await decide(client, org, "manager_a", stale, "approve")).code == "CONTENT_CHANGED"
    assert (await decide(client, org, "manager_a", mission, "approve")).status == "applied"
    same = await decide(client, org, "manager_a", mission, "approve")
    assert (same.status, same.code) == ("noop", "ALREADY_DECIDED")
    other = await decide(client, org, "manager_a", mission, "refuse", reason="non")
    assert (other.status, other.code) == ("rejected", "ALREADY_DECIDED")
    cancel = await send(client, org.people["agent_a"], "mission.cancel",
                        {"id": mission["id"], "expected_state": "submitted"})
    assert (cancel.status, cancel.code) == ("rejected", "ALREADY_DECIDED")


async def test_approve_after_the_agent_cancelled_or_changed_it(client: Any) -> None:
    org = await make_org()
    mission = await submitted(client, org)
    cancel = await send(client, org.people["agent_a"], "mission.cancel",
                        {"id": mission["id"], "expected_state": "submitted"})
    assert cancel.status == "applied"
    ack = await decide(client, org, "manager_a", mission, "approve")
    assert (ack.status, ack.code) == ("rejected", "ALREADY_DECIDED")
    second = await submitted(client, org)
    # The manager returns it; a second device of the manager still shows "submitted".
    await decide(client, org, "manager_a", second, "return", reason="Précisez")
    ack = await decide(client, org, "head", second, "approve")
    assert ack.code == "FORBIDDEN"  # head is not agent_a's direct manager
    edit = await send(client, org.people["agent_a"], "mission.edit",
                      {"id": second["id"], "base_version": 0, "purpose": "Autre"})
    assert edit.status == "applied"
    await send(client, org.people["agent_a"], "mission.submit",
               {"id": second["id"], "expected_state": "returned"})
    ack = await decide(client, org, "manager_a", second, "approve")
    assert ack.code == "CONTENT_CHANGED"


async def test_who_may_decide(client: Any) -> None:
    org = await make_org()
    mission = await submitted(client, org)
    for who in ("agent_a", "agent_a2", "manager_b", "back_office", "admin", "head"):
        ack = await decide(client, org, who, mission, "approve")
        assert (ack.status, ack.code) in {("rejected", "FORBIDDEN"), ("rejected", "NOT_FOUND")}, who
    own = await submitted(client, org, who="manager_a")
    assert (await decide(client, org, "manager_a", own, "approve")).code == "FORBIDDEN"
    assert (await decide(client, org, "head", own, "approve")).status == "applied"
    await delegate(org, "manager_a", "manager_b")
    assert (await decide(client, org, "manager_b", mission, "approve")).status == "applied"


async def test_expired_delegation_loses_the_right(client: Any) -> None:
    org = await make_org()
    mission = await submitted(client, org)
    await delegate(org, "manager_a", "agent_a2", days=1, start_offset_days=-3)
    ack = await decide(client, org, "agent_a2", mission, "approve")
    assert (ack.status, ack.code) == ("rejected", "FORBIDDEN")
    listing = await client.get("/api/v1/missions", headers=org.people["agent_a2"].headers)
    assert mission["id"] not in {m["id"] for m in listing.json()["items"]}


async def test_only_the_agent_edits_submits_or_cancels(client: Any) -> None:
    org = await make_org()
    args = mission_args()
    await send(client, org.people["agent_a"], "mission.create", args)
    for who in ("agent_a2", "manager_a"):
        ack = await send(client, org.people[who], "mission.submit",
                         {"id": args["id"], "expected_state": "draft"})
        assert ack.code == "FORBIDDEN", who
    other_org = await make_org()
    ack = await send(client, other_org.people["agent_a"], "mission.cancel",
                     {"id": args["id"], "expected_state": "draft"})
    assert ack.code == "NOT_FOUND"
    bad = await send(client, org.people["agent_a"], "mission.create",
                     mission_args(starts_on="2026-12-05", ends_on="2026-12-01"))
    assert bad.code == "DATES_INVALID"
    supplier = await send(client, org.people["supplier"], "mission.create", mission_args())
    assert supplier.code == "FORBIDDEN"
    stale = await send(client, org.people["agent_a"], "mission.submit",
                       {"id": args["id"], "expected_state": "returned"})
    assert stale.code == "STATE_CHANGED"


async def test_urgent_when_a_booking_expires_soon(client: Any) -> None:
    org = await make_org()
    soon = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    later = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    urgent = await submitted(client, org, bookings=[
        {"label": "TGV Paris-Lyon", "fare_cents": 8900, "expires_at": soon},
        {"label": "Hôtel", "fare_cents": 9000, "expires_at": later}])
    calm = await submitted(client, org, bookings=[
        {"label": "TGV", "fare_cents": 8900, "expires_at": later}])
    assert urgent["urgent"] and not calm["urgent"]
    listing = await client.get("/api/v1/missions", params={"urgent": "true"},
                               headers=org.people["manager_a"].headers)
    assert [m["id"] for m in listing.json()["items"]] == [urgent["id"]]
    everything = await client.get("/api/v1/missions", headers=org.people["manager_a"].headers)
    assert {urgent["id"], calm["id"]} <= {m["id"] for m in everything.json()["items"]}
    assert date.fromisoformat(urgent["starts_on"]) == date(2026, 12, 1)


async def test_concurrent_decisions_first_wins(client: Any) -> None:
    """Manager and delegate decide at the same moment: exactly one decision is applied."""
    import asyncio

    from tests.integration.workflows.intents import send_retrying

    org = await make_org()
    await delegate(org, "manager_a", "manager_b")
    for _ in range(3):
        mission = await submitted(client, org)
        acks = await asyncio.gather(
            send_retrying(client, org.people["manager_a"], "mission.decide", {
                "id": mission["id"], "decision": "approve", "expected_state": "submitted",
                "content_hash": mission["content_hash"]}),
            send_retrying(client, org.people["manager_b"], "mission.decide", {
                "id": mission["id"], "decision": "refuse", "expected_state": "submitted",
                "content_hash": mission["content_hash"], "reason": "Non"}))
        assert sorted(a.status for a in acks) == ["applied", "rejected"], acks
        assert [a.code for a in acks if a.status == "rejected"] == ["ALREADY_DECIDED"]
        final = await read(client, org, "agent_a", mission["id"])
        winner = "approved" if acks[0].status == "applied" else "refused"
        assert final["state"] == winner
        trail = await client.get(f"/api/v1/audit/mission/{mission['id']}",
                                 headers=org.people["agent_a"].headers)
        assert [e["action"] for e in trail.json()["entries"]].count("submit") == 1
        assert len(trail.json()["entries"]) == 2


async def test_an_approved_mission_can_be_amended_or_cancelled(client: Any) -> None:
    """Plans change after approval: the agent reopens the mission (it goes back for approval,
    the old approval no longer stands) or cancels it; a manager's late decision is refused."""
    org = await make_org()
    mission = await submitted(client, org)
    assert (await decide(client, org, "manager_a", mission, "approve")).status == "applied"
    amend = await send(client, org.people["agent_a"], "mission.amend",
                       {"id": mission["id"], "expected_state": "approved"})
    assert amend.status == "applied", amend
    reopened = await read(client, org, "agent_a", mission["id"])
    assert (reopened["state"], reopened["decided_by"]) == ("draft", None)
    edit = await send(client, org.people["agent_a"], "mission.edit",
                      {"id": mission["id"], "base_version": reopened["row_version"],
                       "destination": "Marseille"})
    assert edit.status == "applied", edit
    stale = await decide(client, org, "manager_a", mission, "approve")  # hash of the old content
    assert (stale.status, stale.code) == ("rejected", "STATE_CHANGED")
    again = await send(client, org.people["agent_a"], "mission.submit",
                       {"id": mission["id"], "expected_state": "draft"})
    assert again.status == "applied"
    fresh = await read(client, org, "manager_a", mission["id"])
    assert (await decide(client, org, "manager_a", fresh, "approve")).status == "applied"
    assert (await send(client, org.people["agent_a2"], "mission.cancel",
                       {"id": mission["id"], "expected_state": "approved"})).code in {
        "FORBIDDEN", "NOT_FOUND"}
    cancel = await send(client, org.people["agent_a"], "mission.cancel",
                        {"id": mission["id"], "expected_state": "approved"})
    assert cancel.status == "applied", cancel
    assert (await read(client, org, "agent_a", mission["id"]))["state"] == "cancelled"


async def test_departure_and_return_times_give_the_allowances(client: Any) -> None:
    """Missions carry departure and return times; the server counts meals and nights from
    them under the rule set (no typed allowance), refuses times that do not fit, and the
    manager reads the figures on the request."""
    org = await make_org()
    args = mission_args(starts_on="2026-12-07", ends_on="2026-12-09", destination="Lyon",
                        departs_at="2026-12-07T08:00:00+01:00",
                        returns_at="2026-12-09T20:00:00+01:00",
                        bookings=[{"label": "TGV Paris-Lyon", "fare_cents": 8900, "mode": "train",
                                   "expires_at": "2026-12-05T18:00:00Z"}])
    assert (await send(client, org.people["agent_a"], "mission.create", args)).status == (
        "applied")
    mission = await read(client, org, "agent_a", args["id"])
    # Lyon: 5 meals at the flat 20 €, 2 nights up to the 120 € cap.
    assert {k: mission["allowance"][k] for k in ("meals", "nights", "meals_cents",
                                                 "lodging_cap_cents", "expected_cents")} == {
        "meals": 5, "nights": 2, "meals_cents": 10000, "lodging_cap_cents": 24000,
        "expected_cents": 34000}
    assert mission["departs_at"] == "2026-12-07T07:00:00Z"
    assert mission["bookings"][0]["mode"] == "train"
    later = await send(client, org.people["agent_a"], "mission.edit", {
        "id": args["id"], "base_version": mission["row_version"],
        "returns_at": "2026-12-09T21:30:00+01:00"})
    assert later.status == "applied", later
    assert (await read(client, org, "agent_a", args["id"]))["allowance"]["meals"] == 6
    refusals = [
        ({"returns_at": "2026-12-07T07:00:00+01:00"}, "DATES_INVALID"),
        ({"returns_at": "2026-12-10T20:00:00+01:00"}, "TIMES_OUTSIDE_DATES"),
        ({"departs_at": None, "returns_at": "2026-12-09T20:00:00+01:00"}, "TIMES_INCOMPLETE"),
        ({"time_zone": "Mars/Olympus"}, "TIME_ZONE_UNKNOWN"),
    ]
    for changes, code in refusals:
        ack = await send(client, org.people["agent_a"], "mission.create",
                         {**args, "id": str(uuid.uuid4()), **changes})
        assert (ack.status, ack.code) == ("rejected", code), changes
    pulled = await _pulled_mission(client, org, "manager_a", args["id"])
    assert pulled["allowance"]["expected_cents"] == 36000


async def test_a_mission_abroad_asks_an_advance_of_75_percent(client: Any) -> None:
    """Abroad, the country's daily rate (dated data in the organisation's rule set) split
    65 % per night and 17.5 % per meal; the advance asked is 75 % of it."""
    import msgspec

    from backend.policy.rules import STATE_DEFAULTS
    from backend.policy.services import add_rule_set, seed_state_defaults

    org = await make_org()
    await seed_state_defaults(org.id)
    await add_rule_set(org.id, msgspec.structs.replace(
        STATE_DEFAULTS[1], name="state-2026-abroad", valid_from=date(2026, 1, 1),
        abroad_daily_cents={"DE": 12000}))
    args = mission_args(starts_on="2026-12-07", ends_on="2026-12-09", destination="Berlin",
                        country="DE", time_zone="Europe/Berlin", advance_requested=True,
                        departs_at="2026-12-07T08:00:00", returns_at="2026-12-09T20:00:00")
    assert (await send(client, org.people["agent_a"], "mission.create", args)).status == (
        "applied")
    allowance = (await read(client, org, "agent_a", args["id"]))["allowance"]
    # 2 nights × 78 € + 5 meals × 21 € = 261 €; advance 195.75 €
    assert (allowance["abroad_cents"], allowance["advance_cents"],
            allowance["rate_missing"]) == (26100, 19575, False)
    assert allowance["abroad_nights_cents"] == 15600  # paid at the claim on proof of lodging
    # The daily allowance pays meals and nights (the phone is told so on the mission).
    assert allowance["covers"] == ["meal", "lodging"]
    tokyo = mission_args(starts_on="2026-12-07", ends_on="2026-12-09", destination="Tokyo",
                         country="JP", time_zone="Asia/Tokyo", advance_requested=True,
                         departs_at="2026-12-07T08:00:00", returns_at="2026-12-09T20:00:00")
    assert (await send(client, org.people["agent_a"], "mission.create", tokyo)).status == (
        "applied")
    assert (await read(client, org, "agent_a", tokyo["id"]))["allowance"]["rate_missing"]


async def test_a_second_offline_edit_of_the_estimate_is_no_conflict_with_itself(
    client: Any
) -> None:
    """The phone edits its draft twice offline on the row_version it last pulled: both apply;
    another installation's change of the estimate on that version still conflicts."""
    from tests.integration.sync.helpers import SyncClient

    org = await make_org()
    args = mission_args()
    assert (await send(client, org.people["agent_a"], "mission.create", args)).status == "applied"
    base = (await read(client, org, "agent_a", args["id"]))["row_version"]
    for estimate in (25000, 26000):
        ack = await send(client, org.people["agent_a"], "mission.edit",
                         {"id": args["id"], "base_version": base,
                          "estimated_cost_cents": estimate})
        assert (ack.status, ack.code) == ("applied", None), ack
    assert (await read(client, org, "agent_a", args["id"]))["estimated_cost_cents"] == 26000
    laptop = SyncClient(client, org.people["agent_a"])
    ack = await laptop.do("mission.edit", {"id": args["id"], "base_version": base,
                                           "estimated_cost_cents": 30000})
    assert (ack["status"], ack["code"]) == ("rejected", "MONEY_CONFLICT")
