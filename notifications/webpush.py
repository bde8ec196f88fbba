"""Web Push message encryption (RFC 8291, aes128gcm) and VAPID tokens (RFC 8292). Pure, no I/O.

Encryption uses the ``http_ece`` package with a fresh ephemeral P-256 key per message. VAPID
tokens are ES256 JWTs built here (not with ``pywebpush.webpush()``, which mutates the claims
dict it is given); one token per push-service origin is reused until an hour before it expires.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import TypedDict
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

__all__ = (
    "InvalidSubscriptionKeysError",
    "VapidSigner",
    "audience_of",
    "b64url_decode",
    "b64url_encode",
    "check_subscription_keys",
    "encrypt",
    "public_key_b64",
)

TOKEN_LIFETIME = 12 * 3600  # RFC 8292 caps exp at 24 h; 12 h leaves room for clock skew
TOKEN_REFRESH_MARGIN = 3600


class InvalidSubscriptionKeysError(ValueError):
    """The browser's p256dh or auth value is not a usable key."""


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_subscription_keys(p256dh: str, auth: str) -> tuple[bytes, bytes]:
    """Decode and validate a subscription's keys: a P-256 point and a 16-byte secret."""
    try:
        point, secret = b64url_decode(p256dh), b64url_decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, TypeError) as exc:
        raise InvalidSubscriptionKeysError(str(exc)) from exc
    if len(point) != 65 or len(secret) != 16:
        raise InvalidSubscriptionKeysError("p256dh must be 65 bytes and auth 16 bytes")
    return point, secret


def encrypt(plaintext: bytes, p256dh: bytes, auth: bytes) -> bytes:
    """The aes128gcm body of one push message for the browser key ``p256dh``/``auth``."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    body: bytes = http_ece.encrypt(
        plaintext,
        salt=os.urandom(16),
        private_key=ephemeral,
        dh=p256dh,
        auth_secret=auth,
        version="aes128gcm",
    )
    return body


def audience_of(endpoint: str) -> str:
    """The VAPID ``aud`` of an endpoint: its origin, ``scheme://host[:port]``."""
    parts = urlsplit(endpoint)
    if not parts.scheme or not parts.hostname:
        raise ValueError(f"not an absolute URL: {endpoint!r}")
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def public_key_b64(private_key: ec.EllipticCurvePrivateKey) -> str:
    """The application server key as the browser wants it (uncompressed point, base64url)."""
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(raw)


class _Claims(TypedDict):
    """The claims of a VAPID token (RFC 8292): push service origin, expiry, contact."""

    aud: str
    exp: int
    sub: str


@dataclass(frozen=True)
class _Token:
    header: str
    expires_at: float


class VapidSigner:
    """Signs and caches VAPID ``Authorization`` headers, one per push-service origin."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey, subject: str) -> None:
        if not subject.startswith(("mailto:", "https:")):
            raise ValueError("the VAPID subject must be a mailto: or https: URI")
        self._key = private_key
        self.subject = subject
        self.public_key = public_key_b64(private_key)
        self._cache: dict[str, _Token] = {}
        self._lock = threading.Lock()
        self.signatures = 0

    def authorization(self, endpoint: str, now: float | None = None) -> str:
        """``vapid t=<jwt>, k=<public key>`` for ``endpoint``'s push service."""
        now = time.time() if now is None else now
        audience = audience_of(endpoint)
        with self._lock:
            cached = self._cache.get(audience)
            if cached is not None and cached.expires_at - TOKEN_REFRESH_MARGIN > now:
                return cached.header
            expires = int(now) + TOKEN_LIFETIME
            token = self._sign({"aud": audience, "exp": expires, "sub": self.subject})
            header = f"vapid t={token}, k={self.public_key}"
            self._cache[audience] = _Token(header, expires)
            self.signatures += 1
            return header

    def _sign(self, claims: _Claims) -> str:
        header = b64url_encode(
            json.dumps({"typ": "JWT", "alg": "ES256"}, separators=(",", ":")).encode()
        )
        body = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{body}".encode("ascii")
        der = self._key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return f"{header}.{body}.{b64url_encode(signature)}"
