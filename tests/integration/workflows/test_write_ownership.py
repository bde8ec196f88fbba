"""Nobody writes into a document that is not theirs: an expense line joins only its owner's
claim (same organisation), a claim counts only its agent's lines, and a service-done
certification moves only an invoice of the certified order."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

from backend.expenses.tables import ExpenseLine
from tests.factories import make_org
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_claims import (
    approved_mission,
    claim,
    line,
    open_claim,
    uploaded,
)
from tests.integration.workflows.test_invoices import invoice_event, keyed_org, post
from tests.integration.workflows.test_service_done import make_order

HUGE = 99_999_999  # 999,999.99 €


def _line_args(claim_id: str | None = None, **fields: Any) -> dict[str, Any]:
    args = {"id": str(uuid.uuid4()), "date": "2026-10-05", "amount_cents": HUGE,
            "category": "other", "merchant": "Moi", **fields}
    if claim_id is not None:
        args["claim_id"] = claim_id
    return args


async def test_nobody_puts_a_line_into_someone_elses_claim(client: Any) -> None:
    org = await make_org()
    claim_id = await open_claim(client, org, await approved_mission(client, org))
    await line(client, org, claim_id, receipt=await uploaded(org, b"honest meal " + org.id.bytes))
    stranger = await make_org()
    intruders = {"agent_a2": org.people["agent_a2"], "manager_a": org.people["manager_a"],
                 "other org agent": stranger.people["agent_a"]}
    for who, person in intruders.items():
        created = await send(client, person, "expense_line.create", _line_args(claim_id))
        assert (created.status, created.code) == ("rejected", "CLAIM_NOT_YOURS"), (who, created)
        own = _line_args()
        assert (await send(client, person, "expense_line.create", own)).status == "applied", who
        moved = await send(client, person, "expense_line.edit",
                           {"id": own["id"], "base_version": 1, "claim_id": claim_id})
        assert (moved.status, moved.code) == ("rejected", "CLAIM_NOT_YOURS"), (who, moved)
    unknown = await send(client, org.people["agent_a"], "expense_line.create",
                         _line_args(str(uuid.uuid4())))
    assert (unknown.status, unknown.code) == ("rejected", "CLAIM_NOT_YOURS")
    ack = await send(client, org.people["agent_a"], "expense_claim.submit",
                     {"id": claim_id, "expected_state": "draft"})
    assert ack.status == "applied", ack
    sent = await claim(client, org, claim_id)
    assert (sent["total_cents"], sent["line_count"]) == (1800, 1)
    intruding = await ExpenseLine.count().where(ExpenseLine.claim_id == uuid.UUID(claim_id))
    assert intruding == 1


async def test_a_line_from_another_organisation_cannot_hold_up_a_submission(client: Any) -> None:
    org = await make_org()
    claim_id = await open_claim(client, org, await approved_mission(client, org))
    await line(client, org, claim_id, receipt=await uploaded(org, b"lodging " + org.id.bytes))
    stranger = (await make_org()).people["agent_a"]
    blocking = _line_args(claim_id, amount_cents=100)
    assert (await send(client, stranger, "expense_line.create", blocking)).code == (
        "CLAIM_NOT_YOURS")
    never_uploaded = hashlib.sha256(b"never sent").hexdigest()
    attached = await send(client, stranger, "expense_line.attach_receipt",
                          {"id": blocking["id"], "sha256": never_uploaded})
    assert attached.status == "rejected", attached  # the line was never created
    response = await client.post("/sync/v1/push", headers=org.people["agent_a"].headers, json={
        "client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [{
            "seq": 1, "id": str(uuid.uuid4()), "name": "expense_claim.submit", "v": 1,
            "args": {"id": claim_id, "expected_state": "draft"}}]})
    assert response.status_code == 200, response.text
    assert response.json()["acks"][0]["status"] == "applied"


async def test_lines_already_pointing_at_a_claim_count_only_when_they_are_the_agents(
    client: Any
) -> None:
    """Rows written before ownership was checked: the claim ignores other people's lines."""
    org = await make_org()
    claim_id = await open_claim(client, org, await approved_mission(client, org))
    await line(client, org, claim_id, receipt=await uploaded(org, b"taxi " + org.id.bytes))
    stranger = await make_org()
    for person, organisation in ((org.people["agent_a2"], org.id),
                                 (stranger.people["agent_a"], stranger.id)):
        await ExpenseLine.insert(ExpenseLine(
            id=uuid.uuid4(), owner=person.user_id, organisation=organisation,
            claim_id=uuid.UUID(claim_id), date=date(2026, 10, 5),
            category="other", amount_cents=HUGE, receipts='["' + "0" * 64 + '"]'))
    ack = await send(client, org.people["agent_a"], "expense_claim.submit",
                     {"id": claim_id, "expected_state": "draft"})
    assert ack.status == "applied", ack
    sent = await claim(client, org, claim_id, who="manager_a")
    assert (sent["total_cents"], sent["line_count"]) == (1800, 1)


async def test_certifying_an_order_moves_only_that_orders_invoice(client: Any) -> None:
    org, key = await keyed_org()
    order_id = await make_order(client, org, "BC-OWN")
    other_order = await make_order(client, org, "BC-OTHER")
    [theirs] = await post(client, key, invoice_event(org, "F-OTHER", order_number="BC-OTHER"))
    ack = await send(client, org.people["manager_a"], "purchase_order.certify", {
        "id": order_id, "round_seen": 0, "certified_on": "2026-11-20",
        "lines": [{"line_no": 1, "received": "1"}], "invoice_id": theirs["invoice_id"]})
    assert (ack.status, ack.code) == ("rejected", "INVOICE_NOT_OF_ORDER"), ack
    invoice = await client.get(f"/api/v1/invoices/{theirs['invoice_id']}",
                               headers=org.people["back_office"].headers)
    assert invoice.json()["status_code"] != "SERVICE_FAIT"
    order = await client.get(f"/api/v1/orders/{order_id}",
                             headers=org.people["back_office"].headers)
    assert order.json()["certified_cents"] == 0
    assert other_order != order_id


async def test_write_routes_treat_someone_elses_document_as_missing(client: Any) -> None:
    """The REST writes beside the intents: a colleague's upload cannot be continued, another
    manager's delegation cannot be revoked (and neither changes)."""
    from datetime import UTC, datetime, timedelta

    org = await make_org()
    owner, colleague = org.people["agent_a"], org.people["agent_b"]
    data = b"half a receipt " + org.id.bytes
    started = await client.post("/sync/v1/blobs", headers=owner.headers, json={
        "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    upload_id = started.json()["upload_id"]
    chunk = await client.patch(
        f"/sync/v1/blobs/uploads/{upload_id}", content=data,
        headers={**colleague.headers, "Upload-Offset": "0",
                 "Upload-Chunk-SHA256": hashlib.sha256(data).hexdigest()})
    assert (chunk.status_code, chunk.json()["code"]) == (404, "BLOB_NOT_FOUND")
    status = await client.get(f"/sync/v1/blobs/uploads/{upload_id}", headers=owner.headers)
    assert (status.json()["offset"], status.json()["complete"]) == (0, False)

    now = datetime.now(UTC)
    given = await client.post("/api/v1/me/delegations", headers=org.people["manager_a"].headers,
                              json={"delegate_id": str(org.people["agent_a2"].user_id),
                                    "starts_at": now.isoformat(),
                                    "ends_at": (now + timedelta(days=2)).isoformat()})
    assert given.status_code in (200, 201), given.text
    revoked = await client.delete(f"/api/v1/me/delegations/{given.json()['id']}",
                                  headers=org.people["manager_b"].headers)
    assert revoked.status_code == 404
    listed = await client.get("/api/v1/me/delegations", headers=org.people["manager_a"].headers)
    assert [d["active"] for d in listed.json() if d["id"] == given.json()["id"]] == [True]
