"""Wire types of expense claims."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

__all__ = (
    "ClaimCommandArgs",
    "ClaimCreateArgs",
    "ClaimDecideArgs",
    "ClaimOut",
    "ClaimPage",
    "ClaimPaidArgs",
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
    findings: list[dict[str, Any]]
    content_hash: str
    row_version: int
    submitted_at: datetime | None
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
