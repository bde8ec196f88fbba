"""Structured JSON logs carrying the request id of the request being served."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
import uuid
from typing import TypeAlias

from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = (
    "JsonFormatter",
    "RequestIdMiddleware",
    "configure_logging",
    "current_request_id",
    "ensure_request_id",
)

#: A value of a log line: what callers pass in ``extra`` are JSON scalars (ids as text, counts,
#: durations…); anything else is written as its ``str()``.
LogValue: TypeAlias = str | int | float | bool | None

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request this task serves, or ``-`` outside a request."""
    return _request_id.get()


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id and extras."""

    _reserved = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, LogValue] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
        }
        for key, value in vars(record).items():
            if key not in self._reserved and not key.startswith("_"):
                entry[key] = value if isinstance(value, LogValue) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", *, as_json: bool = True) -> None:
    """Route the root logger to stdout, as JSON lines unless told otherwise."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter() if as_json else logging.Formatter("%(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class RequestIdMiddleware:
    """Takes ``X-Request-ID`` from the caller (or makes one), logs the request, echoes the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("nomade.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # type: ignore[comparison-overlap]
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            _request_id.reset(token)


async def ensure_request_id(message: Message, scope: Scope) -> None:
    """``before_send`` hook: answers the router gives itself (e.g. 404 for an unknown path
    under a prefix that has routes) bypass the middleware; they still carry a request id."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    if any(name.lower() == b"x-request-id" for name, _ in headers):
        return
    incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
    request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
    headers.append((b"x-request-id", request_id.encode("latin-1")))
    message["headers"] = headers
