"""Reads ``Authorization: Bearer`` access tokens and attaches the :class:`Actor`.

A token is checked against its device and its user on every request
(:mod:`backend.accounts.device_check`: a revoked device or a deactivated user is refused at
once, or within ``device_check_seconds`` when revoked or deactivated by hand in
the database), rather than when the access token expires. Requests without a token pass
through as anonymous; the route guards decide. A *locked* token (a refresh on a device with a
PIN) is refused with SESSION_LOCKED everywhere except :data:`LOCKED_ALLOWED` (unlock, logout,
the other sign-in routes and health). Each request also opens the scope in which
organisation reads are done once (:func:`kernel.reads.reading_once`).
"""

from __future__ import annotations

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.accounts.device_check import LAST_SEEN_PRECISION, device_is_active
from backend.accounts.tokens import TokenError, read_access
from kernel.errors import CATALOGUE, error_body
from kernel.reads import reading_once
from kernel.settings import get_settings

__all__ = ("LAST_SEEN_PRECISION", "LOCKED_ALLOWED", "AuthMiddleware", "device_is_active")

# What a locked session may still call: reopen itself, sign out, sign in anew, ask for health.
LOCKED_ALLOWED = frozenset({
    "/api/v1/auth/unlock", "/api/v1/auth/logout", "/api/v1/auth/login", "/api/v1/auth/refresh",
    "/health", "/ready",
})


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
                    await _refuse(send, exc.code, {})
                    return
                if not await device_is_active(claims.dev):
                    await _refuse(send, "TOKEN_EXPIRED", {"reason": "device_revoked"})
                    return
                if claims.locked and scope.get("path", "").rstrip("/") not in LOCKED_ALLOWED:
                    await _refuse(send, "SESSION_LOCKED", {})
                    return
                scope["user"] = claims.actor()
        with reading_once():
            await self.app(scope, receive, send)


async def _refuse(send: Send, code: str, details: dict[str, str]) -> None:
    """Answer a rejected token here, as the coded 401 it is: raised, it would cross the
    logging and metrics middleware as an exception and be counted as a 500."""
    body = msgspec.json.encode(error_body(code, details))
    await send({"type": "http.response.start", "status": CATALOGUE[code].status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"www-authenticate", b'Bearer error="invalid_token"')]})
    await send({"type": "http.response.body", "body": body, "more_body": False})


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
