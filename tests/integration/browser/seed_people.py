"""Migrates the server's database, creates an organisation and prints its people as JSON.

Run in a subprocess with the browser tests' server environment (its own data directory).
"""

from __future__ import annotations

import asyncio
import json

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
    # An agent of unit A for the PIN journey (locks, unlocks offline, is wiped at the end).
    org.people["agent_pin"] = await make_person("agent", organisation_id=org.id,
                                                unit_id=org.unit_ids[0], label="agent-pin")
    await create_key(org.id, INTEGRATION_KEY, name="browser tests")
    people = {name: {"email": p.email, "user_id": str(p.user_id)} for name, p in org.people.items()}
    print(json.dumps({"password": PASSWORD, "people": people, "supplier_siret": org.supplier_siret,
                      "integration_key": INTEGRATION_KEY}))


if __name__ == "__main__":
    asyncio.run(main())
