"""Reads ``Authorization: Bearer`` access tokens and attaches the :class:`Actor`.

A token is checked against its device on every request, so revoking a device takes effect at
once rather than when the access token expires. Requests without a token pass through as
anonymous; the route guards decide.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.accounts.tables import Device
from backend.accounts.tokens import TokenError, read_access
from backend.errors import DomainError
from backend.settings import get_settings

__all__ = ("LAST_SEEN_PRECISION", "AuthMiddleware", "device_is_active")


LAST_SEEN_PRECISION = timedelta(minutes=1)


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def device_is_active(device_id: UUID) -> bool:
    """A device counts while it is not revoked and its refresh window is open.

    Also records when the device was last seen, writing at most once a minute per device.
    """
    row = (
        await Device.select(Device.revoked_at, Device.refresh_expires_at, Device.last_seen_at)
        .where(Device.id == device_id)
        .first()
    )
    if row is None or row["revoked_at"] is not None:
        return False
    now = datetime.now(UTC)
    expires = _aware(row["refresh_expires_at"])
    if expires is None or expires <= now:
        return False
    last_seen = _aware(row["last_seen_at"])
    if last_seen is None or now - last_seen >= LAST_SEEN_PRECISION:
        await Device.update({Device.last_seen_at: now}).where(Device.id == device_id)
    return True


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
    if scope["type"] == ScopeType.HTTP and scope.get("path", "").endswith("/events"):
        query = scope.get("query_string", b"").decode("latin-1")
        for part in query.split("&"):
            key, _, found = part.partition("=")
            if key == "access_token":
                return found
    return ""
