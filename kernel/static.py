"""Serves the built phone app (pwa/dist): the shell for every client route, the service worker
at the root scope with no caching, hashed assets cached for a year. Text files go out as the
brotli or gzip copy the build wrote beside them (``pwa/scripts/precompress.mjs``) when the
client accepts it; the response then names its ``Content-Encoding`` and varies on
``Accept-Encoding``."""

from __future__ import annotations

from pathlib import Path

from litestar import Request, Response, get
from litestar.response import File
from litestar.types import ControllerRouterHandler

from kernel.errors import DomainError
from kernel.settings import Settings

__all__ = ("SKIP_COMPRESSION", "encoded_copy", "preferred_encoding", "static_handlers")

# Route option that keeps the app's on-the-fly compression away (these files come compressed).
SKIP_COMPRESSION = "skip_compression"
# Precompressed copies, best first: (Content-Encoding, file suffix).
_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))

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


def preferred_encoding(accept_encoding: str, available: tuple[str, ...]) -> str | None:
    """The first of ``available`` (best first) that ``Accept-Encoding`` accepts (q > 0, or
    ``*``), ``None`` for identity."""
    weights: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if name:
            weights[name.strip()] = weight
    for encoding in available:
        if weights.get(encoding, weights.get("*", 0.0)) > 0:
            return encoding
    return None


def encoded_copy(candidate: Path, accept_encoding: str) -> tuple[Path, dict[str, str]]:
    """The file to send for ``candidate`` and the headers that say how it is encoded. A copy
    older than its file is stale (the file was replaced after the build): not sent."""
    copies = {encoding: candidate.with_name(candidate.name + suffix)
              for encoding, suffix in _ENCODINGS}
    written = candidate.stat().st_mtime
    present = tuple(encoding for encoding, path in copies.items()
                    if path.is_file() and path.stat().st_mtime >= written)
    if not present:
        return candidate, {}
    vary = {"Vary": "Accept-Encoding"}
    encoding = preferred_encoding(accept_encoding, present)
    if encoding is None:
        return candidate, vary
    return copies[encoding], {**vary, "Content-Encoding": encoding}


def static_handlers(settings: Settings) -> list[ControllerRouterHandler]:
    """Route handlers for the built PWA (a placeholder page when it is not built)."""
    dist = settings.pwa_dist.resolve()

    def serve(path: str, accept_encoding: str) -> Response[bytes] | File:
        relative = path.lstrip("/")
        candidate = (dist / relative).resolve() if relative else dist / "index.html"
        if not candidate.is_relative_to(dist):
            raise DomainError("NOT_FOUND")
        if candidate.is_file() and candidate.suffix not in (".gz", ".br"):
            headers = _IMMUTABLE if relative.startswith("assets/") else dict(_NO_CACHE)
            if candidate.name in ("sw.js", "service-worker.js"):
                headers = {**_NO_CACHE, "Service-Worker-Allowed": "/"}
            sent, encoding = encoded_copy(candidate, accept_encoding)
            return File(
                sent,
                filename=candidate.name,
                headers={**headers, **encoding},
                media_type=_MEDIA.get(candidate.suffix, "application/octet-stream"),
                content_disposition_type="inline",
            )
        first = relative.split("/")[0]
        if first in _API_ROOTS or (Path(relative).suffix and first in ("assets", "icons", "fonts")):
            raise DomainError("NOT_FOUND")
        index = dist / "index.html"
        if index.is_file():  # client-side routes get the app shell
            sent, encoding = encoded_copy(index, accept_encoding)
            return File(
                sent,
                filename=index.name,
                headers={**_NO_CACHE, **encoding},
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
        opt={"public": True, SKIP_COMPRESSION: True},
        sync_to_thread=False,
    )
    def app_shell(request: Request, path: str = "") -> Response[bytes] | File:  # type: ignore[type-arg]
        """The phone app's files."""
        return serve(path, request.headers.get("accept-encoding", ""))

    return [app_shell]
