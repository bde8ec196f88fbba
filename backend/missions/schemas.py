"""Wire types of mission orders: intent arguments and read API shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

__all__ = (
    "Booking",
    "MissionCommandArgs",
    "MissionCreateArgs",
    "MissionDecideArgs",
    "MissionEditArgs",
    "MissionOut",
    "MissionPage",
)

Cents = Annotated[int, msgspec.Meta(ge=0, le=10**11)]
Transport = Literal["train", "plane", "car", "public_transport", "boat", "other"]
Decision = Literal["approve", "refuse", "return"]


Country = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{2}$")]
TimeZone = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$",
                                       max_length=64)]


class Booking(msgspec.Struct, frozen=True, kw_only=True):
    """A fare held for the mission until ``expires_at`` (placed only after approval)."""

    label: Annotated[str, msgspec.Meta(max_length=200)]
    fare_cents: Cents = 0
    expires_at: datetime | None = None
    mode: Transport | None = None


class MissionCreateArgs(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    purpose: Annotated[str, msgspec.Meta(max_length=2000)]
    destination: Annotated[str, msgspec.Meta(max_length=200)]
    starts_on: date
    ends_on: date
    transport: Transport = "train"
    estimated_cost_cents: Cents = 0
    bookings: Annotated[list[Booking], msgspec.Meta(max_length=20)] = []
    departs_at: datetime | None = None
    returns_at: datetime | None = None
    time_zone: TimeZone = "Europe/Paris"
    country: Country = "FR"
    advance_requested: bool = False


class MissionEditArgs(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    base_version: int
    purpose: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    destination: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    transport: Transport | None = None
    estimated_cost_cents: Cents | None = None
    bookings: Annotated[list[Booking], msgspec.Meta(max_length=20)] | None = None
    departs_at: datetime | None = None
    returns_at: datetime | None = None
    time_zone: TimeZone | None = None
    country: Country | None = None
    advance_requested: bool | None = None


class MissionCommandArgs(msgspec.Struct, frozen=True, kw_only=True):
    """submit / cancel: the state the agent saw."""

    id: UUID
    expected_state: str


class MissionDecideArgs(msgspec.Struct, frozen=True, kw_only=True):
    """A manager's decision on the content they saw (``content_hash`` from the pulled row)."""

    id: UUID
    decision: Decision
    expected_state: str
    content_hash: str
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class MissionOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    agent_id: UUID
    unit_id: UUID | None
    purpose: str
    destination: str
    starts_on: date
    ends_on: date
    transport: str
    estimated_cost_cents: int
    bookings: list[Booking]
    departs_at: datetime | None = None
    returns_at: datetime | None = None
    time_zone: str = "Europe/Paris"
    country: str = "FR"
    advance_requested: bool = False
    allowance: dict[str, Any] = {}
    state: str
    content_hash: str
    row_version: int
    urgent: bool
    booking_expired: bool
    earliest_expiry: datetime | None
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: UUID | None
    decision_reason: str


class MissionPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[MissionOut]
    total: int
    offset: int
    limit: int
