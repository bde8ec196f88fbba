"""Labels Nomade's own invoice events as Nomade's (``source = "nomade"``) in the events recorded
before they were: service done certified in Nomade (SERVICE_FAIT recorded by a purchase-order
certification, event key ``intent:<intent>:<invoice>``) and the supplier's COMPLETEE (recorded
by a supplier). Both the event table and each invoice's history change; the invoices changed get
their organisation's next sync version, so phones pull the truthful labels.

Written by hand (data, not schema); never edited once landed.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.invoices.tables import Invoice, InvoiceStatusEvent
from kernel.timeutil import as_utc
from sync.storage import bump_version

ID = "2026-12-06T02:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "invoice events Nomade recorded itself labelled source=nomade"


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


async def relabel() -> int:
    """Relabel the events; returns how many invoices changed."""
    events = await InvoiceStatusEvent.raw(
        "SELECT e.id, e.invoice, e.code, e.occurred_at FROM invoice_status_event e "
        "WHERE e.source <> 'nomade' AND ("
        "(e.code = 'SERVICE_FAIT' AND e.event_key LIKE 'intent:%:%') OR "
        "(e.code = 'COMPLETEE' AND e.actor IN (SELECT id FROM app_user WHERE role = 'supplier')))")
    per_invoice: dict[UUID, set[tuple[str, Any]]] = {}
    for event in events:
        per_invoice.setdefault(_uuid(event["invoice"]), set()).add(
            (event["code"], as_utc(event["occurred_at"])))
        await InvoiceStatusEvent.update({InvoiceStatusEvent.source: "nomade"}).where(
            InvoiceStatusEvent.id == event["id"])
    changed: dict[UUID, list[tuple[UUID, list[dict[str, Any]]]]] = {}
    for invoice_id, ours in per_invoice.items():
        row = await Invoice.select(Invoice.organisation, Invoice.history).where(
            Invoice.id == invoice_id).first()
        if row is None:
            continue
        history = row["history"]
        items = list(json.loads(history) if isinstance(history, str) else history or [])
        for item in items:
            if (item["code"], as_utc(item["occurred_at"])) in ours:
                item["source"] = "nomade"
        changed.setdefault(_uuid(row["organisation"]), []).append((invoice_id, items))
    for organisation, invoices in changed.items():
        version = await bump_version(organisation)
        for invoice_id, items in invoices:
            await Invoice.update({
                Invoice.history: json.dumps(items), Invoice.sync_version: version,
                Invoice.row_version: Invoice.row_version + 1,
            }).where(Invoice.id == invoice_id)
    return sum(len(i) for i in changed.values())


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="invoices", description=DESCRIPTION)
    manager.add_raw(relabel)
    return manager
