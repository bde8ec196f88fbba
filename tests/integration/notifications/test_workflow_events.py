"""Workflow events reach the right people's devices: submit → approver, decide → agent,
invoice status → the supplier's users, invoice for an order → that unit's managers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from backend.invoices.integration_keys import create_key
from tests.factories import make_org
from tests.integration.notifications.conftest import deliver, subscribe
from tests.integration.workflows.intents import send
from tests.pushservice import FakePushService


async def _no_quiet_hours(client, person) -> None:  # type: ignore[no-untyped-def]
    response = await client.put("/api/v1/push/preferences", headers=person.headers,
                                json={"quiet_start": None, "quiet_end": None,
                                      "hide_amounts": False})
    assert response.status_code == 200, response.text


async def test_mission_submitted_asks_the_manager_who_approves_from_the_notification(
        client, push_service: FakePushService) -> None:
    org = await make_org()
    agent, manager, other = org.people["agent_a"], org.people["manager_a"], org.people["manager_b"]
    manager_phone = await subscribe(client, manager, push_service)
    other_phone = await subscribe(client, other, push_service)
    agent_phone = await subscribe(client, agent, push_service)
    await _no_quiet_hours(client, agent)
    mission_id = str(uuid.uuid4())
    expiry = (datetime.now(UTC) + timedelta(hours=5)).replace(microsecond=0)
    ack = await send(client, agent, "mission.create", {
        "id": mission_id, "purpose": "Audit", "destination": "Lyon", "starts_on": "2026-12-01",
        "ends_on": "2026-12-02", "transport": "train", "estimated_cost_cents": 8950,
        "bookings": [{"label": "Paris–Lyon", "fare_cents": 8950,
                      "expires_at": expiry.isoformat()}]})
    assert ack.status == "applied", ack
    assert (await send(client, agent, "mission.submit",
                       {"id": mission_id, "expected_state": "draft"})).status == "applied"
    await deliver()
    [ask] = await push_service.wait_for_async(manager_phone, 1)
    note = ask.json()["notification"]
    assert note["title"] == "À valider : Audit — Lyon"
    assert ask.urgency == "high" and ask.ttl <= 5 * 3600
    assert note["navigate"] == f"/approvals/mission/{mission_id}"
    assert [a["action"] for a in note["actions"]] == ["approve", "refuse"]
    assert push_service.messages(other_phone) == [], "only the agent's own manager is asked"
    assert ask.json()["decision"] == {"entity": "mission", "id": mission_id, "lang": "fr",
                                      "expected_state": "submitted",
                                      "content_hash": note["data"]["intents"]["approve"]["args"][
                                          "content_hash"]}
    intent = note["data"]["intents"]["approve"]
    # The service worker queues this intent as is; the server checks it like any other.
    ack = await send(client, manager, intent["name"], intent["args"])
    assert ack.status == "applied", ack
    await deliver()
    [decided] = await push_service.wait_for_async(agent_phone, 1)
    assert decided.json()["notification"]["title"] == "Audit — Lyon : approuvé"
    inbox = (await client.get("/api/v1/inbox/", headers=manager.headers)).json()
    assert inbox["items"][0]["document"]["id"] == mission_id


async def test_invoice_status_from_the_integration_api_reaches_the_supplier(
        client, push_service: FakePushService) -> None:
    org = await make_org()
    key = f"key-{uuid.uuid4().hex}"
    await create_key(org.id, key, name="test")
    supplier = org.people["supplier"]
    phone = await subscribe(client, supplier, push_service)
    rival = await subscribe(client, org.people["other_supplier"], push_service)
    await _no_quiet_hours(client, supplier)
    now = datetime.now(UTC).isoformat()
    created = {"event_id": uuid.uuid4().hex, "type": "invoice.created", "occurred_at": now,
               "invoice": {"number": "F-77", "supplier_siret": org.supplier_siret,
                           "issued_on": "2026-10-01", "amount_ht_cents": 10000,
                           "vat_cents": 2000, "amount_ttc_cents": 12000, "status": "DEPOSEE",
                           "lines": []}}
    suspended = {"event_id": uuid.uuid4().hex, "type": "invoice.status", "occurred_at": now,
                 "status": {"number": "F-77", "supplier_siret": org.supplier_siret,
                            "code": "SUSPENDUE", "reason": "Bon de commande manquant"}}
    response = await client.post("/integration/v1/events", json={"events": [created, suspended]},
                                 headers={"X-Api-Key": key})
    assert response.status_code == 200, response.text
    await deliver()
    messages = await push_service.wait_for_async(phone, 2)
    titles = [m.json()["notification"]["title"] for m in messages]
    assert titles == ["Facture F-77 : déposée", "Facture F-77 : suspendue — à compléter"]
    assert "Bon de commande manquant" in messages[1].json()["notification"]["body"]
    assert messages[0].topic == messages[1].topic, "updates to one invoice collapse"
    assert push_service.messages(rival) == []
    replay = await client.post("/integration/v1/events", json={"events": [suspended]},
                               headers={"X-Api-Key": key})
    assert replay.json()["results"][0]["status"] == "duplicate"
    await deliver()
    assert len(push_service.messages(phone)) == 2, "a replayed event notifies nobody again"


async def test_invoice_for_an_order_proposes_service_done_to_the_unit_managers(
        client, push_service: FakePushService) -> None:
    org = await make_org()
    key = f"key-{uuid.uuid4().hex}"
    await create_key(org.id, key, name="test")
    manager = org.people["manager_a"]
    phone = await subscribe(client, manager, push_service)
    await _no_quiet_hours(client, manager)
    number = f"BC-{uuid.uuid4().hex[:6]}"
    ack = await send(client, org.people["back_office"], "purchase_order.create", {
        "id": str(uuid.uuid4()), "number": number, "unit_id": str(org.unit_ids[0]),
        "supplier_company_id": str(org.supplier_company_id), "ej_number": "EJ-1",
        "code_service": "U0", "title": "Fournitures",
        "lines": [{"line_no": 1, "description": "Ramettes", "quantity": "10",
                   "unit_price_cents": 1250}]})
    assert ack.status == "applied", ack
    event = {"event_id": uuid.uuid4().hex, "type": "invoice.created",
             "occurred_at": datetime.now(UTC).isoformat(),
             "invoice": {"number": "F-88", "supplier_siret": org.supplier_siret,
                         "issued_on": "2026-10-01", "amount_ht_cents": 12500, "vat_cents": 2500,
                         "amount_ttc_cents": 15000, "order_number": number,
                         "status": "DEPOSEE", "lines": []}}
    response = await client.post("/integration/v1/events", json={"events": [event]},
                                 headers={"X-Api-Key": key})
    assert response.status_code == 200 and response.json()["results"][0]["status"] == "accepted"
    await deliver()
    [proposal] = await push_service.wait_for_async(phone, 1)
    note = proposal.json()["notification"]
    assert note["title"] == "Service fait à constater : EJ-1"
    assert "150,00" in note["body"]

