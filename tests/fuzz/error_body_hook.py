"""Schemathesis hook (SCHEMATHESIS_HOOKS=tests.fuzz.error_body_hook): every error answer of
the API has the documented body, ``kernel.errors.ErrorBody``: a stable code, a French and an
English message, and details."""

from __future__ import annotations

import json
import re
from typing import Any

import schemathesis

_CODE = re.compile(r"^[A-Z][A-Z0-9_]+$")


@schemathesis.check
def error_body_is_documented_shape(ctx: Any, response: Any, case: Any) -> None:
    """A 4xx/5xx with a body carries ``{code, message: {fr, en}, details}``."""
    if response.status_code < 400 or not response.content:
        return
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"error answer is not JSON: {response.content[:200]!r}") from exc
    if not isinstance(body, dict) or set(body) != {"code", "message", "details"}:
        raise AssertionError(f"error body is not ErrorBody: {str(body)[:300]}")
    message = body["message"]
    if not (isinstance(body["code"], str) and _CODE.match(body["code"])
            and isinstance(message, dict) and set(message) == {"fr", "en"}
            and all(isinstance(text, str) and text for text in message.values())
            and isinstance(body["details"], dict)):
        raise AssertionError(f"error body is not ErrorBody: {str(body)[:300]}")
