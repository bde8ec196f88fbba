"""A mission's departure and return times (pure: no web or database import).

Times travel as instants; allowances are counted on the wall clock of the place
(``time_zone``), and the local dates must be the mission's first and last days. A time without
an offset is read as the place's wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.workflow import WorkflowRefusal

__all__ = ("MissionTimes", "check_times")


@dataclass(frozen=True)
class MissionTimes:
    """Departure and return in UTC, and the same on the place's wall clock (naive)."""

    departs_at: datetime
    returns_at: datetime
    local_departure: datetime
    local_return: datetime


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise WorkflowRefusal("TIME_ZONE_UNKNOWN", {"time_zone": name}) from None


def check_times(*, starts_on: date, ends_on: date, departs_at: datetime | None,
                returns_at: datetime | None, time_zone: str) -> MissionTimes | None:
    """The mission's times, checked: both or neither given, the return after the departure,
    on the mission's first and last days in ``time_zone``. Raises WorkflowRefusal."""
    if departs_at is None and returns_at is None:
        return None
    if departs_at is None or returns_at is None:
        raise WorkflowRefusal("TIMES_INCOMPLETE", {})
    zone = _zone(time_zone)
    start = departs_at if departs_at.tzinfo else departs_at.replace(tzinfo=zone)
    end = returns_at if returns_at.tzinfo else returns_at.replace(tzinfo=zone)
    if end <= start:
        raise WorkflowRefusal("DATES_INVALID", {"departs_at": start.isoformat(),
                                                "returns_at": end.isoformat()})
    local_start = start.astimezone(zone).replace(tzinfo=None)
    local_end = end.astimezone(zone).replace(tzinfo=None)
    if local_start.date() != starts_on or local_end.date() != ends_on:
        raise WorkflowRefusal("TIMES_OUTSIDE_DATES", {
            "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
            "departure_day": local_start.date().isoformat(),
            "return_day": local_end.date().isoformat()})
    return MissionTimes(start.astimezone(UTC), end.astimezone(UTC), local_start, local_end)
