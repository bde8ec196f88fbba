"""Fills invoice.late_from for the invoices recorded before the column existed.

Written by hand (data, not schema); never edited once landed. It reads the stored histories
and organisation kinds with plain SQL and computes with the pure ``statuses.late_from``.
"""

from __future__ import annotations

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.invoices.statuses import StatusEvent, late_from
from backend.invoices.tables import Invoice
from kernel.timeutil import as_utc

ID = "2026-12-02T03:16:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "invoice.late_from filled from each history"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="invoices", description=DESCRIPTION)

    async def run() -> None:
        rows = await Invoice.raw(
            "SELECT invoice.id, invoice.history, organisation.kind FROM invoice "
            "JOIN organisation ON organisation.id = invoice.organisation")
        for row in rows:
            history = row["history"]
            items = json.loads(history) if isinstance(history, str) else (history or [])
            events = [StatusEvent(e["code"], as_utc(e["occurred_at"]), e.get("reason", ""))
                      for e in items]
            instant = late_from(events, organisation_kind=row["kind"] or "state")
            if instant is not None:
                await Invoice.update({Invoice.late_from: instant}).where(
                    Invoice.id == row["id"])

    manager.add_raw(run)
    return manager
