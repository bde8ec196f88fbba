"""Helpers for building filtered, paged read queries (shared by the read API services)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from typing import Any

__all__ = ("all_of",)


def all_of(conditions: Sequence[Any]) -> Any:
    """The conjunction of Piccolo ``where`` conditions (at least one)."""
    return reduce(lambda a, b: a & b, conditions)
