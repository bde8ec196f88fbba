"""Wire types of mission orders: intent arguments and read API shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, TypedDict
from uuid import UUID

import msgspec

from sync.wire import SyncedRow

__all__ = (
    "Booking",
    "CoveredCategory",
    "DeadlineRulesIn",
    "DeadlineRulesOut",
    "MissionAllowance",
    "MissionCommandArgs",
    "MissionCreateArgs",
    "MissionDecideArgs",
    "MissionEditArgs",
    "MissionOut",
    "MissionPage",
    "MissionRow",
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


#: The expense line categories a mission's allowance may pay instead of their receipts.
CoveredCategory = Literal["meal", "lodging"]


class MissionAllowance(TypedDict, total=False):
    """What a mission is expected to pay in allowances (cents), computed by the server from its
    times under the rule set in force on its first day (``rule_set``); empty before that (no
    times, no rule set). The figures of :class:`backend.policy.allowances.ExpectedAllowance`;
    stored as JSON on the mission and sent as such."""

    rule_set: str
    meals: int
    nights: int
    meals_cents: int
    lodging_cap_cents: int
    abroad_cents: int
    expected_cents: int
    advance_cents: int
    rate_missing: bool
    abroad_nights_cents: int
    #: the line categories the allowance pays (``backend.missions.rules.allowance_covers``)
    covers: list[CoveredCategory]


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
    allowance: MissionAllowance = {}
    state: str
    content_hash: str
    row_version: int
    urgent: bool
    booking_expired: bool
    earliest_expiry: datetime | None
    submitted_at: datetime | None
    escalation_level: int = 0
    decided_at: datetime | None
    decided_by: UUID | None
    decision_reason: str


class MissionPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[MissionOut]
    total: int
    offset: int
    limit: int


Hours = Annotated[int, msgspec.Meta(ge=0, le=24 * 60)]


class DeadlineRulesIn(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation's rules for requests awaiting a decision (hours, 0 to 60 days)."""

    decide_within_hours: Annotated[int, msgspec.Meta(ge=1, le=24 * 60)]
    remind_before_hours: Hours
    escalate_after_hours: Hours


class DeadlineRulesOut(msgspec.Struct, frozen=True, kw_only=True):
    """The rules in force: decide within, remind before the deadline, escalate after it."""

    decide_within_hours: int
    remind_before_hours: int
    escalate_after_hours: int
    updated_at: datetime


class MissionRow(SyncedRow, kw_only=True):
    """A mission as pull sends it: its columns (but the per-field versions and clients), the
    bookings and allowance decoded, and what the server computes at send time: ``urgent``
    (submitted with a booking about to expire), ``booking_expired`` and ``city_class`` (the
    lodging class of the destination the phone checks hotel lines against)."""

    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    id: UUID
    agent: UUID
    agent_name: str
    unit: UUID | None
    purpose: str
    destination: str
    starts_on: date
    ends_on: date
    transport: str
    estimated_cost_cents: int
    bookings: list[Booking]
    departs_at: datetime | None
    returns_at: datetime | None
    time_zone: str
    country: str
    advance_requested: bool
    #: the allowance expected from the mission's times (``{}`` without times or rule set)
    allowance: MissionAllowance
    state: str
    content_hash: str
    earliest_expiry: datetime | None
    submitted_at: datetime | None
    escalation_level: int
    decided_at: datetime | None
    decided_by: UUID | None
    decision_reason: str
    created_at: datetime
    updated_at: datetime
    urgent: bool
    booking_expired: bool
    city_class: str
    #: whether its allowance is the daily one abroad (the phone's hotel warning reads it)
    abroad: bool
