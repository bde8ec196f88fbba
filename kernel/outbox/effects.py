"""The effects a unit of work runs after its commit, each stored as an outbox row first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

__all__ = ("Effect", "JobEffect", "OutboxEntry", "PokeEffect")


@dataclass(frozen=True)
class PokeEffect:
    """The organisation's phones pull now: it is at ``version``."""

    organisation: UUID
    version: int


@dataclass(frozen=True)
class JobEffect:
    """Enqueue job ``name`` (``key``: at most once while queued) with ``kwargs`` (JSON)."""

    name: str
    key: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


Effect = PokeEffect | JobEffect


@dataclass(frozen=True)
class OutboxEntry:
    """An effect and the id of its outbox row."""

    id: UUID
    effect: Effect
