"""The events that notify people, and how each one is delivered (pure, no I/O).

Each type fixes the push headers (RFC 8030 TTL and Urgency), its default preference mode and
whether the user may act from the notification. Texts live in :mod:`notifications.messages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from notifications.policy import Mode

__all__ = ("EVENT_TYPES", "EventType", "Traits", "Urgency", "traits_of")

EventType = Literal[
    "invoice_status_changed",
    "approval_requested",
    "decision_made",
    "ocr_finished",
    "ocr_needs_review",
    "service_done_proposal",
    "payment_sent",
    "test",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
Urgency = Literal["very-low", "low", "normal", "high"]

_HOUR = 3600
_DAY = 24 * _HOUR


@dataclass(frozen=True)
class Traits:
    """Delivery traits of one event type."""

    ttl: int
    urgency: Urgency
    default_mode: Mode
    user_can_disable: bool = True


_TRAITS: dict[str, Traits] = {
    # A supplier must act on a rejection or suspension; a week of TTL covers a phone left off.
    "invoice_status_changed": Traits(ttl=7 * _DAY, urgency="normal", default_mode="immediate"),
    # Bookings expire within hours: high urgency; the TTL is cut to the deadline when known.
    "approval_requested": Traits(ttl=_DAY, urgency="high", default_mode="immediate"),
    "decision_made": Traits(ttl=3 * _DAY, urgency="normal", default_mode="immediate"),
    # OCR results matter while the agent is still holding the receipt.
    "ocr_finished": Traits(ttl=_HOUR, urgency="low", default_mode="off"),
    "ocr_needs_review": Traits(ttl=6 * _HOUR, urgency="normal", default_mode="immediate"),
    "service_done_proposal": Traits(ttl=3 * _DAY, urgency="normal", default_mode="immediate"),
    "payment_sent": Traits(ttl=7 * _DAY, urgency="low", default_mode="digest"),
    "test": Traits(ttl=5 * 60, urgency="high", default_mode="immediate", user_can_disable=False),
}


def traits_of(event_type: str) -> Traits:
    """The delivery traits of ``event_type`` (KeyError for an unknown type)."""
    return _TRAITS[event_type]
