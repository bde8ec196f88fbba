"""Supplier invoices: integration API, status history, supplier search and statistics,
service done moving invoices, and who sees what."""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from backend.invoices.integration_keys import create_key
from backend.invoices.tables import Invoice
from kernel.timeutil import as_utc
from tests.factories import Org, make_org
from tests.integration.workflows.intents import send


async def keyed_org() -> tuple[Org, dict[str, str]]:
    org = await make_org()
    key = f"key-{uuid.uuid4().hex}"
    await create_key(org.id, key, name="test")
    return org, {"X-Api-Key": key}


def invoice_event(org: Org, number: str, *, ttc: int = 12000, days_ago: int = 0,
                  order_number: str = "", status: str = "DEPOSEE", lines: Any = None,
                  siret: str | None = None, event_id: str | None = None) -> dict[str, Any]:
    ht = round(ttc / 1.2)
    return {"event_id": event_id or uuid.uuid4().hex, "type": "invoice.created",
            "occurred_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(),
            "invoice": {"number": number, "supplier_siret": siret or org.supplier_siret,
                        "issued_on": "2026-10-01", "amount_ht_cents": ht,
                        "vat_cents": ttc - ht, "amount_ttc_cents": ttc,
                        "order_number": order_number, "status": status,
                        "lines": lines or []}}


def status_event(org: Org, number: str, code: str, *, days_ago: float = 0, reason: str = "",
                 event_id: str | None = None) -> dict[str, Any]:
    return {"event_id": event_id or uuid.uuid4().hex, "type": "invoice.status",
            "occurred_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(),
            "status": {"number": number, "supplier_siret": org.supplier_siret, "code": code,
                       "reason": reason}}


async def post(client: Any, key: dict[str, str], *events: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.post("/integration/v1/events", json={"events": list(events)},
                                 headers=key)
    assert response.status_code == 200, response.text
    return response.json()["results"]  # type: ignore[no-any-return]


async def pulled_invoice(client: Any, org: Org, invoice_id: str) -> dict[str, Any]:
    """The invoice's row as pull sends it to its supplier's phone."""
    response = await client.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())},
                                 headers=org.people["supplier"].headers)
    assert response.status_code == 200, response.text
    [row] = [p["data"] for p in response.json()["patch"]
             if p["entity"] == "invoice" and p["id"] == invoice_id]
    return row  # type: ignore[no-any-return]


async def invoices(client: Any, org: Org, who: str, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/invoices", params=params,
                                headers=org.people[who].headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_integration_needs_a_valid_key(client: Any) -> None:
    org, _ = await keyed_org()
    response = await client.post("/integration/v1/events", headers={"X-Api-Key": "nope"},
                                 json={"events": [invoice_event(org, "F-1")]})
    assert (response.status_code, response.json()["code"]) == (401, "API_KEY_INVALID")
    bearer = await client.post("/integration/v1/events", headers=org.people["admin"].headers,
                               json={"events": [invoice_event(org, "F-1")]})
    assert bearer.status_code == 401


async def test_events_are_idempotent_and_rejections_leave_nothing(client: Any) -> None:
    org, key = await keyed_org()
    created = invoice_event(org, "F-100", event_id="ev-1")
    first = await post(client, key, created)
    assert first[0]["status"] == "accepted"
    again = await post(client, key, created)
    assert again[0] == {**first[0], "status": "duplicate", "code": ""}
    reused = invoice_event(org, "F-101", event_id="ev-1")
    assert (await post(client, key, reused))[0]["code"] == "EVENT_REUSED"
    results = await post(
        client, key,
        invoice_event(org, "F-102", status="INCONNU"),
        invoice_event(org, "F-100"),
        invoice_event(org, "F-103", siret="12345678901234"),
        status_event(org, "F-100", "SUSPENDUE"),
        status_event(org, "F-999", "MANDATEE"),
    )
    assert [r["code"] for r in results] == [
        "INVOICE_STATUS_UNKNOWN", "INVOICE_EXISTS", "SUPPLIER_UNKNOWN", "REASON_REQUIRED",
        "NOT_FOUND"]
    listing = await invoices(client, org, "supplier")
    assert [i["number"] for i in listing["items"]] == ["F-100"]


async def test_history_shows_the_furthest_stage_and_open_suspension(client: Any) -> None:
    org, key = await keyed_org()
    await post(client, key, invoice_event(org, "F-200", days_ago=20))
    await post(client, key, status_event(org, "F-200", "MANDATEE", days_ago=2),
               status_event(org, "F-200", "MISE_A_DISPOSITION", days_ago=15))
    listing = await invoices(client, org, "supplier", q="F-200")
    invoice = listing["items"][0]
    assert (invoice["status_code"], invoice["stage"]) == ("MANDATEE", "payment_ordered")
    assert [e["code"] for e in invoice["history"]] == [
        "DEPOSEE", "MISE_A_DISPOSITION", "MANDATEE"]
    await post(client, key, status_event(org, "F-200", "SUSPENDUE", days_ago=1,
                                         reason="RIB manquant"))
    suspended = (await invoices(client, org, "supplier", q="F-200"))["items"][0]
    assert (suspended["stage"], suspended["status_reason"]) == ("suspended", "RIB manquant")
    synced = await pulled_invoice(client, org, suspended["id"])
    assert (synced["stage"], synced["action_needed"]) == ("suspended", True)
    wrong = await send(client, org.people["other_supplier"], "invoice.complete",
                       {"id": suspended["id"], "expected_status": "SUSPENDUE"})
    assert wrong.code == "NOT_FOUND"
    done = await send(client, org.people["supplier"], "invoice.complete",
                      {"id": suspended["id"], "expected_status": "SUSPENDUE",
                       "comment": "RIB joint"})
    assert done.status == "applied"
    after = (await invoices(client, org, "supplier", q="F-200"))["items"][0]
    assert after["status_code"] == "MANDATEE"
    synced = await pulled_invoice(client, org, suspended["id"])
    assert (synced["stage"], synced["action_needed"]) == ("payment_ordered", False)
    stale = await send(client, org.people["supplier"], "invoice.complete",
                       {"id": suspended["id"], "expected_status": "MANDATEE"})
    assert stale.code == "INVOICE_NOT_SUSPENDED"


async def test_supplier_search_filters_sort_page_and_statistics(client: Any) -> None:
    org, key = await keyed_org()
    await post(client, key, invoice_event(org, "A-1", ttc=10000, days_ago=40, order_number="BC-7"),
               invoice_event(org, "A-2", ttc=50000, days_ago=10),
               invoice_event(org, "A-3", ttc=30000, days_ago=5),
               invoice_event(org, "Z-9", ttc=99000, days_ago=1,
                             siret=None))
    await post(client, key, status_event(org, "A-2", "MISE_EN_PAIEMENT", days_ago=2),
               status_event(org, "A-3", "REJETEE", reason="Doublon"))
    assert [i["number"] for i in (await invoices(client, org, "supplier", q="BC-7"))["items"]] == [
        "A-1"]
    buyer = (await client.get("/api/v1/invoices", params={"q": "Ministère test"},
                              headers=org.people["supplier"].headers)).json()
    assert buyer["total"] == 4
    by_amount = await invoices(client, org, "supplier", sort="-amount", limit=2)
    assert [i["number"] for i in by_amount["items"]] == ["Z-9", "A-2"]
    assert by_amount["total"] == 4
    page2 = await invoices(client, org, "supplier", sort="-amount", limit=2, offset=2)
    assert [i["number"] for i in page2["items"]] == ["A-3", "A-1"]
    ranged = await invoices(client, org, "supplier", amount_min=20000, amount_max=60000,
                            sort="number")
    assert [i["number"] for i in ranged["items"]] == ["A-2", "A-3"]
    assert [i["number"] for i in (await invoices(client, org, "supplier", stage="rejected"))[
        "items"]] == ["A-3"]
    late = await invoices(client, org, "supplier", late="true")
    assert [i["number"] for i in late["items"]] == ["A-1"]
    assert late["items"][0]["days_late"] == 10
    on_time = await invoices(client, org, "supplier", late="false", sort="number", limit=2)
    assert [i["number"] for i in on_time["items"]] == ["A-2", "A-3"]
    assert on_time["total"] == 3
    stats = (await client.get("/api/v1/invoices/statistics",
                              headers=org.people["supplier"].headers)).json()
    stages = {s["stage"]: (s["count"], s["amount_cents"]) for s in stats["stages"]}
    assert stages["paid"] == (1, 50000) and stages["rejected"] == (1, 30000)
    assert stages["submitted"] == (2, 109000)
    assert stats["median_days_to_payment"] == 8.0
    assert stats["late_count"] == 1 and stats["late_amount_cents"] == 10000
    other = (await client.get("/api/v1/invoices/statistics",
                              headers=org.people["other_supplier"].headers)).json()
    assert other["invoice_count"] == 0


async def test_invoices_recorded_before_late_from_existed_are_filled_by_the_migration(
    client: Any,
) -> None:
    org, key = await keyed_org()
    await post(client, key, invoice_event(org, "B-1", days_ago=45),
               invoice_event(org, "B-2", days_ago=3))
    await Invoice.update({Invoice.late_from: None}).where(Invoice.organisation == org.id)
    assert (await invoices(client, org, "supplier", late="true"))["total"] == 0
    backfill = importlib.import_module(
        "backend.invoices.piccolo_migrations.invoices_2026_12_02t03_16_30_000000")
    for step in (await backfill.forwards()).raw:
        await step()
    late = await invoices(client, org, "supplier", late="true")
    assert [i["number"] for i in late["items"]] == ["B-1"]


async def test_suppliers_never_see_each_others_invoices(client: Any) -> None:
    org, key = await keyed_org()
    [result] = await post(client, key, invoice_event(org, "S-1"))
    invoice_id = result["invoice_id"]
    for who, status in (("supplier", 200), ("back_office", 200), ("admin", 200),
                        ("other_supplier", 404), ("agent_a", 404), ("manager_a", 404)):
        response = await client.get(f"/api/v1/invoices/{invoice_id}",
                                    headers=org.people[who].headers)
        assert response.status_code == status, who
        trail = await client.get(f"/api/v1/audit/invoice/{invoice_id}",
                                 headers=org.people[who].headers)
        assert trail.status_code == status, who
    stranger_org = await make_org()
    assert (await client.get(f"/api/v1/invoices/{invoice_id}",
                             headers=stranger_org.people["back_office"].headers)).status_code == 404
    pull = await client.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())},
                             headers=org.people["other_supplier"].headers)
    assert invoice_id not in {p["id"] for p in pull.json()["patch"]}
    mine = await client.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())},
                             headers=org.people["supplier"].headers)
    assert invoice_id in {p["id"] for p in mine.json()["patch"] if p["entity"] == "invoice"}


async def test_back_office_posts_statuses_others_may_not(client: Any) -> None:
    org, key = await keyed_org()
    [result] = await post(client, key, invoice_event(org, "B-1"))
    args = {"id": result["invoice_id"], "code": "SUSPENDUE", "reason": "Pièce manquante"}
    for who in ("supplier", "manager_a", "agent_a"):
        ack = await send(client, org.people[who], "invoice.post_status", args)
        assert ack.code == "FORBIDDEN", who
    assert (await send(client, org.people["back_office"], "invoice.post_status",
                       {**args, "reason": ""})).code == "REASON_REQUIRED"
    assert (await send(client, org.people["back_office"], "invoice.post_status",
                       {**args, "code": "PAYEE"})).code == "INVOICE_STATUS_UNKNOWN"
    assert (await send(client, org.people["back_office"], "invoice.post_status",
                       args)).status == "applied"
    trail = (await client.get(f"/api/v1/audit/invoice/{result['invoice_id']}",
                              headers=org.people["supplier"].headers)).json()["entries"]
    assert [e["action"] for e in trail] == ["status:DEPOSEE", "status:SUSPENDUE"]
    assert trail[1]["actor_id"] == str(org.people["back_office"].user_id)


async def test_one_interruption_then_a_new_deadline_through_the_api(client: Any) -> None:
    # Received D = 60 days ago, interrupted D+9, completed D+34: due D+64 (in 4 days), not late.
    # The old pausing clock said D+55, five days late.
    org, key = await keyed_org()
    await post(client, key, invoice_event(org, "I-1", days_ago=60),
               status_event(org, "I-1", "SUSPENDUE", days_ago=51, reason="RIB manquant"),
               status_event(org, "I-1", "COMPLETEE", days_ago=26))
    [item] = (await invoices(client, org, "supplier", q="I-1"))["items"]
    submitted = datetime.fromisoformat(item["submitted_at"])
    drift = datetime.fromisoformat(item["due_at"]) - (submitted + timedelta(days=64))
    assert abs(drift) < timedelta(seconds=5)  # the events' "now" differ by microseconds
    assert (item["late"], item["days_late"]) == (False, 0)
    assert (await invoices(client, org, "supplier", late="true"))["total"] == 0
    # A second suspension does not interrupt again: the invoice falls late in 4 days regardless.
    await post(client, key, status_event(org, "I-1", "SUSPENDUE", days_ago=1, reason="Encore"))
    [again] = (await invoices(client, org, "supplier", q="I-1"))["items"]
    assert again["due_at"] == item["due_at"] and again["status_code"] == "SUSPENDUE"


async def test_deadlines_stored_under_the_old_rule_are_recomputed_and_pulled_again(
    client: Any,
) -> None:
    org, key = await keyed_org()
    [created, *_] = await post(
        client, key, invoice_event(org, "M-1", days_ago=60),
        status_event(org, "M-1", "SUSPENDUE", days_ago=51, reason="RIB manquant"),
        status_event(org, "M-1", "COMPLETEE", days_ago=26))
    invoice_id = created["invoice_id"]
    stored = await Invoice.select(Invoice.due_at, Invoice.late_from).where(
        Invoice.id == invoice_id).first()
    assert stored is not None
    old_due = datetime.now(UTC) - timedelta(days=5)  # what the pausing clock stored
    await Invoice.update({Invoice.due_at: old_due, Invoice.late_from: old_due}).where(
        Invoice.id == invoice_id)
    headers = org.people["supplier"].headers
    client_id = str(uuid.uuid4())
    first = (await client.post("/sync/v1/pull", json={"client_id": client_id},
                               headers=headers)).json()
    assert (await invoices(client, org, "supplier", late="true"))["total"] == 1
    migration = importlib.import_module(
        "backend.invoices.piccolo_migrations.invoices_2026_12_06t01_40_00_000000")
    for step in (await migration.forwards()).raw:
        await step()
    assert (await invoices(client, org, "supplier", late="true"))["total"] == 0
    later = (await client.post("/sync/v1/pull", json={"client_id": client_id,
                                                       "cookie": first["cookie"]},
                               headers=headers)).json()
    patched = [p for p in later["patch"] if p["entity"] == "invoice"]
    assert [p["id"] for p in patched] == [invoice_id]
    data = patched[0]["data"]
    assert as_utc(data["due_at"]) == as_utc(stored["due_at"]) == as_utc(data["late_from"])
    assert as_utc(data["due_at"]) > datetime.now(UTC)


def dated(event: dict[str, Any], occurred_at: str) -> dict[str, Any]:
    return {**event, "occurred_at": occurred_at}


async def test_late_payment_interest_and_indemnity_per_invoice_and_in_total(client: Any) -> None:
    # L-1: 12,000.00 € received 5 Jan 2026, due 4 Feb (State), paid 6 Mar: 30 days late at
    # 2.15 % + 8 = 10.15 %: 1,200,000 × 10.15 % × 30 / 365 = 10,010.96 → 10,011 cents.
    # L-2: 5,000.00 € received 1 Jul 2024, due 31 Jul, paid 14 Sep: 45 days at 4.25 % + 8 =
    # 12.25 %: 500,000 × 12.25 % × 45 / 365 = 7,551.37 → 7,551 cents. L-3 paid in time.
    org, key = await keyed_org()
    await post(
        client, key,
        dated(invoice_event(org, "L-1", ttc=1_200_000), "2026-01-05T10:00:00Z"),
        dated(status_event(org, "L-1", "MISE_EN_PAIEMENT"), "2026-03-06T10:00:00Z"),
        dated(invoice_event(org, "L-2", ttc=500_000), "2024-07-01T10:00:00Z"),
        dated(status_event(org, "L-2", "MISE_EN_PAIEMENT"), "2024-09-14T10:00:00Z"),
        dated(invoice_event(org, "L-3", ttc=90_000), "2026-01-05T10:00:00Z"),
        dated(status_event(org, "L-3", "MISE_EN_PAIEMENT"), "2026-01-20T10:00:00Z"))
    items = {i["number"]: i for i in (await invoices(client, org, "supplier"))["items"]}
    owed = {n: (i["interest_rate_percent"], i["days_late"], i["interest_cents"],
                i["indemnity_cents"]) for n, i in items.items()}
    assert owed == {"L-1": ("10.15", 30, 10011, 4000), "L-2": ("12.25", 45, 7551, 4000),
                    "L-3": (None, 0, 0, 0)}
    stats = (await client.get("/api/v1/invoices/statistics",
                              headers=org.people["supplier"].headers)).json()
    assert (stats["late_count"], stats["late_interest_cents"], stats["late_indemnity_cents"]) == (
        2, 17562, 8000)
    pull = (await client.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())},
                              headers=org.people["supplier"].headers)).json()
    synced = {p["data"]["number"]: p["data"]["late_charges"] for p in pull["patch"]
              if p["entity"] == "invoice"}
    assert (synced["L-1"]["interest_cents"], synced["L-1"]["rate_percent"]) == (10011, "10.15")
