"""The organisation's expense rule sets as data for the phone (GET /api/v1/policy/rule-sets)
with the home country, and the mission's city class in its synced row."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from backend.policy.rules import STATE_DEFAULTS
from backend.policy.schemas import RuleSetsOut
from backend.policy.services import add_rule_set, seed_state_defaults, stored_rule_sets
from tests.factories import make_org
from tests.integration.workflows.test_missions import _pulled_mission, submitted

PATH = "/api/v1/policy/rule-sets"


async def _own_version(org_id: Any, name: str, meal_cap_cents: int) -> None:
    await seed_state_defaults(org_id)
    await add_rule_set(org_id, msgspec.structs.replace(
        STATE_DEFAULTS[-1], name=name, valid_from=date(2027, 1, 1), meal_cap_cents=meal_cap_cents,
        lodging_caps_cents={"base": 9500, "large_city": 12500, "grand_paris": 12500,
                            "paris": 15000}))


async def test_staff_read_their_organisations_stored_rule_sets_only(client: Any) -> None:
    org, other = await make_org(), await make_org()
    await _own_version(org.id, "ministere-2027", 2100)
    await _own_version(other.id, "autre-2027", 3300)
    for who in ("agent_a", "manager_a", "back_office", "admin"):
        response = await client.get(PATH, headers=org.people[who].headers)
        assert response.status_code == 200, (who, response.text)
        got = msgspec.json.decode(response.content, type=RuleSetsOut).rule_sets
        assert got == await stored_rule_sets(org.id), who
        assert [r.name for r in got] == ["state-2019", "state-2023", "ministere-2027"]
        assert got[-1].meal_cap_cents == 2100 and got[-1].lodging_caps_cents["paris"] == 15000
        assert "autre-2027" not in response.text
    seen_by_other = (await client.get(PATH, headers=other.people["agent_a"].headers)).json()
    assert [r["name"] for r in seen_by_other["rule_sets"]] == [
        "state-2019", "state-2023", "autre-2027"]
    assert seen_by_other["rule_sets"][-1]["meal_cap_cents"] == 3300


async def test_an_organisation_without_its_own_rules_gets_the_states(client: Any) -> None:
    org = await make_org()
    response = await client.get(PATH, headers=org.people["agent_a"].headers)
    assert response.status_code == 200
    got = msgspec.json.decode(response.content, type=RuleSetsOut).rule_sets
    assert got == list(STATE_DEFAULTS)


async def test_suppliers_and_strangers_are_refused(client: Any) -> None:
    org = await make_org()
    refused = await client.get(PATH, headers=org.people["supplier"].headers)
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"
    assert (await client.get(PATH)).status_code == 401


async def test_the_etag_revalidates_until_a_version_is_added(client: Any) -> None:
    org = await make_org()
    headers = org.people["agent_a"].headers
    first = await client.get(PATH, headers=headers)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = await client.get(PATH, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    await _own_version(org.id, "ministere-2027", 2100)
    changed = await client.get(PATH, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["rule_sets"][-1]["name"] == "ministere-2027"


async def test_the_rule_sets_route_is_in_the_openapi_schema(client: Any) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    operation = schema["paths"][PATH]["get"]
    assert operation["operationId"] == "listPolicyRuleSets"
    assert "RuleSet" in str(operation["responses"]["200"])


async def test_the_mission_row_carries_its_city_class(client: Any) -> None:
    org = await make_org()
    for destination, expected in (("Lyon", "large_city"), ("Paris 15e", "paris"),
                                  ("Guéret", "base")):
        mission = await submitted(client, org, destination=destination)
        row = await _pulled_mission(client, org, "agent_a", mission["id"])
        assert row["city_class"] == expected, destination
        assert row["abroad"] is False, destination


async def test_the_mission_row_says_whether_it_is_abroad(client: Any) -> None:
    """The phone's hotel warning abroad reads the server's word, not its own country rule."""
    org = await make_org()
    mission = await submitted(client, org, destination="Berlin", country="DE")
    row = await _pulled_mission(client, org, "agent_a", mission["id"])
    assert (row["country"], row["abroad"]) == ("DE", True)


async def test_the_home_country_comes_with_the_rule_sets_and_is_the_servers_abroad_rule(
        client: Any) -> None:
    """The phone's mission form asks whether a country is abroad with the home country sent
    beside the rule sets: a mission there is not abroad in its synced row, one elsewhere is."""
    org = await make_org()
    response = await client.get(PATH, headers=org.people["agent_a"].headers)
    home = msgspec.json.decode(response.content, type=RuleSetsOut).home_country
    assert home == "FR"
    for country, destination, abroad in ((home, "Guéret", False), ("DE", "Berlin", True)):
        mission = await submitted(client, org, destination=destination, country=country)
        row = await _pulled_mission(client, org, "agent_a", mission["id"])
        assert (row["country"], row["abroad"]) == (country, abroad)
