"""Invoice pushes move only forward, once per stage, with truthful provenance."""

from __future__ import annotations

import uuid
from typing import Any

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
