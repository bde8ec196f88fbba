"""Who decides for whom, as the workflows ask it: a thin seam over the accounts domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from backend.accounts.services import approvees_of, can_approve_for, units_managed_by

__all__ = ("Approvees", "approvees_of", "can_approve_for", "deciding_for", "units_managed_by")


@dataclass(frozen=True)
class Approvees:
    """The people whose requests (of one kind) a manager decides at some time: ``own``, at
    escalation level 0; ``escalated``, only once their request escalated (its deadline passed
    one level below: ``escalation_level`` >= 1)."""

    own: list[UUID]
    escalated: list[UUID]


async def deciding_for(user_id: UUID, at: datetime, kind: str) -> Approvees:
    """What a manager's visibility of missions and claims rests on (the same for both)."""
    return Approvees(own=await approvees_of(user_id, at, kind=kind),
                     escalated=await approvees_of(user_id, at, level=1, kind=kind))
