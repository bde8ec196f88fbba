"""Who decides for whom, one rule for everything a manager does: the manager who approves a
person's missions and claims also pulls their expense lines and sees their receipts, including
when the person sits in a child unit that has no manager of its own."""

from __future__ import annotations

import io
import uuid
from typing import Any

from PIL import Image

from backend.accounts.tables import Unit
from tests.factories import Org, make_org, make_person
from tests.integration.uploads import upload_blob
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_missions import decide, submitted


async def _agent_in_unit_without_manager(org: Org) -> None:
    """``agent_c`` in unit A1, a child of unit A that has no manager: manager_a decides."""
    child = uuid.uuid4()
    await Unit.insert(Unit(id=child, organisation=org.id, name="Antenne A1",
                           code_service="A1", parent=org.unit_ids[0])).run()
    org.people["agent_c"] = await make_person("agent", organisation_id=org.id, unit_id=child,
                                              label="agent-c")


def _receipt_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 900), "white").save(out, "JPEG", quality=80)
    return out.getvalue()


async def _pulled(client: Any, org: Org, who: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    cookie = None
    client_id = str(uuid.uuid4())
    for _ in range(20):
        response = await client.post("/sync/v1/pull", headers=org.people[who].headers,
                                     json={"client_id": client_id, "cookie": cookie})
        assert response.status_code == 200, response.text
        page = response.json()
        rows.update({(p["entity"], p["id"]): p["data"] for p in page["patch"]
                     if p["op"] == "put"})
        cookie = page["cookie"]
        if not page["has_more"]:
            return rows
    raise AssertionError("pull never ended")


async def test_manager_of_the_parent_unit_pulls_lines_and_receipts_of_whom_they_approve(
    client: Any
) -> None:
    org = await make_org()
    await _agent_in_unit_without_manager(org)
    agent = org.people["agent_c"]

    mission = await submitted(client, org, who="agent_c", starts_on="2026-10-05",
                              ends_on="2026-10-07", destination="Lyon")
    assert (await decide(client, org, "manager_a", mission, "approve")).status == "applied"
    claim_id, line_id = str(uuid.uuid4()), str(uuid.uuid4())
    assert (await send(client, agent, "expense_claim.create",
                       {"id": claim_id, "mission_id": mission["id"]})).status == "applied"
    sha = await upload_blob(client, agent, _receipt_photo(), content_type="text/plain")
    assert (await send(client, agent, "expense_line.create", {
        "id": line_id, "date": "2026-10-05", "amount_cents": 1800, "category": "meal",
        "merchant": "Brasserie", "vat_rate_bp": 1000, "vat_cents": 164,
        "claim_id": claim_id})).status == "applied"
    assert (await send(client, agent, "expense_line.attach_receipt",
                       {"id": line_id, "sha256": sha})).status == "applied"
    assert (await send(client, agent, "expense_claim.submit",
                       {"id": claim_id, "expected_state": "draft"})).status == "applied"

    seen = await _pulled(client, org, "manager_a")
    assert ("mission", mission["id"]) in seen
    assert seen[("expense_claim", claim_id)]["state"] == "submitted"
    line = seen[("expense_line", line_id)]  # before: missing, the line stayed invisible
    assert (line["amount_cents"], line["receipts"]) == (1800, [sha])
    thumbnail = await client.get(f"/api/v1/expense-lines/{line_id}/receipts/{sha}/thumbnail",
                                 headers=org.people["manager_a"].headers)
    assert thumbnail.status_code == 200, thumbnail.text

    # The manager of the sibling unit decides nothing for agent_c and sees none of it.
    other = await _pulled(client, org, "manager_b")
    assert not {("mission", mission["id"]), ("expense_claim", claim_id),
                ("expense_line", line_id)} & other.keys()
    hidden = await client.get(f"/api/v1/expense-lines/{line_id}/receipts/{sha}/thumbnail",
                              headers=org.people["manager_b"].headers)
    assert hidden.status_code == 404

    approved = await send(client, org.people["manager_a"], "expense_claim.decide", {
        "id": claim_id, "decision": "approve", "expected_state": "submitted",
        "content_hash": seen[("expense_claim", claim_id)]["content_hash"]})
    assert approved.status == "applied", approved
