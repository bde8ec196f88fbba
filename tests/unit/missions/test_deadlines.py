"""When a submitted mission must be decided by: the organisation's hours, or its first
booking's expiry when sooner (a fare already expired at submission sets nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.missions.deadlines import deadline_of
from backend.missions.schemas import DeadlineRulesOut

SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = DeadlineRulesOut(decide_within_hours=48, remind_before_hours=4, escalate_after_hours=0,
                         updated_at=SENT)


def test_the_organisations_hours_without_a_booking() -> None:
    row = {"submitted_at": SENT, "earliest_expiry": None}
    assert deadline_of(row, RULES) == SENT + timedelta(hours=48)


def test_a_fare_expiring_sooner_brings_it_forward() -> None:
    row = {"submitted_at": SENT, "earliest_expiry": SENT + timedelta(hours=6)}
    assert deadline_of(row, RULES) == SENT + timedelta(hours=6)
    later = {"submitted_at": SENT, "earliest_expiry": SENT + timedelta(days=5)}
    assert deadline_of(later, RULES) == SENT + timedelta(hours=48)


def test_a_fare_expired_before_the_request_sets_no_deadline() -> None:
    row = {"submitted_at": SENT, "earliest_expiry": SENT - timedelta(hours=1)}
    assert deadline_of(row, RULES) == SENT + timedelta(hours=48)


def test_naive_stored_times_are_utc() -> None:  # SQLite hands back naive UTC
    row = {"submitted_at": SENT.replace(tzinfo=None), "earliest_expiry": None}
    assert deadline_of(row, RULES) == SENT + timedelta(hours=48)
