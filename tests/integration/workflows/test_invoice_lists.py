"""Supplier lists: sort by due date and by lateness, filter late / to act on, CSV export of the
filtered list (same order and filters)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.integration.workflows.test_invoices import (
    invoice_event,
    invoices,
    keyed_org,
    post,
    status_event,
)


async def test_sort_by_due_date_and_lateness_and_filter_what_to_act_on(client: Any) -> None:
    org, key = await keyed_org()
    await post(client, key,
               invoice_event(org, "S-10", days_ago=10),     # due in 20 days
               invoice_event(org, "S-45", days_ago=45),     # 15 days late
               invoice_event(org, "S-35", days_ago=35),     # 5 days late
               invoice_event(org, "S-SUS", days_ago=20),    # interrupted: no deadline
               status_event(org, "S-SUS", "SUSPENDUE", days_ago=5, reason="Kbis"),
               invoice_event(org, "S-REJ", days_ago=3),
               status_event(org, "S-REJ", "REJETEE", days_ago=1, reason="Doublon"))

    def numbers(page: dict[str, Any]) -> list[str]:
        return [i["number"] for i in page["items"]]

    by_due = numbers(await invoices(client, org, "supplier", sort="due_at"))
    assert by_due[:3] == ["S-45", "S-35", "S-10"]
    assert set(by_due[3:]) == {"S-SUS", "S-REJ"}, "no deadline: last"
    assert numbers(await invoices(client, org, "supplier", sort="-due_at"))[:3] == [
        "S-10", "S-35", "S-45"]
    assert numbers(await invoices(client, org, "supplier", sort="lateness"))[:3] == [
        "S-45", "S-35", "S-10"]
    assert numbers(await invoices(client, org, "supplier", late="true", sort="lateness")) == [
        "S-45", "S-35"]
    assert sorted(numbers(await invoices(client, org, "supplier", action="true"))) == [
        "S-REJ", "S-SUS"]
    wrong = await client.get("/api/v1/invoices", params={"sort": "due"},
                             headers=org.people["supplier"].headers)
    assert wrong.status_code == 400


async def test_csv_export_of_the_filtered_list_in_the_persons_language(client: Any) -> None:
    org, key = await keyed_org()
    await post(client, key,
               invoice_event(org, "C-1", ttc=1_200_000, days_ago=40),
               invoice_event(org, "C-2", ttc=5_000, days_ago=2))
    supplier = org.people["supplier"]
    response = await client.get("/api/v1/invoices/export.csv",
                                params={"late": "true", "sort": "lateness"},
                                headers=supplier.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text), delimiter=";"))
    assert rows[0][:4] == ["Numéro", "Acheteur", "Émise le", "Montant TTC"]
    assert [r[0] for r in rows[1:]] == ["C-1"]
    line = dict(zip(rows[0], rows[1], strict=True))
    assert (line["Montant TTC"], line["En retard"], line["Jours de retard"]) == (
        "12000,00", "oui", "10")
    assert line["Indemnité forfaitaire"] == "40,00"
    stranger = await client.get("/api/v1/invoices/export.csv",
                                headers=org.people["other_supplier"].headers)
    assert stranger.text.count("\r\n") == 1, "another company's invoices never leak"
