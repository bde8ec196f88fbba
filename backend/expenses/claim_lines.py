"""What the claims workflow reads of expense lines (added by the workflows; read-only)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from backend.expenses.tables import ExpenseLine

__all__ = ("lines_of_claim", "lines_of_owner")


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    receipts = row.get("receipts")
    if isinstance(receipts, str | bytes):
        row["receipts"] = msgspec.json.decode(receipts)
    return row


async def lines_of_claim(claim_id: UUID, *, agent_id: UUID,
                         organisation_id: UUID) -> list[dict[str, Any]]:
    """The live (not deleted) lines of a claim, oldest date first: only those of the claim's
    agent in the claim's organisation count, whatever else points at the claim."""
    rows = await ExpenseLine.select().where(
        (ExpenseLine.claim_id == claim_id) & ExpenseLine.deleted_at.is_null()
        & (ExpenseLine.owner == agent_id) & (ExpenseLine.organisation == organisation_id)
    ).order_by(ExpenseLine.date).order_by(ExpenseLine.id)
    return [_decoded(r) for r in rows]


async def lines_of_owner(owner_id: UUID, *, since: date | None = None) -> list[dict[str, Any]]:
    """Every live line of a person (duplicate checks, annual mileage)."""
    where = (ExpenseLine.owner == owner_id) & ExpenseLine.deleted_at.is_null()
    if since is not None:
        where = where & (ExpenseLine.date >= since)
    return [_decoded(r) for r in await ExpenseLine.select().where(where)]
