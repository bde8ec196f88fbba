"""What to do with a push service's answer (pure, no I/O).

RFC 8030: 201 accepted; 404/410 the subscription is gone; 413 the body is too large; 429 and
5xx are temporary (honour ``Retry-After``); 400/401/403 mean our request or our VAPID key is
wrong, which retrying cannot fix: those raise an alert for the operators.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

__all__ = ("MAX_ATTEMPTS", "Outcome", "backoff", "classify", "parse_retry_after")

MAX_ATTEMPTS = 8
_BASE = 5.0
_CAP = 3600.0


@dataclass(frozen=True)
class Outcome:
    kind: Literal["sent", "gone", "retry", "shorten", "alert", "failed"]
    retry_at: datetime | None = None
    reason: str = ""


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """``Retry-After`` as seconds or an HTTP date, capped at a day; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), 86400))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(when, now), now + timedelta(days=1))


def backoff(attempts: int, now: datetime, rng: random.Random | None = None) -> datetime:
    """Exponential backoff with full jitter: up to 5 s × 2^(attempts-1), capped at an hour."""
    ceiling = min(_CAP, _BASE * 2 ** max(attempts - 1, 0))
    jitter = (rng or random).uniform(0.5, 1.0)
    return now + timedelta(seconds=ceiling * jitter)


def classify(status: int | None, retry_after: str | None, attempts: int, now: datetime) -> Outcome:
    """The outcome of one attempt; ``status`` None means a network error or timeout."""
    if status is not None and 200 <= status < 300:
        return Outcome("sent")
    if status in (404, 410):
        return Outcome("gone", reason=f"push service answered {status}")
    if status == 413:
        return Outcome("shorten", now, reason="payload too large")
    if status in (400, 401, 403):
        return Outcome("alert", reason=f"push service refused the request ({status})")
    if attempts >= MAX_ATTEMPTS:
        return Outcome("failed", reason=f"gave up after {attempts} attempts (last {status})")
    honoured = (
        parse_retry_after(retry_after, now)
        if status in (429, 503) or (status is not None and status >= 500)
        else None
    )
    return Outcome(
        "retry",
        honoured or backoff(attempts, now),
        reason="network error" if status is None else f"temporary failure ({status})",
    )
