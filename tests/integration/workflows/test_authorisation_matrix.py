"""Every role against every workflow action and read: only the rightful people act or see.

People of the organisation (``tests.factories.make_org``): head, manager_a, agent_a (owner of
the documents), agent_a2 (holds an *expired* delegation from manager_a), manager_b, agent_b,
back_office, admin, supplier (the invoice's and order's company), other_supplier; plus the
back-office and a manager of another organisation.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import Person, delegate, make_org
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_claims import approved_mission, line, open_claim, uploaded
from tests.integration.workflows.test_invoices import invoice_event, keyed_org, post
from tests.integration.workflows.test_missions import submitted
from tests.integration.workflows.test_service_done import make_order

REFUSED = {"FORBIDDEN", "NOT_FOUND"}


async def world(client: Any) -> dict[str, Any]:
    org, key = await keyed_org()
    await delegate(org, "manager_a", "agent_a2", days=1, start_offset_days=-5)
    stranger = await make_org()
    people: dict[str, Person] = dict(org.people)
    people["stranger_back_office"] = stranger.people["back_office"]
    people["stranger_manager"] = stranger.people["manager_a"]
    mission = await submitted(client, org)
    claim_mission = await approved_mission(client, org)
    claim_id = await open_claim(client, org, claim_mission)
    await line(client, org, claim_id, receipt=await uploaded(org, uuid.uuid4().bytes))
    await send(client, org.people["agent_a"], "expense_claim.submit",
               {"id": claim_id, "expected_state": "draft"})
    claim = (await client.get(f"/api/v1/claims/{claim_id}",
                              headers=org.people["agent_a"].headers)).json()
    order_id = await make_order(client, org, "BC-M")
    [created] = await post(client, key, invoice_event(org, "F-M", order_number="BC-M"))
    return {"org": org, "people": people, "mission": mission, "claim": claim,
            "order_id": order_id, "invoice_id": created["invoice_id"]}


async def attempt(client: Any, people: dict[str, Person], allowed: set[str], name: str,
                  args: dict[str, Any]) -> None:
    """Everyone outside ``allowed`` is refused; then the first allowed person succeeds."""
    for who, person in people.items():
        if who in allowed:
            continue
        ack = await send(client, person, name, args)
        assert ack.status == "rejected" and ack.code in REFUSED, (name, who, ack)
    first = sorted(allowed)[0]
    ack = await send(client, people[first], name, args)
    assert ack.status == "applied", (name, first, ack)


async def readers(client: Any, people: dict[str, Person], path: str, list_path: str,
                  doc_id: str, entity: str, audit_type: str) -> set[str]:
    """Who can read the document, and check the list, the audit trail and pull agree."""
    found = set()
    for who, person in people.items():
        one = await client.get(f"{path}/{doc_id}", headers=person.headers)
        assert one.status_code in (200, 404), (path, who, one.status_code)
        listed = await client.get(list_path, params={"limit": 200}, headers=person.headers)
        assert listed.status_code == 200
        in_list = doc_id in {item["id"] for item in listed.json()["items"]}
        trail = await client.get(f"/api/v1/audit/{audit_type}/{doc_id}", headers=person.headers)
        pulled = await client.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())},
                                   headers=person.headers)
        in_pull = doc_id in {p["id"] for p in pulled.json()["patch"] if p["entity"] == entity}
        sees = one.status_code == 200
        assert (in_list, trail.status_code == 200, in_pull) == (sees, sees, sees), (path, who)
        if sees:
            found.add(who)
    return found


async def test_reads_leak_nothing(client: Any) -> None:
    w = await world(client)
    people = w["people"]
    assert await readers(client, people, "/api/v1/missions", "/api/v1/missions",
                         w["mission"]["id"], "mission", "mission") == {
        "agent_a", "manager_a", "back_office", "admin"}
    assert await readers(client, people, "/api/v1/claims", "/api/v1/claims", w["claim"]["id"],
                         "expense_claim", "expense_claim") == {
        "agent_a", "manager_a", "back_office", "admin"}
    assert await readers(client, people, "/api/v1/orders", "/api/v1/orders", w["order_id"],
                         "purchase_order", "purchase_order") == {
        "manager_a", "back_office", "admin", "supplier"}
    assert await readers(client, people, "/api/v1/invoices", "/api/v1/invoices",
                         w["invoice_id"], "invoice", "invoice") == {
        "manager_a", "back_office", "admin", "supplier"}


async def test_actions_only_by_the_rightful_people(client: Any) -> None:
    w = await world(client)
    people = w["people"]
    mission, claim = w["mission"], w["claim"]
    await attempt(client, people, {"manager_a"}, "mission.decide", {
        "id": mission["id"], "decision": "return", "expected_state": "submitted",
        "content_hash": mission["content_hash"], "reason": "Précisez"})
    await attempt(client, people, {"agent_a"}, "mission.edit", {
        "id": mission["id"], "base_version": 0, "purpose": "Nouveau programme"})
    await attempt(client, people, {"agent_a"}, "mission.submit",
                  {"id": mission["id"], "expected_state": "returned"})
    await attempt(client, people, {"agent_a"}, "mission.cancel",
                  {"id": mission["id"], "expected_state": "submitted"})
    await attempt(client, people, {"manager_a"}, "expense_claim.decide", {
        "id": claim["id"], "decision": "approve", "expected_state": "submitted",
        "content_hash": claim["content_hash"]})
    await attempt(client, people, {"admin", "back_office"}, "expense_claim.mark_paid",
                  {"id": claim["id"], "expected_state": "approved"})
    await attempt(client, people, {"manager_a"}, "purchase_order.certify",
                  {"id": w["order_id"], "round_seen": 0, "certified_on": "2026-11-20"})
    await attempt(client, people, {"admin", "back_office", "manager_a"},
                  "purchase_order.revoke", {"id": w["order_id"], "reason": "Erreur"})
    await attempt(client, people, {"admin", "back_office"}, "invoice.post_status",
                  {"id": w["invoice_id"], "code": "SUSPENDUE", "reason": "RIB"})
    await attempt(client, people, {"supplier"}, "invoice.complete",
                  {"id": w["invoice_id"], "expected_status": "SUSPENDUE"})
    others = {k: v for k, v in people.items() if k not in {"back_office", "admin"}}
    for who, person in others.items():
        ack = await send(client, person, "purchase_order.create", {
            "id": str(uuid.uuid4()), "number": f"X-{who}", "unit_id": str(w["org"].unit_ids[0]),
            "lines": [{"line_no": 1, "quantity": "1", "unit_price_cents": 100}]})
        assert ack.code in REFUSED, who
    for who in ("supplier", "other_supplier", "back_office", "admin"):
        ack = await send(client, people[who], "mission.create", {
            "id": str(uuid.uuid4()), "purpose": "x", "destination": "y",
            "starts_on": "2026-12-01", "ends_on": "2026-12-02"})
        assert ack.code == "FORBIDDEN", who
