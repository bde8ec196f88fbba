"""Every request is logged as one JSON line carrying the caller's request id."""

from __future__ import annotations

import io
import json
import logging

from backend.logs import JsonFormatter


async def test_request_log_line_is_json_with_request_id(client) -> None:  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("nomade.access")
    access.addHandler(handler)
    previous = access.level
    access.setLevel(logging.INFO)
    try:
        response = await client.get("/health", headers={"X-Request-ID": "phone-42"})
    finally:
        access.removeHandler(handler)
        access.setLevel(previous)
    assert response.headers["x-request-id"] == "phone-42"
    entry = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert entry["request_id"] == "phone-42"
    assert entry["path"] == "/health"
    assert entry["status"] == 200
    assert entry["level"] == "info"
