"""When a notification may ring: quiet hours, daily digests, weekly summaries and per-type modes
(pure, no I/O).

Times are stored in UTC; the user's wall clock (``timezone``, Europe/Paris by default) decides
quiet hours and the digest time, so both follow daylight-saving changes. A wall-clock time that
does not exist on a spring-forward day (02:30 in Paris) is read as the first instant after the
gap; one that occurs twice on the autumn day is read as its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = (
    "DEFAULT_TIMEZONE",
    "Decision",
    "Mode",
    "PreferenceView",
    "decide",
    "in_quiet_hours",
    "local_to_utc",
    "next_digest_at",
    "next_local_time",
    "next_weekly_summary_at",
    "parse_hhmm",
    "valid_timezone",
)

DEFAULT_TIMEZONE = "Europe/Paris"
Mode = Literal["off", "immediate", "digest", "weekly"]
WEEKLY_SUMMARY_WEEKDAY = 0  # Monday, at the digest time


@dataclass(frozen=True)
class PreferenceView:
    """What the policy needs to know about one user's preferences."""

    modes: dict[str, Mode] = field(default_factory=dict)
    default_modes: dict[str, Mode] = field(default_factory=dict)
    timezone: str = DEFAULT_TIMEZONE
    digest_time: time = time(8, 0)
    quiet_start: time | None = time(21, 0)
    quiet_end: time | None = time(7, 30)

    def mode_for(self, event_type: str) -> Mode:
        return self.modes.get(event_type, self.default_modes.get(event_type, "immediate"))


@dataclass(frozen=True)
class Decision:
    """``send`` at ``at`` (now or later, UTC), fold into the ``digest`` at ``at``, or ``off``."""

    kind: Literal["send", "digest", "off"]
    at: datetime
    reason: str = ""


def parse_hhmm(value: str) -> time:
    """``"07:30"`` → ``time(7, 30)``; raises ValueError on anything else."""
    hours, sep, minutes = value.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"not a HH:MM time: {value!r}")
    return time(int(hours), int(minutes))


def valid_timezone(name: str) -> bool:
    """True when ``name`` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day``; times in a DST gap move past the gap."""
    naive = datetime.combine(day, at)
    candidate = naive.replace(tzinfo=zone)
    back = candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != naive:  # inside a spring-forward gap: take the first instant after it
        later = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
        earlier = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
        gap_end = min(later, earlier)
        # the wall clock jumped over ``naive``: the instant the clock reads the gap's end
        while gap_end.astimezone(zone).replace(tzinfo=None) < naive:
            gap_end += timedelta(minutes=1)
        return gap_end
    return candidate.astimezone(UTC)


def next_local_time(now: datetime, at: time, timezone: str) -> datetime:
    """The first UTC instant after ``now`` when the wall clock in ``timezone`` reads ``at``."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    for offset in range(3):
        candidate = local_to_utc(today + timedelta(days=offset), at, zone)
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: a wall-clock time occurs every day")


def in_quiet_hours(now: datetime, prefs: PreferenceView) -> datetime | None:
    """When the quiet period containing ``now`` ends (UTC), or None outside quiet hours."""
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(prefs.timezone)
    wall = now.astimezone(zone).time().replace(tzinfo=None)
    inside = start <= wall < end if start < end else (wall >= start or wall < end)
    if not inside:
        return None
    return next_local_time(now, end, prefs.timezone)


def next_digest_at(now: datetime, prefs: PreferenceView) -> datetime:
    """The next daily digest time after ``now`` (UTC)."""
    return next_local_time(now, prefs.digest_time, prefs.timezone)


def next_weekly_summary_at(now: datetime, prefs: PreferenceView) -> datetime:
    """The next weekly summary after ``now`` (UTC): Monday at the digest time, wall clock."""
    at = next_local_time(now, prefs.digest_time, prefs.timezone)
    zone = ZoneInfo(prefs.timezone)
    for _ in range(8):
        if at.astimezone(zone).weekday() == WEEKLY_SUMMARY_WEEKDAY:
            return at
        at = next_local_time(at, prefs.digest_time, prefs.timezone)
    raise AssertionError("unreachable: every weekday comes within a week")


def decide(
    event_type: str, prefs: PreferenceView, now: datetime, *, action_required: bool
) -> Decision:
    """Whether and when a push for ``event_type`` goes out (the inbox item is always written).

    Action-required events (an approval with a booking deadline) break through quiet hours and
    are never held for a digest, unless the user switched the type off.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    mode = prefs.mode_for(event_type)
    if mode == "off":
        return Decision("off", now, "type switched off")
    if action_required:
        return Decision("send", now, "action required")
    if mode == "digest":
        return Decision("digest", next_digest_at(now, prefs), "daily digest")
    if mode == "weekly":
        return Decision("digest", next_weekly_summary_at(now, prefs), "weekly summary")
    quiet_end = in_quiet_hours(now, prefs)
    if quiet_end is not None:
        return Decision("send", quiet_end, "quiet hours")
    return Decision("send", now)
