"""Expense-claim rows as :mod:`backend.claims.services` reads them (``ExpenseClaim.select()``);
the one place their shape is written down."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict
from uuid import UUID

from backend.claims.rules import ClaimFinding

__all__ = ("ClaimRecord",)


class ClaimRecord(TypedDict):
    """An ``expense_claim`` row (``findings``: decoded on PostgreSQL, JSON text on SQLite)."""

    id: UUID
    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    agent: UUID
    agent_name: str
    unit: UUID | None
    mission: UUID
    title: str
    state: str
    total_cents: int
    allowance_cents: int
    advance_cents: int
    vat_cents: int
    line_count: int
    findings: list[ClaimFinding] | str
    content_hash: str
    submitted_at: datetime | None
    escalation_level: int
    decided_at: datetime | None
    decided_by: UUID | None
    decision_reason: str
    paid_at: datetime | None
    paid_by: UUID | None
    payment_reference: str
    created_at: datetime
