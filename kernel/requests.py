"""Request bodies that cannot be read are the client's fault: 400, never 500.

msgspec raises ``UnicodeDecodeError`` on invalid UTF-8 and ``RecursionError`` on deeply nested
JSON, which Litestar's decoder lets through as server errors. :class:`NomadeRequest` (the app's
request class) and :func:`decode_json_body` (the sync routes' own decoding) answer both, and
msgspec's own decode errors, with ``BAD_REQUEST``. A NUL character (which PostgreSQL cannot
store) is refused in sync intents by :func:`find_nul`; elsewhere the app's error handler
answers PostgreSQL's refusal with ``VALIDATION_FAILED``.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import SerializationException

from kernel.errors import DomainError

__all__ = ("NomadeRequest", "decode_json_body", "find_nul", "nul_refusal", "unreadable_body")

T = TypeVar("T")
UNREADABLE = (UnicodeDecodeError, RecursionError, msgspec.DecodeError, SerializationException)


def unreadable_body(exc: BaseException) -> DomainError:
    """The coded refusal of a body that is not valid UTF-8 JSON of reasonable depth."""
    reason = "invalid UTF-8" if isinstance(exc, UnicodeDecodeError) else (
        "JSON nested too deep" if isinstance(exc, RecursionError) else "invalid JSON")
    return DomainError("BAD_REQUEST", {"detail": reason})


def find_nul(value: Any, path: str = "$") -> str | None:
    """Where ``value`` (decoded JSON) holds a NUL character, key or text, if anywhere.

    PostgreSQL cannot store NUL in text: such input is refused up front, on every engine."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                return path
            found = find_nul(item, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = find_nul(item, f"{path}[{index}]")
            if found:
                return found
    return None


def nul_refusal(path: str) -> dict[str, str]:
    """The details of a VALIDATION_FAILED for a NUL character at ``path``."""
    return {"detail": "NUL characters are not allowed in text", "field": path}


def decode_json_body(body: bytes, kind: type[T]) -> T:
    """``body`` decoded as ``kind``; VALIDATION_FAILED or BAD_REQUEST when it cannot be."""
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        raise DomainError("VALIDATION_FAILED", {"detail": str(exc)}) from exc
    except UNREADABLE as exc:
        raise unreadable_body(exc) from exc


class NomadeRequest(Request[Any, Any, State]):
    """Litestar's request, whose JSON body refuses unreadable input with a coded 400."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except UNREADABLE as exc:
            raise unreadable_body(exc) from exc
