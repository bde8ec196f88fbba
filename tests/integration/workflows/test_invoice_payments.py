"""Payment details from the financial system: partial payments, bank reference, amount paid,
interest per payment, shown on the invoice, synced and pushed."""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.workflows.test_invoices import (
    dated,
    invoice_event,
    invoices,
    keyed_org,
    post,
    status_event,
)


def payment_event(org: Any, number: str, cents: int, at: str, reference: str) -> dict[str, Any]:
    return {"event_id": uuid.uuid4().hex, "type": "invoice.payment", "occurred_at": at,
            "payment": {"number": number, "supplier_siret": org.supplier_siret,
                        "amount_cents": cents, "bank_reference": reference}}


async def test_partial_then_final_payment_with_details_interest_and_pushes(client: Any) -> None:
    # 5,000.00 € received 1 Jul 2024 (State): due 31 Jul (12.25 %). 2,000.00 € paid 10 Aug (10
    # days late): 200,000 × 12.25 % × 10 / 365 = 671.23; 3,000.00 € paid 14 Sep (45 days):
    # 300,000 × 12.25 % × 45 / 365 = 4,530.82; total 5,202.05 → 5,202 cents + 40 €.
    org, key = await keyed_org()
    await post(client, key, dated(invoice_event(org, "P-1", ttc=500_000), "2024-07-01T10:00:00Z"))
    [partial] = await post(client, key, payment_event(org, "P-1", 200_000,
                                                      "2024-08-10T10:00:00Z", "VIR-0001"))
    assert partial["status"] == "accepted"
    [item] = (await invoices(client, org, "supplier", q="P-1"))["items"]
    assert (item["stage"], item["amount_paid_cents"], item["paid_at"]) == ("submitted", 200_000,
                                                                           None)
    [final] = await post(client, key, payment_event(org, "P-1", 300_000,
                                                    "2024-09-14T10:00:00Z", "VIR-0002"))
    assert final["status"] == "accepted"
    [item] = (await invoices(client, org, "supplier", q="P-1"))["items"]
    assert (item["stage"], item["status_code"]) == ("paid", "MISE_EN_PAIEMENT")
    assert item["paid_at"].startswith("2024-09-14T10:00:00")
    assert [(p["amount_cents"], p["bank_reference"]) for p in item["payments"]] == [
        (200_000, "VIR-0001"), (300_000, "VIR-0002")]
    assert (item["interest_cents"], item["indemnity_cents"]) == (5202, 4000)
    inbox = (await client.get("/api/v1/inbox/", headers=org.people["supplier"].headers)).json()
    texts = [(i["title"], i["body"]) for i in inbox["items"]]
    assert texts[0] == ("Facture P-1 : mise en paiement",
                        "Montant : 5\u202f000,00\u00a0€. Payé : 3\u202f000,00\u00a0€ (total payé : "
                        "5\u202f000,00\u00a0€). Référence : VIR-0002.")
    assert texts[1][0] == "Facture P-1 : paiement partiel"
    assert "Référence : VIR-0001." in texts[1][1]
    pull = (await client.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())},
                              headers=org.people["supplier"].headers)).json()
    [synced] = [p["data"] for p in pull["patch"] if p["entity"] == "invoice"]
    assert synced["amount_paid_cents"] == 500_000
    assert [p["bank_reference"] for p in synced["payments"]] == ["VIR-0001", "VIR-0002"]


async def test_bad_payments_are_refused_with_a_code_and_change_nothing(client: Any) -> None:
    org, key = await keyed_org()
    await post(client, key, invoice_event(org, "P-2", ttc=10_000),
               invoice_event(org, "P-3", ttc=10_000),
               status_event(org, "P-3", "REJETEE", reason="Doublon"))
    too_much, rejected, unknown = await post(
        client, key, payment_event(org, "P-2", 10_001, "2026-12-01T10:00:00Z", "X"),
        payment_event(org, "P-3", 100, "2026-12-01T10:00:00Z", "X"),
        payment_event(org, "P-404", 100, "2026-12-01T10:00:00Z", "X"))
    assert [too_much["code"], unknown["code"]] == ["PAYMENT_EXCEEDS_DUE", "NOT_FOUND"]
    assert rejected["code"] == "INVOICE_NOT_PAYABLE"
    items = (await invoices(client, org, "supplier"))["items"]
    assert all(i["amount_paid_cents"] == 0 and i["payments"] == [] for i in items)
