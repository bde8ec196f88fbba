"""Reads ``Authorization: Bearer`` access tokens and attaches the :class:`Actor`.

A token is checked against its device on every request, so revoking a device takes effect at
once rather than when the access token expires. Requests without a token pass through as
anonymous; the route guards decide.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from litestar.types import ASGIApp, Receive, Scope, Send

from backend.accounts.tables import Device
from backend.accounts.tokens import TokenError, read_access
from backend.errors import DomainError
from backend.settings import get_settings

__all__ = ("AuthMiddleware", "device_is_active")


async def device_is_active(device_id: UUID) -> bool:
    """A device counts while it is not revoked and its refresh window is open."""
    row = (
        await Device.select(Device.revoked_at, Device.refresh_expires_at)
        .where(Device.id == device_id)
        .first()
    )
    if row is None or row["revoked_at"] is not None:
        return False
    expires = row["refresh_expires_at"]
    if isinstance(expires, datetime) and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return bool(expires > datetime.now(UTC))


class AuthMiddleware:
    """Sets ``scope["user"]`` to the actor named by a valid bearer token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["user"] = None
            token = _bearer(scope)
            if token:
                try:
                    claims = read_access(get_settings().secret_key, token)
                except TokenError as exc:
                    raise DomainError(exc.code) from exc
                if not await device_is_active(claims.dev):
                    raise DomainError("TOKEN_EXPIRED", {"reason": "device_revoked"})
                scope["user"] = claims.actor()
        await self.app(scope, receive, send)


def _bearer(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    # EventSource cannot send headers: the SSE endpoint accepts ?access_token=.
    path: str = scope.get("path", "")
    if path.endswith("/events"):
        query: bytes = scope.get("query_string", b"")
        for part in query.decode("latin-1").split("&"):
            key, _, token_value = part.partition("=")
            if key == "access_token":
                return token_value
    return ""
