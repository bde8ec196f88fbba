"""Mileage lines priced by the server from the agent's vehicle profile and the dated scale
(arrêté du 14 mars 2022), split across the 2,000 km band; refused without a profile or km."""

from __future__ import annotations

import uuid
from typing import Any

from kernel.errors import CATALOGUE
from tests.factories import Org, make_org
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_claims import approved_mission, claim, open_claim


async def pulled(client: Any, org: Org, who: str, entity: str) -> dict[str, dict[str, Any]]:
    """The rows of ``entity`` a fresh phone of ``who`` pulls, by id."""
    response = await client.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())},
                                 headers=org.people[who].headers)
    assert response.status_code == 200, response.text
    return {p["id"]: p["data"] for p in response.json()["patch"] if p["entity"] == entity}


async def mileage(client: Any, org: Org, claim_id: str | None, km: Any,
                  day: str = "2026-10-05") -> tuple[str, Any]:
    line_id = str(uuid.uuid4())
    ack = await send(client, org.people["agent_a"], "expense_line.create", {
        "id": line_id, "date": day, "amount_cents": 0, "category": "mileage", "km": km,
        "claim_id": claim_id})
    return line_id, ack


async def set_vehicle(client: Any, org: Org, who: str = "agent_a", **fields: Any) -> Any:
    return await send(client, org.people[who], "vehicle_profile.set", {
        "id": str(org.people[who].user_id), "fiscal_cv": 5, "year": 2026, "declared_km": 0,
        **fields})


async def test_mileage_needs_a_vehicle_profile_and_km(client: Any) -> None:
    org = await make_org()
    _, ack = await mileage(client, org, None, 120)
    assert ack.status == "rejected" and ack.code == "VEHICLE_PROFILE_MISSING"
    problem = CATALOGUE["VEHICLE_PROFILE_MISSING"]
    assert "véhicule" in problem.fr and "car" in problem.en
    assert (await set_vehicle(client, org)).status == "applied"
    for km in (0, None):
        _, ack = await mileage(client, org, None, km)
        assert ack.code == "MILEAGE_KM_INVALID", km
    _, negative = await mileage(client, org, None, -40)
    assert negative.status == "rejected" and negative.code == "VALIDATION_FAILED"
    # Someone else's profile cannot be set.
    other = await send(client, org.people["agent_a"], "vehicle_profile.set", {
        "id": str(org.people["agent_a2"].user_id), "fiscal_cv": 9, "year": 2026})
    assert other.code == "FORBIDDEN"
    assert pulled_nothing(await pulled(client, org, "agent_a2", "vehicle_profile"))


def pulled_nothing(rows: dict[str, dict[str, Any]]) -> bool:
    return rows == {}


async def test_a_line_crossing_the_2000_km_band_is_split(client: Any) -> None:
    org = await make_org()
    mission = await approved_mission(client, org)
    claim_id = await open_claim(client, org, mission)
    # 5 CV, 1,800 km already driven this year: 500 km = 200 × 0.32 + 300 × 0.40 = 184 €.
    assert (await set_vehicle(client, org, declared_km=1800)).status == "applied"
    first, ack = await mileage(client, org, claim_id, 500)
    assert ack.status == "applied", ack
    rows = await pulled(client, org, "agent_a", "expense_line")
    assert rows[first]["amount_cents"] == 18400 and rows[first]["fiscal_hp"] == 5
    assert rows[first]["mileage"]["parts"] == [
        {"km": 200, "euros_per_km": "0.32", "cents": 6400},
        {"km": 300, "euros_per_km": "0.40", "cents": 12000}]
    assert rows[first]["mileage"]["annual_km_before"] == 1800
    # The next line starts where the first ended (2,300 km): all at 0.40.
    second, _ = await mileage(client, org, claim_id, 100)
    assert (await pulled(client, org, "agent_a", "expense_line"))[second]["amount_cents"] == 4000
    # A new car (8 CV) and the km edited: priced again at the 8 CV rates.
    assert (await set_vehicle(client, org, fiscal_cv=8, declared_km=1800)).status == "applied"
    row = (await pulled(client, org, "agent_a", "expense_line"))[second]
    ack = await send(client, org.people["agent_a"], "expense_line.edit", {
        "id": second, "base_version": row["row_version"], "km": 150, "amount_cents": 1})
    assert ack.status == "applied", ack
    edited = (await pulled(client, org, "agent_a", "expense_line"))[second]
    assert edited["amount_cents"] == 150 * 55 and edited["fiscal_hp"] == 8
    # The agent's own profile syncs to their phones, with nobody else's.
    profiles = await pulled(client, org, "agent_a", "vehicle_profile")
    assert profiles[str(org.people["agent_a"].user_id)]["fiscal_cv"] == 8
    assert await pulled(client, org, "manager_a", "vehicle_profile") == {}
    ack = await send(client, org.people["agent_a"], "expense_claim.submit",
                     {"id": claim_id, "expected_state": "draft"})
    assert ack.status == "applied", ack
    sent = await claim(client, org, claim_id)
    assert sent["total_cents"] == 18400 + 8250
    assert "MILEAGE_AMOUNT" not in {f["code"] for f in sent["findings"]}
