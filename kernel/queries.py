"""Helpers for building filtered, paged read queries (shared by the read API services)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from typing import Any

__all__ = ("all_of", "contains")


def all_of(conditions: Sequence[Any]) -> Any:
    """The conjunction of Piccolo ``where`` conditions (at least one)."""
    return reduce(lambda a, b: a & b, conditions)


def contains(column: Any, text: str) -> Any:
    """Case-insensitive "contains" (ILIKE on PostgreSQL; SQLite's LIKE already ignores the
    case of ASCII letters)."""
    pattern = "%" + text.strip().replace("%", "") + "%"
    postgres = column._meta.table._meta.db.engine_type == "postgres"
    return column.ilike(pattern) if postgres else column.like(pattern)
