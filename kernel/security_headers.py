"""Security headers on every answer (a ``before_send`` hook of the app).

The app shell and the API share one policy: scripts, styles, workers, the manifest and
connections only from this origin (the PWA's Vite build has no inline script); images also
from ``data:`` and ``blob:`` (receipt photos kept on the phone); styles also inline (style
attributes set by Preact); never framed. The interactive API docs, when enabled, load their
viewer from jsDelivr: their pages get a policy that allows it.
"""

from __future__ import annotations

from litestar.types import Message, Scope

__all__ = ("APP_POLICY", "DOCS_POLICY", "add_security_headers")

APP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_CDN}; "
    f"style-src 'self' 'unsafe-inline' {_CDN} https://fonts.googleapis.com; "
    f"img-src 'self' data: {_CDN}; font-src 'self' data: {_CDN} https://fonts.gstatic.com; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
_COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy",
     b"camera=(self), geolocation=(), microphone=(), payment=(), usb=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Add the headers to a response's start (those the handler set itself are kept)."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    docs = str(scope.get("path", "")).startswith("/schema")
    policy = DOCS_POLICY if docs else APP_POLICY
    for name, value in (*_COMMON, (b"content-security-policy", policy.encode())):
        if name not in present:
            headers.append((name, value))
    message["headers"] = headers
