"""Approval notifications lead the manager to the decision screen, and one order asks for its
service done once per certification round, however many invoices arrive for it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from backend.invoices.integration_keys import create_key
from tests.factories import make_org
from tests.integration.notifications.conftest import deliver, subscribe
from tests.integration.workflows.intents import send
from tests.pushservice import FakePushService


async def test_four_invoices_for_one_order_ask_for_service_done_once(
        client, push_service: FakePushService) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    key = f"key-{uuid.uuid4().hex}"
    await create_key(org.id, key, name="test")
    manager = org.people["manager_a"]
    phone = await subscribe(client, manager, push_service)
    response = await client.put("/api/v1/push/preferences", headers=manager.headers,
                                json={"quiet_start": None, "quiet_end": None,
                                      "hide_amounts": False})
    assert response.status_code == 200, response.text
    number, order_id = f"BC-{uuid.uuid4().hex[:6]}", str(uuid.uuid4())
    ack = await send(client, org.people["back_office"], "purchase_order.create", {
        "id": order_id, "number": number, "unit_id": str(org.unit_ids[0]),
        "supplier_company_id": str(org.supplier_company_id), "ej_number": "EJ-4",
        "code_service": "U0", "title": "Maintenance",
        "lines": [{"line_no": 1, "description": "Visite", "quantity": "4",
                   "unit_price_cents": 27625}]})
    assert ack.status == "applied", ack
    events = [{"event_id": uuid.uuid4().hex, "type": "invoice.created",
               "occurred_at": datetime.now(UTC).isoformat(),
               "invoice": {"number": f"F-{n}", "supplier_siret": org.supplier_siret,
                           "issued_on": "2026-10-01", "amount_ht_cents": 110500,
                           "vat_cents": 22100, "amount_ttc_cents": 132600,
                           "order_number": number, "status": "DEPOSEE", "lines": []}}
              for n in range(4)]
    response = await client.post("/integration/v1/events", json={"events": events},
                                 headers={"X-Api-Key": key})
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["accepted"] * 4
    await deliver()
    [proposal] = await push_service.wait_for_async(phone, 1)
    await deliver()
    assert len(push_service.messages(phone)) == 1, "one order, one round: one notification"
    note = proposal.json()["notification"]
    assert note["title"] == "Service fait à constater : EJ-4", "the number the order list shows"
    assert note["navigate"] == f"/approvals/service_done/{order_id}"
    inbox = (await client.get("/api/v1/inbox/", headers=manager.headers)).json()
    assert [i["document"]["id"] for i in inbox["items"]].count(order_id) == 1
