"""Every request is logged as one JSON line carrying the caller's request id."""

from __future__ import annotations

import io
import json
import logging
import uuid

from kernel.logs import JsonFormatter


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


def test_extras_are_written_as_json_scalars_or_as_text() -> None:
    device = uuid.UUID(int=7)
    record = logging.makeLogRecord({
        "msg": "job failed", "levelname": "WARNING", "name": "nomade.jobs", "job": "ocr.read",
        "attempt": 2, "duration_ms": 1.5, "final": False, "reason": None, "device": device,
        "ids": [1, 2],
    })
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["message"], entry["level"], entry["logger"]) == (
        "job failed", "warning", "nomade.jobs")
    assert (entry["job"], entry["attempt"], entry["duration_ms"], entry["final"],
            entry["reason"]) == ("ocr.read", 2, 1.5, False, None)
    assert entry["device"] == "00000000-0000-0000-0000-000000000007"
    assert entry["ids"] == "[1, 2]"  # not a scalar: its text, as the line stays flat
