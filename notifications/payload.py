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
from dataclasses import dataclass, field
from typing import Any

import msgspec

__all__ = (
    "MAX_BODY",
    "MAX_PLAINTEXT",
    "Action",
    "Notice",
    "PayloadTooLargeError",
    "build",
    "shorten",
    "topic_for",
)

MAX_BODY = 4096
_AES128GCM_OVERHEAD = 86 + 16 + 1
MAX_PLAINTEXT = MAX_BODY - _AES128GCM_OVERHEAD  # 3993
_TOPIC_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(dict[str, Any])


class PayloadTooLargeError(ValueError):
    """Even the shortest form of the notification exceeds the push size limit."""


@dataclass(frozen=True)
class Action:
    action: str
    title: str
    navigate: str


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
    data: dict[str, Any] = field(default_factory=dict)
    require_interaction: bool = False
    # For service workers that read a flat payload (pwa/src/sw/notifications.ts): the
    # approval to decide from the notification's buttons.
    decision: dict[str, Any] | None = None


def topic_for(document_kind: str, document_id: str) -> str:
    """A push ``Topic`` for a document: ≤ 32 URL-safe base64 characters, stable per document.

    A UUID's 32 hex digits are used as they are (readable in logs); anything else is hashed.
    """
    compact = document_id.replace("-", "")
    if _TOPIC_SAFE.match(compact) and len(compact) == 32:
        return compact
    digest = hashlib.sha256(f"{document_kind}:{document_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def _as_dict(notice: Notice) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "title": notice.title,
        "body": notice.body,
        "navigate": notice.navigate,
        "lang": notice.lang,
        "dir": "ltr",
        "tag": notice.tag,
        "badge": "/icons/badge-96.png",
        "icon": "/icons/icon-192.png",
    }
    if notice.require_interaction:
        notification["require_interaction"] = True
    if notice.actions:
        notification["actions"] = [
            {"action": a.action, "title": a.title, "navigate": a.navigate} for a in notice.actions
        ]
    if notice.data:
        notification["data"] = notice.data
    message: dict[str, Any] = {"web_push": 8030, "notification": notification, "mutable": True}
    if notice.badge_count is not None:
        message["app_badge"] = notice.badge_count
    # Flat copy for the app's own service worker (declarative browsers ignore these members).
    message.update({"title": notice.title, "body": notice.body, "url": notice.navigate,
                    "tag": notice.tag})
    if notice.decision:
        message["decision"] = notice.decision
    return message


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def build(notice: Notice, limit: int = MAX_PLAINTEXT) -> bytes:
    """The JSON bytes of ``notice``, trimmed (body first, then data) to fit ``limit`` bytes."""
    encoded = _encoder.encode(_as_dict(notice))
    if len(encoded) <= limit:
        return encoded
    return shorten(encoded, limit)


def shorten(payload: bytes, limit: int) -> bytes:
    """A smaller payload that still shows and opens the notification.

    Drops the service-worker data and the actions (the notification still navigates to the
    document, where the user can act), then trims body and title.
    """
    message = _decoder.decode(payload)
    notification = message["notification"]
    for key in ("data", "actions", "icon", "badge", "require_interaction"):
        notification.pop(key, None)
        message.pop("decision", None)
        encoded = _encoder.encode(message)
        if len(encoded) <= limit:
            return encoded
    for body_limit in (400, 160, 60, 0):
        notification["body"] = _cut(str(notification.get("body", "")), body_limit)
        notification["title"] = _cut(str(notification.get("title", "")), max(body_limit, 60))
        if "body" in message:
            message["body"], message["title"] = notification["body"], notification["title"]
        encoded = _encoder.encode(message)
        if len(encoded) <= limit:
            return encoded
    raise PayloadTooLargeError(f"notification cannot fit in {limit} bytes")
