"""Quiet hours, digests and per-type modes on the user's wall clock, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.policy import (
    PreferenceView,
    decide,
    in_quiet_hours,
    next_digest_at,
    next_local_time,
    next_weekly_summary_at,
    parse_hhmm,
)

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)  # type: ignore[misc]


def local(at: datetime, zone: str = "Europe/Paris") -> datetime:
    return at.astimezone(ZoneInfo(zone))


DEFAULT = PreferenceView()


def test_outside_quiet_hours_sends_now() -> None:
    now = paris(2026, 6, 10, 14, 0)
    decision = decide("decision_made", DEFAULT, now, action_required=False)
    assert decision.kind == "send" and decision.at == now


def test_evening_push_waits_for_the_end_of_quiet_hours_next_morning() -> None:
    decision = decide("decision_made", DEFAULT, paris(2026, 6, 10, 22, 15), action_required=False)
    assert decision.kind == "send"
    assert local(decision.at).replace(tzinfo=None) == datetime(2026, 6, 11, 7, 30)


def test_after_midnight_push_waits_until_the_same_morning() -> None:
    decision = decide("decision_made", DEFAULT, paris(2026, 6, 11, 3, 0), action_required=False)
    assert local(decision.at).replace(tzinfo=None) == datetime(2026, 6, 11, 7, 30)


def test_action_required_breaks_through_quiet_hours_and_digest() -> None:
    prefs = PreferenceView(modes={"approval_requested": "digest"})
    now = paris(2026, 6, 10, 23, 0)
    assert decide("approval_requested", prefs, now, action_required=True).at == now


def test_switched_off_type_is_never_pushed_even_if_urgent() -> None:
    prefs = PreferenceView(modes={"approval_requested": "off"})
    assert (
        decide("approval_requested", prefs, paris(2026, 6, 10, 9), action_required=True).kind
        == "off"
    )


def test_quiet_hours_within_one_day_and_none() -> None:
    lunch = PreferenceView(quiet_start=time(12, 0), quiet_end=time(14, 0))
    assert in_quiet_hours(paris(2026, 6, 10, 13, 0), lunch) == paris(2026, 6, 10, 14, 0)
    assert in_quiet_hours(paris(2026, 6, 10, 14, 0), lunch) is None
    assert (
        in_quiet_hours(paris(2026, 6, 10, 23, 0), PreferenceView(quiet_start=None, quiet_end=None))
        is None
    )


def test_quiet_hours_end_across_spring_forward() -> None:
    # 29 March 2026: Paris clocks jump from 02:00 to 03:00. Quiet until 07:30 still means 07:30
    # local, which is 05:30 UTC (not 06:30 as the winter offset would give).
    decision = decide("decision_made", DEFAULT, paris(2026, 3, 28, 23, 0), action_required=False)
    assert decision.at == datetime(2026, 3, 29, 5, 30, tzinfo=UTC)


def test_quiet_hours_end_across_fall_back() -> None:
    # 25 October 2026: clocks go back from 03:00 to 02:00; 07:30 local is 06:30 UTC.
    decision = decide("decision_made", DEFAULT, paris(2026, 10, 24, 23, 0), action_required=False)
    assert decision.at == datetime(2026, 10, 25, 6, 30, tzinfo=UTC)


def test_quiet_end_inside_the_spring_gap_moves_past_the_gap() -> None:
    prefs = PreferenceView(quiet_start=time(1, 0), quiet_end=time(2, 30))
    end = in_quiet_hours(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), prefs)  # 01:30 local
    assert end == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST, the first instant after
    assert local(end).hour == 3


def test_digest_is_at_the_chosen_local_time_across_dst() -> None:
    prefs = PreferenceView(modes={"payment_sent": "digest"}, digest_time=time(8, 0))
    winter = decide("payment_sent", prefs, paris(2026, 3, 28, 9, 0), action_required=False)
    assert winter.kind == "digest"
    assert winter.at == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST
    assert next_digest_at(paris(2026, 10, 24, 9, 0), prefs) == datetime(
        2026, 10, 25, 7, 0, tzinfo=UTC
    )


def test_digest_in_another_time_zone() -> None:
    prefs = PreferenceView(timezone="America/Cayenne", digest_time=time(18, 0))
    at = next_digest_at(datetime(2026, 1, 5, 12, 0, tzinfo=UTC), prefs)
    assert at == datetime(2026, 1, 5, 21, 0, tzinfo=UTC)


def test_parse_hhmm_rejects_garbage() -> None:
    assert parse_hhmm("07:05") == time(7, 5)
    for bad in ("7:05", "07h05", "25:00", ""):
        with pytest.raises(ValueError):
            parse_hhmm(bad)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        decide("decision_made", DEFAULT, datetime(2026, 1, 1, 12), action_required=False)


@given(
    now=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    zone=st.sampled_from(["Europe/Paris", "America/New_York", "Pacific/Noumea", "UTC"]),
)
def test_next_local_time_is_the_first_matching_instant_within_a_day(
    now: datetime, hour: int, minute: int, zone: str
) -> None:
    at = next_local_time(now, time(hour, minute), zone)
    assert now < at <= now + timedelta(hours=25)
    wall = at.astimezone(ZoneInfo(zone))
    # either the exact wall time, or the first instant after a DST gap that swallowed it
    assert (wall.hour, wall.minute) == (hour, minute) or (at - timedelta(minutes=1)).astimezone(
        ZoneInfo(zone)
    ).time() < time(hour, minute) < wall.time()


@given(
    now=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
)
def test_a_held_push_is_released_at_most_quiet_hours_later(now: datetime) -> None:
    decision = decide("decision_made", DEFAULT, now, action_required=False)
    assert now <= decision.at <= now + timedelta(hours=11, minutes=31)
    wall = decision.at.astimezone(PARIS).time()
    assert decision.at == now or wall == time(7, 30)


def test_weekly_summary_waits_for_monday_at_the_digest_time() -> None:
    # Thursday 3 Dec 2026, 10:00 Paris → Monday 7 Dec, 08:00 Paris (07:00 UTC).
    prefs = PreferenceView(modes={"invoice_status_changed": "weekly"}, digest_time=time(8, 0))
    weekly = decide("invoice_status_changed", prefs, paris(2026, 12, 3, 10, 0),
                    action_required=False)
    assert (weekly.kind, weekly.at) == ("digest", datetime(2026, 12, 7, 7, 0, tzinfo=UTC))
    # On a Monday after the digest time: the next Monday; before it: the same morning.
    assert decide("invoice_status_changed", prefs, paris(2026, 12, 7, 9, 0),
                  action_required=False).at == datetime(2026, 12, 14, 7, 0, tzinfo=UTC)
    assert decide("invoice_status_changed", prefs, paris(2026, 12, 7, 7, 0),
                  action_required=False).at == datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    # A suspension (action needed) is never held for the summary.
    assert decide("invoice_status_changed", prefs, paris(2026, 12, 3, 10, 0),
                  action_required=True).kind == "send"


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                    timezones=st.just(UTC)))
def test_weekly_summary_is_always_a_monday_within_a_week(now: datetime) -> None:
    prefs = PreferenceView(digest_time=time(8, 0))
    at = next_weekly_summary_at(now, prefs)
    assert now < at <= now + timedelta(days=7)
    assert local(at).weekday() == 0 and local(at).time() == time(8, 0)
