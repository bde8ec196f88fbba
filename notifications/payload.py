"""Declarative Web Push payloads (pure, no I/O).

The JSON follows the declarative Web Push shape (``{"web_push": 8030, "notification": {...}}``)
so a browser can show it without running the service worker; ``notification.data`` carries what
our service worker needs for actions (approve/refuse become queued sync intents).

Size: RFC 8291 records carry 86 bytes of header (salt, record size, key id length, sender key),
a 16-byte tag and one padding delimiter, and push services accept at most 4096 bytes of body,
so the plaintext must stay within :data:`MAX_PLAINTEXT`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

import msgspec

from notifications.events import IntentCall

__all__ = (
    "MAX_BODY",
    "MAX_PLAINTEXT",
    "Action",
    "Decision",
    "DocumentLink",
    "Notice",
    "NoticeData",
    "PayloadTooLargeError",
    "PushMessage",
    "build",
    "decode",
    "shorten",
    "topic_for",
)

MAX_BODY = 4096
_AES128GCM_OVERHEAD = 86 + 16 + 1
MAX_PLAINTEXT = MAX_BODY - _AES128GCM_OVERHEAD  # 3993
_TOPIC_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_encoder = msgspec.json.Encoder()


class PayloadTooLargeError(ValueError):
    """Even the shortest form of the notification exceeds the push size limit."""


class DocumentLink(msgspec.Struct, frozen=True):
    """The document a notification is about, as the service worker opens it."""

    kind: str
    id: str
    url: str


class NoticeData(msgspec.Struct, frozen=True, omit_defaults=True):
    """``notification.data``: what our service worker needs (the inbox item to mark read, the
    document, the intents its buttons queue); a digest only says how many it folds."""

    type: str
    inbox_id: str | None = None
    document: DocumentLink | None = None
    intents: dict[str, IntentCall] | None = None
    count: int | None = None


class Decision(msgspec.Struct, frozen=True):
    """The approval a flat-payload service worker decides from the notification's buttons."""

    entity: str
    id: str
    lang: str
    expected_state: str
    content_hash: str | None


class Action(msgspec.Struct, frozen=True):
    """A button of the notification and the page it opens."""

    action: str
    title: str
    navigate: str


class _Notification(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The declarative ``notification`` member (absent members: the browser's defaults)."""

    title: str
    body: str
    navigate: str
    lang: str
    dir: str | None = None
    tag: str
    badge: str | None = None
    icon: str | None = None
    require_interaction: bool = False
    silent: bool = False
    actions: list[Action] | None = None
    data: NoticeData | None = None


class PushMessage(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The JSON a device receives: the declarative Web Push message, then a flat copy for the
    app's own service worker (declarative browsers ignore those members)."""

    web_push: int | None = None
    notification: _Notification
    mutable: bool = False
    app_badge: int | None = None
    title: str | None = None
    body: str | None = None
    url: str | None = None
    tag: str | None = None
    silent: bool = False
    decision: Decision | None = None


_decoder = msgspec.json.Decoder(PushMessage)
# What a payload too large for the push service loses first, in this order (the notification
# still shows and opens the document, where the person can act).
_DROPPED_FIRST: dict[str, bool | None] = {
    "data": None, "actions": None, "icon": None, "badge": None, "require_interaction": False,
}


@dataclass(frozen=True)
class Notice:
    """One rendered notification for one device, before encoding."""

    title: str
    body: str
    navigate: str
    lang: str
    tag: str
    badge_count: int | None = None
    actions: tuple[Action, ...] = ()
    data: NoticeData | None = None
    require_interaction: bool = False
    # Replaces an earlier notification without sound or vibration (same tag).
    silent: bool = False
    # For service workers that read a flat payload (pwa/src/sw/notifications.ts): the
    # approval to decide from the notification's buttons.
    decision: Decision | None = None


def topic_for(document_kind: str, document_id: str) -> str:
    """A push ``Topic`` for a document: ≤ 32 URL-safe base64 characters, stable per document.

    A UUID's 32 hex digits are used as they are (readable in logs); anything else is hashed.
    """
    compact = document_id.replace("-", "")
    if _TOPIC_SAFE.match(compact) and len(compact) == 32:
        return compact
    digest = hashlib.sha256(f"{document_kind}:{document_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def _message(notice: Notice) -> PushMessage:
    notification = _Notification(
        title=notice.title,
        body=notice.body,
        navigate=notice.navigate,
        lang=notice.lang,
        dir="ltr",
        tag=notice.tag,
        badge="/icons/badge-96.png",
        icon="/icons/icon-192.png",
        require_interaction=notice.require_interaction,
        silent=notice.silent,
        actions=list(notice.actions) or None,
        data=notice.data,
    )
    return PushMessage(
        web_push=8030,
        notification=notification,
        mutable=True,
        app_badge=notice.badge_count,
        title=notice.title,
        body=notice.body,
        url=notice.navigate,
        tag=notice.tag,
        silent=notice.silent,
        decision=notice.decision,
    )


def decode(body: bytes | str) -> PushMessage:
    """A stored payload read back (a digest reads the titles of the pushes it folds)."""
    return _decoder.decode(body)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def build(notice: Notice, limit: int = MAX_PLAINTEXT) -> bytes:
    """The JSON bytes of ``notice``, trimmed (body first, then data) to fit ``limit`` bytes."""
    encoded = _encoder.encode(_message(notice))
    if len(encoded) <= limit:
        return encoded
    return shorten(encoded, limit)


def shorten(payload: bytes, limit: int) -> bytes:
    """A smaller payload that still shows and opens the notification.

    Drops the service-worker data and the actions (the notification still navigates to the
    document, where the user can act), then trims body and title.
    """
    message = _decoder.decode(payload)
    notification = message.notification
    for member, absent in _DROPPED_FIRST.items():
        setattr(notification, member, absent)
        message.decision = None
        encoded = _encoder.encode(message)
        if len(encoded) <= limit:
            return encoded
    for body_limit in (400, 160, 60, 0):
        notification.body = _cut(notification.body, body_limit)
        notification.title = _cut(notification.title, max(body_limit, 60))
        if message.body is not None:
            message.body, message.title = notification.body, notification.title
        encoded = _encoder.encode(message)
        if len(encoded) <= limit:
            return encoded
    raise PayloadTooLargeError(f"notification cannot fit in {limit} bytes")
