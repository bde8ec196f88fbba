"""The events that notify people, and how each one is delivered (pure, no I/O).

Each type fixes the push headers (RFC 8030 TTL and Urgency), its default preference mode and
whether the user may act from the notification. Texts live in :mod:`notifications.messages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict, get_args

from notifications.policy import Mode

__all__ = (
    "EVENT_TYPES",
    "DecisionArgs",
    "EventData",
    "EventType",
    "IntentCall",
    "Traits",
    "Urgency",
    "traits_of",
)

EventType = Literal[
    "invoice_status_changed",
    "approval_requested",
    "approval_reminder",
    "approval_escalated",
    "approval_escalated_away",
    "decision_made",
    "ocr_finished",
    "ocr_needs_review",
    "service_done_proposal",
    "payment_sent",
    "comment_added",
    "approval_closed",
    "test",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
Urgency = Literal["very-low", "low", "normal", "high"]



class DecisionArgs(TypedDict):
    """The arguments of a ``<kind>.decide`` intent queued from a notification's button."""

    id: str
    decision: str
    expected_state: str
    content_hash: str | None


class IntentCall(TypedDict):
    """A sync intent the service worker may queue from a notification (name and arguments)."""

    name: str
    args: DecisionArgs


class EventData(TypedDict, total=False):
    """What the texts of an event need (:mod:`notifications.messages`); each event type sets
    the keys it names, the rest stay absent. Amounts are integer cents, dates ISO 8601."""

    # approvals (requested, reminder, escalated, decided, closed) and payments
    label: str
    requester_name: str
    amount_cents: int | None
    deadline: str | None
    timezone: str
    intents: dict[str, IntentCall]
    decision: str
    decided_by: str
    comment: str
    escalated_to: str
    # invoice status (Chorus Pro code) and payment
    invoice_number: str
    status: str
    reason: str
    certified_cents: int
    paid_cents: int
    amount_paid_cents: int
    bank_reference: str
    # receipt reading (OCR): the first reason to check, in words
    merchant: str
    code: str
    review: list[str]
    review_fr: str
    review_en: str
    # service done proposal
    order_number: str
    ej_number: str
    supplier_name: str
    invoice_id: str
    # comment (question or answer)
    author_name: str
    body: str
    document_kind: str
    question: bool
    # digest (summary push)
    count: int
    titles: list[str]


_HOUR = 3600
_DAY = 24 * _HOUR


@dataclass(frozen=True)
class Traits:
    """Delivery traits of one event type."""

    ttl: int
    urgency: Urgency
    default_mode: Mode
    user_can_disable: bool = True
    # Settles the approval requests of its document: they are marked read, and the push
    # silently replaces the request's notification (same tag) on the other approvers' phones.
    settles_requests: bool = False


_TRAITS: dict[str, Traits] = {
    # A supplier must act on a rejection or suspension; a week of TTL covers a phone left off.
    "invoice_status_changed": Traits(ttl=7 * _DAY, urgency="normal", default_mode="immediate"),
    # Bookings expire within hours: high urgency; the TTL is cut to the deadline when known.
    "approval_requested": Traits(ttl=_DAY, urgency="high", default_mode="immediate"),
    # A decision's deadline is near, or passed and the decision went up: act within hours.
    "approval_reminder": Traits(ttl=12 * _HOUR, urgency="high", default_mode="immediate"),
    "approval_escalated": Traits(ttl=_DAY, urgency="high", default_mode="immediate"),
    "approval_escalated_away": Traits(ttl=3 * _DAY, urgency="normal", default_mode="immediate"),
    "decision_made": Traits(ttl=3 * _DAY, urgency="normal", default_mode="immediate"),
    # OCR results matter while the agent is still holding the receipt.
    "ocr_finished": Traits(ttl=_HOUR, urgency="low", default_mode="off"),
    "ocr_needs_review": Traits(ttl=6 * _HOUR, urgency="normal", default_mode="immediate"),
    "service_done_proposal": Traits(ttl=3 * _DAY, urgency="normal", default_mode="immediate"),
    "payment_sent": Traits(ttl=7 * _DAY, urgency="low", default_mode="digest"),
    # A question holds a request up until it is answered: the other side hears of it at once.
    "comment_added": Traits(ttl=3 * _DAY, urgency="normal", default_mode="immediate"),
    # Decided elsewhere or withdrawn: the same Topic replaces an undelivered request at the
    # push service; delivered, it replaces the request's notification (same tag, no buttons).
    "approval_closed": Traits(ttl=_DAY, urgency="normal", default_mode="immediate",
                              user_can_disable=False, settles_requests=True),
    "test": Traits(ttl=5 * 60, urgency="high", default_mode="immediate", user_can_disable=False),
}


def traits_of(event_type: str) -> Traits:
    """The delivery traits of ``event_type`` (KeyError for an unknown type)."""
    return _TRAITS[event_type]
