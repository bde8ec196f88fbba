"""The ledger of integration events already processed (idempotency of the integration API).

The only code reading or writing ``IntegrationEvent``: the orchestration in :mod:`backend.flows`
asks these functions (import contract "a domain never reads another domain's tables").
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from backend.invoices.tables import IntegrationEvent

__all__ = ("ProcessedEvent", "processed_event", "record_event")


class ProcessedEvent(msgspec.Struct, frozen=True):
    """What the ledger remembers of an event: its body's hash and the answer given."""

    body_hash: str
    status: str
    code: str
    invoice_id: UUID | None


async def processed_event(event_key: str) -> ProcessedEvent | None:
    """The stored answer for ``event_key`` (``<organisation>:<event id>``), if already seen."""
    row = await IntegrationEvent.select(
        IntegrationEvent.body_hash, IntegrationEvent.status, IntegrationEvent.code,
        IntegrationEvent.invoice).where(IntegrationEvent.event_key == event_key).first()
    if row is None:
        return None
    invoice = row["invoice"]
    return ProcessedEvent(body_hash=row["body_hash"], status=row["status"], code=row["code"],
                          invoice_id=None if invoice is None else UUID(str(invoice)))


async def record_event(organisation_id: UUID, event_key: str, *, body_hash: str, status: str,
                       code: str = "", invoice_id: UUID | None = None,
                       now: datetime) -> None:
    """Remember the answer given to one event (in the caller's transaction)."""
    await IntegrationEvent.insert(IntegrationEvent(
        organisation=organisation_id, event_key=event_key, body_hash=body_hash, status=status,
        code=code, invoice=invoice_id, created_at=now))
