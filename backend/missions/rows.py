"""Mission rows as :mod:`backend.missions.services` reads them (``Mission.select()`` with
``load_json=True``: JSON columns decoded); the one place their shape is written down."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict
from uuid import UUID

from backend.missions.schemas import MissionAllowance

__all__ = ("MissionContent", "MissionRecord", "StoredBooking")


class StoredBooking(TypedDict, total=False):
    """A held fare as stored in ``mission.bookings`` (:class:`~backend.missions.schemas.Booking`
    as JSON: ``expires_at`` an ISO string)."""

    label: str
    fare_cents: int
    expires_at: str | None
    mode: str | None


class MissionContent(TypedDict):
    """What a manager decides on: the fields the mission's content hash covers."""

    purpose: str
    destination: str
    starts_on: date
    ends_on: date
    transport: str
    estimated_cost_cents: int
    bookings: list[StoredBooking]
    departs_at: datetime | None
    returns_at: datetime | None
    time_zone: str
    country: str
    advance_requested: bool


class MissionRecord(MissionContent):
    """A whole ``mission`` row."""

    id: UUID
    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    agent: UUID
    agent_name: str
    unit: UUID | None
    allowance: MissionAllowance
    state: str
    content_hash: str
    field_versions: dict[str, int]
    field_clients: dict[str, str]
    earliest_expiry: datetime | None
    submitted_at: datetime | None
    escalation_level: int
    decided_at: datetime | None
    decided_by: UUID | None
    decision_reason: str
    created_at: datetime
    updated_at: datetime
