"""Values as the two database drivers hand them back, made one type.

asyncpg returns UUID objects and decoded ``jsonb``; SQLite (and raw SQL on either engine)
returns text. Every reader of a row asks these instead of guessing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

__all__ = ("as_optional_uuid", "as_uuid", "json_value")


def as_uuid(value: Any) -> UUID:
    """A UUID column's value (UUID or its text) as a :class:`UUID`."""
    return value if isinstance(value, UUID) else UUID(str(value))


def as_optional_uuid(value: Any) -> UUID | None:
    """Like :func:`as_uuid`, NULL staying ``None``."""
    return None if value is None else as_uuid(value)


def json_value(value: Any) -> Any:
    """A JSON column's value decoded (text or bytes on SQLite, already decoded on PostgreSQL);
    NULL stays ``None``."""
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value
