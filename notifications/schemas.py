"""Wire types of the notifications API (msgspec)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

__all__ = (
    "DocumentRef",
    "InboxItemOut",
    "InboxPage",
    "MarkedRead",
    "PreferencesIn",
    "PreferencesOut",
    "PresenceIn",
    "SubscriptionIn",
    "SubscriptionKeys",
    "SubscriptionOut",
    "TestPushOut",
    "UnreadCount",
    "VapidPublicKey",
)

Mode = Literal["off", "immediate", "digest", "weekly"]
HHMM = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class VapidPublicKey(msgspec.Struct, frozen=True):
    """The application server key to pass to ``pushManager.subscribe``."""

    public_key: str


class SubscriptionKeys(msgspec.Struct, frozen=True):
    p256dh: Annotated[str, msgspec.Meta(min_length=80, max_length=128)]
    auth: Annotated[str, msgspec.Meta(min_length=16, max_length=64)]


class SubscriptionIn(msgspec.Struct, frozen=True, kw_only=True):
    """``PushSubscription.toJSON()`` plus what the app knows about the device."""

    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=2048)]
    keys: SubscriptionKeys
    expirationTime: float | None = None
    user_agent: Annotated[str, msgspec.Meta(max_length=400)] = ""
    language: Literal["fr", "en"] | None = None


class SubscriptionOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    endpoint: str
    language: str
    created_at: datetime
    created: bool


class PreferencesOut(msgspec.Struct, frozen=True, kw_only=True):
    """A user's notification settings, defaults filled in."""

    modes: dict[str, Mode]
    digest_time: str
    timezone: str
    quiet_start: str | None
    quiet_end: str | None
    hide_amounts: bool
    version: int


class PreferencesIn(msgspec.Struct, frozen=True, kw_only=True):
    """New settings; types left out of ``modes`` keep their current mode."""

    modes: dict[str, Mode] = msgspec.field(default_factory=dict)
    digest_time: HHMM = "08:00"
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] = "Europe/Paris"
    quiet_start: HHMM | None = "21:00"
    quiet_end: HHMM | None = "07:30"
    hide_amounts: bool = True


class DocumentRef(msgspec.Struct, frozen=True):
    kind: str
    id: str
    url: str = ""


class InboxItemOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    event_type: str
    title: str
    body: str
    url: str
    document: DocumentRef | None
    action_required: bool
    created_at: datetime
    read_at: datetime | None


class InboxPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of the inbox, newest first; pass ``next_before`` to get the next page."""

    items: list[InboxItemOut]
    unread: int
    next_before: str | None


class UnreadCount(msgspec.Struct, frozen=True):
    unread: int


class MarkedRead(msgspec.Struct, frozen=True):
    marked: int
    unread: int


class PresenceIn(msgspec.Struct, frozen=True):
    """The document on the user's screen (reported again every ~30 s while it stays open)."""

    document_kind: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    document_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class TestPushOut(msgspec.Struct, frozen=True):
    devices: int
