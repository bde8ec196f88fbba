"""Short-lived signed access tokens (HMAC-SHA256) and opaque refresh tokens.

An access token is ``base64url(claims).base64url(signature)``; the claims name the user, the
device, the role and the expiry. Refresh tokens are random; only their SHA-256 is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from uuid import UUID

import msgspec

from kernel.actor import Actor, Role

__all__ = (
    "AccessClaims",
    "TokenError",
    "hash_refresh",
    "issue_access",
    "new_refresh",
    "read_access",
)


class TokenError(Exception):
    """The token is malformed, forged or expired (``code`` says which)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AccessClaims(msgspec.Struct, frozen=True, kw_only=True):
    """What an access token asserts."""

    sub: UUID
    dev: UUID
    role: Role
    org: UUID | None = None
    unit: UUID | None = None
    sup: UUID | None = None
    lang: str = "fr"
    exp: int
    # A session reopened by refresh on a device with a PIN: only unlock and logout accept it.
    locked: bool = False

    def actor(self) -> Actor:
        return Actor(
            user_id=self.sub,
            role=self.role,
            device_id=self.dev,
            organisation_id=self.org,
            unit_id=self.unit,
            supplier_company_id=self.sup,
            language=self.lang,
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), b"access:" + payload.encode(), hashlib.sha256).digest())


def issue_access(
    secret: str, actor: Actor, ttl_seconds: int, *, now: float | None = None, locked: bool = False
) -> str:
    """A signed access token for ``actor`` valid ``ttl_seconds`` (``locked`` until the PIN)."""
    claims = AccessClaims(
        sub=actor.user_id,
        dev=actor.device_id,
        role=actor.role,
        org=actor.organisation_id,
        unit=actor.unit_id,
        sup=actor.supplier_company_id,
        lang=actor.language,
        exp=int((now if now is not None else time.time()) + ttl_seconds),
        locked=locked,
    )
    payload = _b64(msgspec.json.encode(claims))
    return f"{payload}.{_sign(secret, payload)}"


def read_access(secret: str, token: str, *, now: float | None = None) -> AccessClaims:
    """Verify and decode an access token, or raise :class:`TokenError`."""
    payload, _, signature = token.partition(".")
    if not payload or not signature:
        raise TokenError("AUTH_REQUIRED")
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise TokenError("AUTH_REQUIRED")
    try:
        claims = msgspec.json.decode(_unb64(payload), type=AccessClaims)
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
        raise TokenError("AUTH_REQUIRED") from exc
    if claims.exp < (now if now is not None else time.time()):
        raise TokenError("TOKEN_EXPIRED")
    return claims


def new_refresh() -> str:
    """A fresh opaque refresh token."""
    return secrets.token_urlsafe(32)


def hash_refresh(token: str) -> str:
    """What is stored of a refresh token."""
    return hashlib.sha256(token.encode()).hexdigest()
