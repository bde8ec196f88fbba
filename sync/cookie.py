"""The pull cookie: opaque to clients, a small versioned JSON document to the server.

It holds the server epoch, the wire schema version the rows were sent in, per organisation
the version fully received (``v``) and the paging positions of unfinished entities (``p``),
the fingerprint of each entity's visibility clause (``h``), the last seq whose ack the client
received (``a``) .
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import msgspec

__all__ = ("Cookie", "OrgCursor", "decode_cookie", "encode_cookie")


class OrgCursor(msgspec.Struct, omit_defaults=True):
    """``v``: every visible row with sync_version <= v was sent; ``p``: entity → [sv, id] page
    position (rows after it not yet sent) for entities still paging."""

    v: int = 0
    p: dict[str, list[Any]] = msgspec.field(default_factory=dict)


class Cookie(msgspec.Struct, omit_defaults=True):
    """The decoded cookie (``k`` is its format version)."""

    e: str
    s: int
    o: dict[str, OrgCursor] = msgspec.field(default_factory=dict)
    h: dict[str, str] = msgspec.field(default_factory=dict)
    a: int = 0
    k: int = 1


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Cookie)


def encode_cookie(cookie: Cookie) -> str:
    """URL-safe base64 of the JSON, without padding."""
    return base64.urlsafe_b64encode(_ENCODER.encode(cookie)).rstrip(b"=").decode()


def decode_cookie(text: str) -> Cookie | None:
    """The cookie, or ``None`` when it is not one of ours (the caller answers COOKIE_INVALID)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        cookie = _DECODER.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        return None
    return cookie if cookie.k == 1 else None
