"""The mission order circuit and its urgency, as pure rules (no web or database import).

draft → submitted → approved | refused | returned; a returned mission is edited and submitted
again; the agent may cancel it before a decision or once approved, and amend an approved mission,
which goes back to draft to be changed and submitted for approval again. Only the direct manager
or a delegate decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from backend.missions.schemas import CoveredCategory, MissionAllowance
from backend.workflow import Circuit, Transition

__all__ = (
    "DEFAULT_URGENCY_WINDOW",
    "EDITABLE_STATES",
    "MISSION_CIRCUIT",
    "MissionState",
    "Urgency",
    "allowance_covers",
    "urgency",
    "with_covers",
)


class MissionState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REFUSED = "refused"
    RETURNED = "returned"
    CANCELLED = "cancelled"


S = MissionState

EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})

MISSION_CIRCUIT = Circuit(
    name="mission",
    transitions=(
        Transition("submit", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
        Transition("cancel", frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED}),
                   S.CANCELLED),
        Transition("amend", frozenset({S.APPROVED}), S.DRAFT),
        Transition("approve", frozenset({S.SUBMITTED}), S.APPROVED, decision=True),
        Transition("refuse", frozenset({S.SUBMITTED}), S.REFUSED, decision=True),
        Transition("return", frozenset({S.SUBMITTED}), S.RETURNED, decision=True),
    ),
    decided=frozenset({S.APPROVED, S.REFUSED, S.CANCELLED}),
)

DEFAULT_URGENCY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Urgency:
    """Whether a request must be decided fast: its earliest booking expires within the window."""

    urgent: bool
    expired: bool
    earliest_expiry: datetime | None


def urgency(
    booking_expiries: Iterable[datetime | None],
    *,
    now: datetime,
    window: timedelta = DEFAULT_URGENCY_WINDOW,
) -> Urgency:
    """Urgency from the bookings' expiry times (a fare held until then)."""
    expiries = [e for e in booking_expiries if e is not None]
    if not expiries:
        return Urgency(urgent=False, expired=False, earliest_expiry=None)
    earliest = min(expiries)
    return Urgency(urgent=earliest - now <= window, expired=earliest <= now,
                   earliest_expiry=earliest)


def allowance_covers(allowance: MissionAllowance) -> list[CoveredCategory]:
    """The expense line categories the mission's allowance pays (their receipts are proofs, not
    refunded at cost): meals once the allowance is computed (figures from its times, and abroad a
    daily rate for the country), lodging too when it is the daily allowance abroad. Nothing
    without times, rule set or rate: every line then counts at cost."""
    if "meals" not in allowance or allowance.get("rate_missing"):
        return []
    return ["meal", "lodging"] if int(allowance.get("abroad_cents") or 0) > 0 else ["meal"]


def with_covers(allowance: MissionAllowance) -> MissionAllowance:
    """``allowance`` with what it pays (``covers``) as the phone reads it; a row stored before
    ``covers`` existed gets it derived here. Empty stays empty (nothing computed)."""
    if not allowance:
        return MissionAllowance()
    covered = allowance.copy()
    covered["covers"] = allowance_covers(allowance)
    return covered
