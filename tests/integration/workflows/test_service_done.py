"""Purchase orders and service done: certification (monotonic), revocation, the assisted
proposal from an invoice, and the invoice moving to SERVICE_FAIT."""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import Org
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_invoices import invoice_event, keyed_org, post, status_event


async def make_order(client: Any, org: Org, number: str) -> str:
    order_id = str(uuid.uuid4())
    ack = await send(client, org.people["back_office"], "purchase_order.create", {
        "id": order_id, "number": number, "unit_id": str(org.unit_ids[0]),
        "supplier_company_id": str(org.supplier_company_id), "ej_number": "EJ-2026-001",
        "code_service": "U0", "title": "Fournitures",
        "lines": [{"line_no": 1, "description": "Ramettes A4", "quantity": "10",
                   "unit_price_cents": 1250},
                  {"line_no": 2, "description": "Écran", "quantity": "2",
                   "unit_price_cents": 45000}]})
    assert ack.status == "applied", ack
    return order_id


async def order(client: Any, org: Org, order_id: str, who: str = "manager_a") -> dict[str, Any]:
    response = await client.get(f"/api/v1/orders/{order_id}", headers=org.people[who].headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_assisted_certification_moves_the_invoice_to_service_done(client: Any) -> None:
    org, key = await keyed_org()
    order_id = await make_order(client, org, "BC-1")
    [created] = await post(client, key, invoice_event(
        org, "F-BC-1", ttc=97500, order_number="BC-1",
        lines=[{"description": "Ramettes A4", "quantity": "6", "unit_price_cents": 1250,
                "order_line_no": 1},
               {"description": "Écran", "quantity": "1", "unit_price_cents": 45000}]))
    invoice_id = created["invoice_id"]
    manager_view = await client.get(f"/api/v1/invoices/{invoice_id}",
                                    headers=org.people["manager_a"].headers)
    assert manager_view.json()["purchase_order_id"] == order_id
    proposal = (await client.get(f"/api/v1/orders/{order_id}/service-done-proposal",
                                 headers=org.people["manager_a"].headers)).json()
    assert proposal["invoice_ids"] == [invoice_id]
    assert proposal["lines"] == [{"line_no": 1, "received": "6"}, {"line_no": 2, "received": "1"}]
    ack = await send(client, org.people["manager_a"], "purchase_order.certify", {
        "id": order_id, "round_seen": proposal["round_seen"], "certified_on": "2026-11-20",
        "lines": proposal["lines"], "comment": "Livraison partielle", "invoice_id": invoice_id})
    assert ack.status == "applied", ack
    after = await order(client, org, order_id)
    assert (after["state"], after["certified_cents"]) == ("partially_received", 52500)
    invoice = (await client.get(f"/api/v1/invoices/{invoice_id}",
                                headers=org.people["supplier"].headers)).json()
    assert invoice["status_code"] == "SERVICE_FAIT"
    trail = (await client.get(f"/api/v1/audit/purchase_order/{order_id}",
                              headers=org.people["back_office"].headers)).json()["entries"]
    assert trail[0]["action"] == "certify"
    assert trail[0]["details"]["comment"] == "Livraison partielle"
    assert trail[0]["device_id"] == str(org.people["manager_a"].device_id)


async def test_certification_is_monotonic_and_revocation_is_explicit(client: Any) -> None:
    org, _ = await keyed_org()
    order_id = await make_order(client, org, "BC-2")
    certify = {"id": order_id, "round_seen": 0, "certified_on": "2026-11-20"}
    for who in ("manager_b", "agent_a", "back_office", "supplier", "head"):
        ack = await send(client, org.people[who], "purchase_order.certify", certify)
        assert ack.code in {"FORBIDDEN", "NOT_FOUND"}, who
    assert (await send(client, org.people["manager_a"], "purchase_order.certify",
                       certify)).status == "applied"
    assert (await order(client, org, order_id))["state"] == "received"
    stale = await send(client, org.people["manager_a"], "purchase_order.certify",
                       {**certify, "lines": [{"line_no": 1, "received": "3"}]})
    assert (stale.status, stale.code) == ("noop", "ALREADY_DONE")
    assert (await order(client, org, order_id))["lines"][0]["received"] == "10"
    too_many = await send(client, org.people["manager_a"], "purchase_order.certify",
                          {**certify, "lines": [{"line_no": 2, "received": "3"}]})
    assert too_many.code == "QUANTITY_EXCEEDS_ORDERED"
    for who in ("agent_a", "supplier", "manager_b"):
        ack = await send(client, org.people[who], "purchase_order.revoke",
                         {"id": order_id, "reason": "Erreur"})
        assert ack.code in {"FORBIDDEN", "NOT_FOUND"}, who
    no_reason = await send(client, org.people["back_office"], "purchase_order.revoke",
                           {"id": order_id, "reason": "  "})
    assert no_reason.code == "REASON_REQUIRED"
    ack = await send(client, org.people["back_office"], "purchase_order.revoke",
                     {"id": order_id, "reason": "Écran défectueux", "line_nos": [2]})
    assert ack.status == "applied"
    revoked = await order(client, org, order_id)
    assert (revoked["state"], revoked["certification_round"]) == ("partially_received", 1)
    replay = await send(client, org.people["manager_a"], "purchase_order.certify", certify)
    assert replay.code == "STATE_CHANGED"
    fresh = await send(client, org.people["manager_a"], "purchase_order.certify",
                       {**certify, "round_seen": 1})
    assert fresh.status == "applied"
    trail = (await client.get(f"/api/v1/audit/purchase_order/{order_id}",
                              headers=org.people["manager_a"].headers)).json()["entries"]
    assert [e["action"] for e in trail] == ["certify", "revoke", "certify"]
    assert trail[1]["details"]["reason"] == "Écran défectueux"


async def _invoice(client: Any, org: Org, invoice_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/invoices/{invoice_id}",
                                headers=org.people["supplier"].headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _certified_invoice(client: Any, number: str) -> tuple[Org, dict[str, str], str, str]:
    org, key = await keyed_org()
    order_id = await make_order(client, org, number)
    [created] = await post(client, key, invoice_event(org, f"F-{number}", ttc=102500,
                                                      order_number=number))
    ack = await send(client, org.people["manager_a"], "purchase_order.certify", {
        "id": order_id, "round_seen": 0, "certified_on": "2026-11-20"})
    assert ack.status == "applied", ack
    invoice_id = created["invoice_id"]
    assert (await _invoice(client, org, invoice_id))["status_code"] == "SERVICE_FAIT"
    return org, key, order_id, invoice_id


async def test_revoking_service_done_withdraws_it_from_the_supplier_invoice(client: Any) -> None:
    org, _, order_id, invoice_id = await _certified_invoice(client, "BC-3")
    ack = await send(client, org.people["back_office"], "purchase_order.revoke",
                     {"id": order_id, "reason": "Livraison non conforme"})
    assert ack.status == "applied", ack
    invoice = await _invoice(client, org, invoice_id)
    assert (invoice["status_code"], invoice["status_reason"]) == (
        "SERVICE_FAIT_ANNULE", "Livraison non conforme")
    assert invoice["stage"] == "received"
    assert [e["code"] for e in invoice["history"]] == [
        "DEPOSEE", "SERVICE_FAIT", "SERVICE_FAIT_ANNULE"]
    inbox = (await client.get("/api/v1/inbox", headers=org.people["supplier"].headers)).json()
    assert any("service fait annulé" in item["title"] and "Livraison non conforme" in item["body"]
               for item in inbox["items"]), inbox
    # certified again in the new round: service done stands again
    again = await send(client, org.people["manager_a"], "purchase_order.certify", {
        "id": order_id, "round_seen": 1, "certified_on": "2026-11-21"})
    assert again.status == "applied", again
    assert (await _invoice(client, org, invoice_id))["status_code"] == "SERVICE_FAIT"


async def test_service_done_cannot_be_revoked_once_payment_is_ordered(client: Any) -> None:
    org, key, order_id, invoice_id = await _certified_invoice(client, "BC-4")
    await post(client, key, status_event(org, "F-BC-4", "MANDATEE"))
    ack = await send(client, org.people["back_office"], "purchase_order.revoke",
                     {"id": order_id, "reason": "Erreur"})
    assert (ack.status, ack.code) == ("rejected", "PAYMENT_ALREADY_ORDERED")
    assert (await order(client, org, order_id))["state"] == "received"
    assert (await _invoice(client, org, invoice_id))["status_code"] == "MANDATEE"


async def test_sources_cannot_post_nomade_own_codes(client: Any) -> None:
    org, key, _, invoice_id = await _certified_invoice(client, "BC-5")
    [result] = await post(client, key, status_event(org, "F-BC-5", "SERVICE_FAIT_ANNULE",
                                                    reason="x"))
    assert result["code"] == "INVOICE_STATUS_UNKNOWN", result
    assert (await _invoice(client, org, invoice_id))["status_code"] == "SERVICE_FAIT"


async def test_four_invoices_for_one_order_are_not_all_certified(client: Any) -> None:
    """Four invoices each billing the whole order (1,025 € before VAT): certifying the order
    certifies one order's worth, not four."""
    org, key = await keyed_org()
    order_id = await make_order(client, org, "BC-6")
    whole = [{"description": "Ramettes A4", "quantity": "10", "unit_price_cents": 1250,
              "order_line_no": 1},
             {"description": "Écran", "quantity": "2", "unit_price_cents": 45000,
              "order_line_no": 2}]
    created = await post(client, key, *(invoice_event(org, f"F-BC-6-{n}", ttc=123000,
                                                      order_number="BC-6", lines=whole)
                                        for n in range(4)))
    ack = await send(client, org.people["manager_a"], "purchase_order.certify", {
        "id": order_id, "round_seen": 0, "certified_on": "2026-11-20"})
    assert ack.status == "applied", ack
    seen = [await _invoice(client, org, c["invoice_id"]) for c in created]
    assert sorted(i["status_code"] for i in seen) == ["DEPOSEE"] * 3 + ["SERVICE_FAIT"]
    assert sum(i["certified_cents"] for i in seen) == 102500
    # a second certification of the same order certifies nothing more
    again = await send(client, org.people["manager_a"], "purchase_order.certify", {
        "id": order_id, "round_seen": 0, "certified_on": "2026-11-21"})
    assert again.status == "noop"
    after = [await _invoice(client, org, c["invoice_id"]) for c in created]
    assert sum(i["certified_cents"] for i in after) == 102500


async def test_half_an_order_certified_for_an_invoice_shows_the_partial_amount(
        client: Any) -> None:
    """Certifying 5 of the 10 reams an invoice bills stamps it partly, with the amount, and
    the supplier sees that amount; the rest certified later completes it."""
    org, key = await keyed_org()
    order_id = await make_order(client, org, "BC-7")
    [created] = await post(client, key, invoice_event(
        org, "F-BC-7", ttc=15000, order_number="BC-7",
        lines=[{"description": "Ramettes A4", "quantity": "10", "unit_price_cents": 1250,
                "order_line_no": 1}]))
    invoice_id = created["invoice_id"]
    ack = await send(client, org.people["manager_a"], "purchase_order.certify", {
        "id": order_id, "round_seen": 0, "certified_on": "2026-11-20",
        "lines": [{"line_no": 1, "received": "5"}], "invoice_id": invoice_id})
    assert ack.status == "applied", ack
    partly = await _invoice(client, org, invoice_id)
    assert (partly["status_code"], partly["stage"], partly["certified_cents"]) == (
        "SERVICE_FAIT_PARTIEL", "service_partly_done", 6250)
    assert partly["history"][-1]["source"] == "nomade"
    inbox = (await client.get("/api/v1/inbox", headers=org.people["supplier"].headers)).json()
    assert any("F-BC-7" in item["title"] and "62,50" in item["body"]
               for item in inbox["items"]), inbox
    rest = await send(client, org.people["manager_a"], "purchase_order.certify", {
        "id": order_id, "round_seen": 0, "certified_on": "2026-11-22",
        "lines": [{"line_no": 1, "received": "10"}], "invoice_id": invoice_id})
    assert rest.status == "applied", rest
    whole = await _invoice(client, org, invoice_id)
    assert (whole["status_code"], whole["certified_cents"]) == ("SERVICE_FAIT", 12500)
    revoked = await send(client, org.people["back_office"], "purchase_order.revoke",
                         {"id": order_id, "reason": "Erreur de saisie"})
    assert revoked.status == "applied", revoked
    assert (await _invoice(client, org, invoice_id))["certified_cents"] == 0
