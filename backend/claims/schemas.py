"""Wire types of expense claims."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.claims.rules import ClaimFinding
from backend.policy.checks import Figure
from sync.wire import SyncedRow

__all__ = (
    "ClaimCommandArgs",
    "ClaimCreateArgs",
    "ClaimDecideArgs",
    "ClaimFinding",
    "ClaimFindingRow",
    "ClaimOut",
    "ClaimPage",
    "ClaimPaidArgs",
    "ClaimRow",
)


class ClaimCreateArgs(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    mission_id: UUID
    title: Annotated[str, msgspec.Meta(max_length=200)] = ""


class ClaimCommandArgs(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    expected_state: str


class ClaimDecideArgs(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    decision: Literal["approve", "refuse", "return"]
    expected_state: str
    content_hash: str
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ClaimPaidArgs(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    expected_state: str
    payment_reference: Annotated[str, msgspec.Meta(max_length=64)] = ""


class ClaimOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    agent_id: UUID
    mission_id: UUID
    title: str
    state: str
    total_cents: int
    vat_cents: int
    line_count: int
    allowance_cents: int = 0
    advance_cents: int = 0
    findings: list[ClaimFinding]
    content_hash: str
    row_version: int
    submitted_at: datetime | None
    escalation_level: int = 0
    decided_at: datetime | None
    decided_by: UUID | None
    decision_reason: str
    paid_at: datetime | None
    payment_reference: str


class ClaimPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ClaimOut]
    total: int
    offset: int
    limit: int


class ClaimFindingRow(msgspec.Struct, kw_only=True):
    """A finding on a submitted claim as pull sends it (:class:`ClaimFinding` on the wire,
    ``figures`` empty when an older finding was stored without them)."""

    line_id: str
    code: str
    severity: str
    message_fr: str
    message_en: str
    figures: dict[str, Figure] = msgspec.field(default_factory=dict)


class ClaimRow(SyncedRow, kw_only=True):
    """An expense claim as pull sends it: its columns, the findings decoded."""

    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    id: UUID
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
    findings: list[ClaimFindingRow]
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
