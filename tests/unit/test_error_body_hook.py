"""The schemathesis check used by the API fuzz test tells a documented error body from others."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from tests.fuzz.error_body_hook import error_body_is_documented_shape as check


def _response(status: int, body: object) -> SimpleNamespace:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return SimpleNamespace(status_code=status, content=raw)


def test_documented_error_bodies_pass() -> None:
    good = {"code": "NOT_FOUND", "message": {"fr": "Introuvable.", "en": "Not found."},
            "details": {}}
    check(None, _response(404, good), None)
    check(None, _response(200, {"anything": 1}), None)
    check(None, _response(304, b""), None)


@pytest.mark.parametrize("body", [
    b"<html>500</html>",
    {"status_code": 400, "detail": "Bad Request"},  # Litestar's own shape
    {"code": "not a code", "message": {"fr": "x", "en": "y"}, "details": {}},
    {"code": "BAD", "message": {"fr": "x"}, "details": {}},
    {"code": "BAD", "message": {"fr": "x", "en": "y"}, "details": []},
])
def test_other_error_bodies_fail(body: object) -> None:
    with pytest.raises(AssertionError):
        check(None, _response(400, body), None)
