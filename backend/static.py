"""Serves the built phone app (pwa/dist): the shell for every client route, the service worker
at the root scope with no caching, hashed assets cached for a year."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.response import File
from litestar.types import ControllerRouterHandler

from backend.errors import DomainError
from backend.settings import Settings

__all__ = ("static_handlers",)

_NO_CACHE = {"Cache-Control": "no-cache"}
_IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}
_API_ROOTS = frozenset({"api", "sync", "auth", "integration", "schema", "health", "ready"})
_MEDIA = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain",
}


def static_handlers(settings: Settings) -> list[ControllerRouterHandler]:
    """Route handlers for the built PWA (a placeholder page when it is not built)."""
    dist = settings.pwa_dist.resolve()

    def serve(path: str) -> Response[bytes] | File:
        relative = path.lstrip("/")
        candidate = (dist / relative).resolve() if relative else dist / "index.html"
        if not candidate.is_relative_to(dist):
            raise DomainError("NOT_FOUND")
        if candidate.is_file():
            headers = _IMMUTABLE if relative.startswith("assets/") else dict(_NO_CACHE)
            if candidate.name in ("sw.js", "service-worker.js"):
                headers = {**_NO_CACHE, "Service-Worker-Allowed": "/"}
            return File(
                candidate,
                headers=headers,
                media_type=_MEDIA.get(candidate.suffix, "application/octet-stream"),
                content_disposition_type="inline",
            )
        first = relative.split("/")[0]
        if first in _API_ROOTS or (Path(relative).suffix and first in ("assets", "icons", "fonts")):
            raise DomainError("NOT_FOUND")
        index = dist / "index.html"
        if index.is_file():  # client-side routes get the app shell
            return File(
                index,
                headers=_NO_CACHE,
                media_type="text/html",
                content_disposition_type="inline",
            )
        return Response(
            b"<!doctype html><title>Nomade</title>"
            b"<p>PWA not built: run the README's first command.</p>",
            media_type="text/html",
            status_code=200,
        )

    @get(
        ["/", "/{path:path}"],
        operation_id="app_shell",
        tags=["app"],
        include_in_schema=False,
        opt={"public": True},
        sync_to_thread=False,
    )
    def app_shell(path: str = "") -> Response[bytes] | File:
        """The phone app's files."""
        return serve(path)

    return [app_shell]
