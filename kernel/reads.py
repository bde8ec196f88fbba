"""Reads done once per request: what a request has already read, remembered until it ends.

A manager's pull asks for the approvees or managed units once per kind of record, and they come
from the same organisation chart. The auth middleware opens a scope for every request; a
read-only block outside a request (a pull computing the visibility of every synced entity)
opens its own. Outside a scope (jobs, CLI) nothing is remembered. The platform holds the scope;
accounts decides what is remembered in it (``backend.accounts.services``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

__all__ = ("READ_IN_SCOPE", "reading_once")

# (kind, key) -> what was read, while a scope is open; None outside one.
READ_IN_SCOPE: ContextVar[dict[tuple[str, UUID], Any] | None] = ContextVar(
    "nomade_read_in_request", default=None)


@contextmanager
def reading_once() -> Iterator[None]:
    """Within it, the reads that go through :data:`READ_IN_SCOPE` are done once. Inside an open
    scope, a nested one shares it."""
    if READ_IN_SCOPE.get() is not None:
        yield
        return
    token = READ_IN_SCOPE.set({})
    try:
        yield
    finally:
        READ_IN_SCOPE.reset(token)
