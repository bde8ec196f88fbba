"""Recomputes invoice.due_at and invoice.late_from under the interruption rule (R.2192-27..29).

Written by hand (data, not schema); never edited once landed. The deadline used to pause at
every suspension; it is now interrupted once, then a new deadline opens. Each invoice whose
stored deadline changes gets its organisation's next sync version, so phones pull it again.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.invoices.statuses import StatusEvent, late_from, payment_deadline
from backend.invoices.tables import Invoice
from kernel.timeutil import as_utc, as_utc_or_none
from sync.storage import bump_version

ID = "2026-12-06T01:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "invoice deadlines recomputed: one interruption, then a new deadline"


def _events(history: Any) -> list[StatusEvent]:
    items = json.loads(history) if isinstance(history, str) else (history or [])
    return [StatusEvent(e["code"], as_utc(e["occurred_at"]), e.get("reason", ""))
            for e in items]


async def recompute() -> int:
    """Rewrite the deadlines that changed; returns how many invoices changed."""
    rows = await Invoice.raw(
        "SELECT invoice.id, invoice.organisation, invoice.history, invoice.due_at, "
        "invoice.late_from, organisation.kind FROM invoice "
        "JOIN organisation ON organisation.id = invoice.organisation")
    changed: dict[UUID, list[tuple[Any, Any, Any]]] = {}
    for row in rows:
        events = _events(row["history"])
        kind = row["kind"] or "state"
        if not events:
            continue
        deadline = payment_deadline(events, organisation_kind=kind, now=events[-1].occurred_at)
        due_at = deadline.due_at if deadline else None
        late = late_from(events, organisation_kind=kind)
        if (due_at, late) != (as_utc_or_none(row["due_at"]), as_utc_or_none(row["late_from"])):
            organisation = row["organisation"]
            key = organisation if isinstance(organisation, UUID) else UUID(str(organisation))
            changed.setdefault(key, []).append((row["id"], due_at, late))
    for organisation, updates in changed.items():
        version = await bump_version(organisation)
        for invoice_id, due_at, late in updates:
            await Invoice.update({
                Invoice.due_at: due_at, Invoice.late_from: late,
                Invoice.sync_version: version,
                Invoice.row_version: Invoice.row_version + 1,
            }).where(Invoice.id == invoice_id)
    return sum(len(u) for u in changed.values())


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="invoices", description=DESCRIPTION)
    manager.add_raw(recompute)
    return manager
