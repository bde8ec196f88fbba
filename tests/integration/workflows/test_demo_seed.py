"""The workflows' demo data: every state present, idempotent, and seen by the right people."""

from __future__ import annotations

from typing import Any

from backend.claims.tables import ExpenseClaim
from backend.invoices.integration_keys import issue_key
from backend.invoices.tables import Invoice
from backend.missions.tables import Mission
from backend.orders.tables import PurchaseOrder
from backend.seed import DEMO_DOMAIN, DEMO_PASSWORD, demo_id, seed_demo

ORG = demo_id("organisation")


async def _states(table: Any) -> dict[str, int]:
    rows = await table.select(table.state).where(table.organisation == ORG)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    return counts


async def _snapshot() -> dict[str, Any]:
    invoices = await Invoice.select(Invoice.stage, Invoice.supplier_company).where(
        Invoice.organisation == ORG)
    return {"missions": await _states(Mission), "claims": await _states(ExpenseClaim),
            "orders": await _states(PurchaseOrder),
            "invoice_stages": sorted({r["stage"] for r in invoices}),
            "invoices": len(invoices),
            "suppliers": len({r["supplier_company"] for r in invoices})}


async def _login(client: Any, who: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={
        "email": f"{who}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_demo_has_every_state_and_a_second_run_changes_nothing(client: Any) -> None:
    await seed_demo()
    first = await _snapshot()
    await seed_demo()
    assert await _snapshot() == first
    assert set(first["missions"]) == {"draft", "submitted", "approved", "refused", "returned",
                                      "cancelled"}
    assert set(first["claims"]) == {"draft", "submitted", "approved", "refused", "returned",
                                    "paid"}
    assert first["orders"].get("open", 0) >= 2 and "partially_received" in first["orders"]
    assert first["invoices"] == 60 and first["suppliers"] == 5
    assert set(first["invoice_stages"]) >= {"submitted", "received", "suspended", "rejected",
                                            "service_done", "payment_ordered", "paid",
                                            "to_reroute"}

    supplier = await _login(client, "supplier1")
    mine = (await client.get("/api/v1/invoices", params={"limit": 200},
                             headers=supplier)).json()
    assert mine["total"] == 12
    assert len({i["supplier_company_id"] for i in mine["items"]}) == 1
    stats = (await client.get("/api/v1/invoices/statistics", headers=supplier)).json()
    assert stats["invoice_count"] == 12 and stats["late_count"] >= 1
    manager = await _login(client, "manager1")
    urgent = (await client.get("/api/v1/missions", params={"urgent": "true"},
                               headers=manager)).json()
    assert urgent["total"] >= 1
    # A key of the demo organisation of the test's own (other tests may revoke the demo's,
    # as an administrator would; the demo seeder never brings a revoked key back).
    _, key = await issue_key(ORG, name="demo seed test")
    replay = await client.post("/integration/v1/events", headers={
        "X-Api-Key": key}, json={"events": [{
            "event_id": "demo:F2026-10001", "type": "invoice.status",
            "occurred_at": "2026-01-01T00:00:00Z",
            "status": {"number": "F2026-10001", "supplier_siret": "48230158700010",
                       "code": "MANDATEE"}}]})
    assert replay.json()["results"][0]["code"] == "EVENT_REUSED"
