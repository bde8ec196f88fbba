"""Small time helpers for stored values (SQLite hands back naive UTC datetimes)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

__all__ = ("as_utc", "as_utc_or_none", "iso_or_none")


def as_utc(value: Any) -> datetime:
    """A stored timestamp (or ISO string) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise TypeError(f"not a datetime: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_utc_or_none(value: Any) -> datetime | None:
    return None if value is None else as_utc(value)


def iso_or_none(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()
