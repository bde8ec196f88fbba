"""Invoice pushes move only forward, once per stage, with truthful provenance."""

from __future__ import annotations

import importlib
import json
import uuid
from typing import Any

from backend.invoices.tables import Invoice, InvoiceStatusEvent
from tests.factories import Org
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_invoices import (
    invoice_event,
    invoices,
    keyed_org,
    post,
    status_event,
)
from tests.integration.workflows.test_service_done import _certified_invoice


async def titles(client: Any, org: Org) -> list[str]:
    inbox = (await client.get("/api/v1/inbox/", headers=org.people["supplier"].headers)).json()
    return [i["title"] for i in reversed(inbox["items"])]


async def test_one_push_per_stage_and_none_for_an_earlier_stage(client: Any) -> None:
    org, key = await keyed_org()
    await post(client, key, invoice_event(org, "U-1", days_ago=5),
               status_event(org, "U-1", "DEPOSEE", days_ago=5),
               status_event(org, "U-1", "EN_COURS_ACHEMINEMENT", days_ago=4),
               status_event(org, "U-1", "SERVICE_FAIT", days_ago=2))
    # Late and older: delivered to the buyer (before service done) arrives last.
    await post(client, key, status_event(org, "U-1", "MISE_A_DISPOSITION", days_ago=3))
    assert await titles(client, org) == ["Facture U-1 : déposée",
                                         "Facture U-1 : service fait constaté"]
    [item] = (await invoices(client, org, "supplier", q="U-1"))["items"]
    assert item["status_code"] == "SERVICE_FAIT"
    pull = (await client.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())},
                              headers=org.people["supplier"].headers)).json()
    [row] = [p["data"] for p in pull["patch"] if p["entity"] == "invoice"]
    assert row["status_code"] == "SERVICE_FAIT", "the phone never shows the older stage"
    # A suspension older than service done neither shows nor pushes; a new one does.
    await post(client, key, status_event(org, "U-1", "SUSPENDUE", days_ago=2.5, reason="Old"))
    await post(client, key, status_event(org, "U-1", "SUSPENDUE", days_ago=1, reason="RIB"))
    assert (await titles(client, org))[2:] == ["Facture U-1 : suspendue — à compléter"]


async def test_nomade_own_events_are_labelled_nomade(client: Any) -> None:
    org, key, _, invoice_id = await _certified_invoice(client, "BC-P1")
    await post(client, key, status_event(org, "F-BC-P1", "SUSPENDUE", reason="RIB manquant"))
    ack = await send(client, org.people["supplier"], "invoice.complete",
                     {"id": invoice_id, "expected_status": "SUSPENDUE", "comment": "RIB joint"})
    assert ack.status == "applied", ack
    invoice = (await client.get(f"/api/v1/invoices/{invoice_id}",
                                headers=org.people["supplier"].headers)).json()
    assert [(e["code"], e["source"]) for e in invoice["history"]] == [
        ("DEPOSEE", "chorus_pro"), ("SERVICE_FAIT", "nomade"), ("SUSPENDUE", "chorus_pro"),
        ("COMPLETEE", "nomade")]
    # A financial system cannot pass its events off as Nomade's.
    forged = {**status_event(org, "F-BC-P1", "MANDATEE"), "source": "nomade"}
    [result] = await post(client, key, forged)
    assert result["code"] == "INVOICE_STATUS_UNKNOWN"


async def test_events_recorded_before_the_labels_were_truthful_are_relabelled(
    client: Any,
) -> None:
    org, key, _, invoice_id = await _certified_invoice(client, "BC-P2")
    await post(client, key, status_event(org, "F-BC-P2", "SUSPENDUE", reason="RIB manquant"))
    ack = await send(client, org.people["supplier"], "invoice.complete",
                     {"id": invoice_id, "expected_status": "SUSPENDUE", "comment": "RIB joint"})
    assert ack.status == "applied", ack
    # What the old code stored: every event labelled as the financial system's.
    row = await Invoice.select(Invoice.history).where(Invoice.id == invoice_id).first()
    assert row is not None
    items = json.loads(row["history"]) if isinstance(row["history"], str) else row["history"]
    await Invoice.update({Invoice.history: json.dumps(
        [{**e, "source": "chorus_pro"} for e in items])}).where(Invoice.id == invoice_id)
    await InvoiceStatusEvent.update({InvoiceStatusEvent.source: "chorus_pro"}).where(
        InvoiceStatusEvent.invoice == invoice_id)
    headers = org.people["supplier"].headers
    client_id = str(uuid.uuid4())
    first = (await client.post("/sync/v1/pull", json={"client_id": client_id},
                               headers=headers)).json()
    migration = importlib.import_module(
        "backend.invoices.piccolo_migrations.invoices_2026_12_06t02_10_00_000000")
    for step in (await migration.forwards()).raw:
        await step()
    later = (await client.post("/sync/v1/pull", json={"client_id": client_id,
                                                       "cookie": first["cookie"]},
                               headers=headers)).json()
    [synced] = [p["data"] for p in later["patch"] if p["entity"] == "invoice"]
    assert [(e["code"], e["source"]) for e in synced["history"]] == [
        ("DEPOSEE", "chorus_pro"), ("SERVICE_FAIT", "nomade"), ("SUSPENDUE", "chorus_pro"),
        ("COMPLETEE", "nomade")]
    sources = await InvoiceStatusEvent.select(InvoiceStatusEvent.code,
                                              InvoiceStatusEvent.source).where(
        InvoiceStatusEvent.invoice == invoice_id).order_by(InvoiceStatusEvent.id)
    assert [s["source"] for s in sources] == ["chorus_pro", "nomade", "chorus_pro", "nomade"]
