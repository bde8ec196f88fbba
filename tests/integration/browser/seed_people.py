"""Migrates the server's database, creates an organisation and prints its people as JSON.

Run in a subprocess with the browser tests' server environment (its own data directory).
"""

from __future__ import annotations

import asyncio
import json
import uuid

from backend.accounts.tables import Unit
from backend.invoices.integration_keys import create_key
from backend.migrate import migrate
from tests.factories import PASSWORD, make_org, make_person

INTEGRATION_KEY = "browser-test-integration-key"


async def main() -> None:
    await migrate()
    org = await make_org()
    # Unit B's second agent, for the receipt journey (its own missions and lines).
    org.people["agent_b2"] = await make_person("agent", organisation_id=org.id,
                                               unit_id=org.unit_ids[1], label="agent-b2")
    # Unit B's agent on the road (missions with times, receipts, returned claims).
    org.people["agent_road"] = await make_person("agent", organisation_id=org.id,
                                                 unit_id=org.unit_ids[1], label="agent-road")
    # Unit B's agent abroad (a mission to Berlin with an advance, a claim with a dollar line).
    org.people["agent_abroad"] = await make_person("agent", organisation_id=org.id,
                                                   unit_id=org.unit_ids[1], label="agent-abroad")
    # An agent of unit A for the PIN journey (locks, unlocks offline, is wiped at the end).
    org.people["agent_pin"] = await make_person("agent", organisation_id=org.id,
                                                unit_id=org.unit_ids[0], label="agent-pin")
    # Unit B's agent who drives: vehicle profile, mileage lines, printed documents.
    org.people["agent_car"] = await make_person("agent", organisation_id=org.id,
                                                unit_id=org.unit_ids[1], label="agent-car")
    # Units C and D for the delegation journey: unit C's manager lends their approvals to
    # unit D's manager (a unit without agents), so no other journey's inbox changes.
    for key, role in (("c", "manager"), ("c", "agent"), ("d", "manager")):
        unit_id = uuid.uuid5(org.id, f"unit-{key}")
        if not await Unit.exists().where(Unit.id == unit_id):
            await Unit.insert(Unit(id=unit_id, organisation=org.id, name=f"Unité {key.upper()}",
                                   code_service=f"U{key.upper()}",
                                   parent=org.head_unit_id)).run()
        org.people[f"{role}_{key}"] = await make_person(role, organisation_id=org.id,
                                                        unit_id=unit_id, label=f"{role}-{key}")
    # Unit B's agent with two receipts on one line, and unit A's colleague who claimed one first.
    org.people["agent_receipts"] = await make_person("agent", organisation_id=org.id,
                                                     unit_id=org.unit_ids[1],
                                                     label="agent-receipts")
    org.people["agent_colleague"] = await make_person("agent", organisation_id=org.id,
                                                      unit_id=org.unit_ids[0],
                                                      label="agent-colleague")
    await create_key(org.id, INTEGRATION_KEY, name="browser tests")
    people = {name: {"email": p.email, "user_id": str(p.user_id)} for name, p in org.people.items()}
    print(json.dumps({"password": PASSWORD, "people": people, "supplier_siret": org.supplier_siret,
                      "integration_key": INTEGRATION_KEY}))


if __name__ == "__main__":
    asyncio.run(main())
