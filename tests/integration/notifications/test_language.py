"""Notifications speak the language the person chose in the app, whatever their role: the app
saves it (PATCH /api/v1/me) and registers its push subscription again with it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from backend.invoices.integration_keys import create_key
from tests.factories import Person, make_org
from tests.integration.notifications.conftest import deliver, subscribe
from tests.integration.workflows.intents import send
from tests.pushservice import FakePushService


async def _choose_english(client, person: Person, service: FakePushService):  # type: ignore[no-untyped-def]
    """What the settings screen does (``chooseLanguage``): save the language, re-register."""
    response = await client.patch("/api/v1/me", json={"language": "en"}, headers=person.headers)
    assert response.status_code == 200, response.text
    await client.put("/api/v1/push/preferences", headers=person.headers,
                     json={"quiet_start": None, "quiet_end": None, "hide_amounts": False})
    return await subscribe(client, person, service, language="en")


async def test_supplier_and_manager_switch_to_english(client, push_service: FakePushService
                                                      ) -> None:
    org = await make_org()
    supplier, manager, agent = (org.people["supplier"], org.people["manager_a"],
                                org.people["agent_a"])
    await subscribe(client, supplier, push_service, language="fr")  # set up in French
    supplier_phone = await _choose_english(client, supplier, push_service)
    manager_phone = await _choose_english(client, manager, push_service)
    key = f"key-{uuid.uuid4().hex}"
    await create_key(org.id, key, name="test")
    created = {"event_id": uuid.uuid4().hex, "type": "invoice.created",
               "occurred_at": datetime.now(UTC).isoformat(),
               "invoice": {"number": "F-EN", "supplier_siret": org.supplier_siret,
                           "issued_on": "2026-10-01", "amount_ht_cents": 10000,
                           "vat_cents": 2000, "amount_ttc_cents": 12000, "lines": []}}
    response = await client.post("/integration/v1/events", json={"events": [created]},
                                 headers={"X-Api-Key": key})
    assert response.status_code == 200, response.text
    mission_id = str(uuid.uuid4())
    assert (await send(client, agent, "mission.create", {
        "id": mission_id, "purpose": "Audit", "destination": "Lyon", "starts_on": "2026-12-01",
        "ends_on": "2026-12-02", "transport": "train", "estimated_cost_cents": 8950,
    })).status == "applied"
    assert (await send(client, agent, "mission.submit",
                       {"id": mission_id, "expected_state": "draft"})).status == "applied"
    await deliver()
    [invoice_push] = await push_service.wait_for_async(supplier_phone, 1)
    assert invoice_push.json()["notification"]["title"] == "Invoice F-EN: submitted"
    [approval_push] = await push_service.wait_for_async(manager_phone, 1)
    assert approval_push.json()["notification"]["title"] == "To approve: Audit — Lyon"
    # The inbox follows at once, with the token issued while the person spoke French.
    for person, title in ((supplier, "Invoice F-EN: submitted"),
                          (manager, "To approve: Audit — Lyon")):
        inbox = (await client.get("/api/v1/inbox/", headers=person.headers)).json()
        assert inbox["items"][0]["title"] == title
