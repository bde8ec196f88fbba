"""Who decides for whom, as the workflows ask it (a thin seam over the accounts domain).

Interim implementation until ``backend.accounts.services`` lands on main: the managers of the
person's unit (of the parent unit for a manager) and their active delegates decide; never the
person themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from backend.accounts.actor import Actor
from backend.accounts.tables import Delegation, Unit, User

__all__ = ("approvees_of", "can_approve_for")


def _utc(value: Any) -> datetime:
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def _deciders(user_id: UUID, at: datetime) -> set[UUID]:
    person = await User.select(User.unit, User.role, User.organisation).where(
        User.id == user_id).first()
    if person is None or person["unit"] is None:
        return set()
    unit_id: UUID | None = person["unit"]
    if person["role"] == "manager":
        parent = await Unit.select(Unit.parent).where(Unit.id == unit_id).first()
        unit_id = parent["parent"] if parent else None
    managers: set[UUID] = set()
    while unit_id is not None and not managers:
        rows = await User.select(User.id).where(
            (User.unit == unit_id) & (User.role == "manager") & (User.is_active == True)  # noqa: E712
        )
        managers = {r["id"] for r in rows} - {user_id}
        if not managers:
            parent = await Unit.select(Unit.parent).where(Unit.id == unit_id).first()
            unit_id = parent["parent"] if parent else None
    deciders = set(managers)
    if managers:
        delegations = await Delegation.select().where(Delegation.delegator.is_in(list(managers)))
        for d in delegations:
            if (d["revoked_at"] is None and _utc(d["starts_at"]) <= at < _utc(d["ends_at"])):
                deciders.add(d["delegate"])
    deciders.discard(user_id)
    return deciders


async def can_approve_for(actor: Actor, subject_user_id: UUID, at: datetime) -> bool:
    """Whether ``actor`` may decide on ``subject_user_id``'s requests at ``at``."""
    if actor.user_id == subject_user_id or actor.organisation_id is None:
        return False
    return actor.user_id in await _deciders(subject_user_id, at)


async def approvees_of(user_id: UUID, at: datetime) -> list[UUID]:
    """The people whose requests ``user_id`` may decide on at ``at``."""
    me = await User.select(User.organisation).where(User.id == user_id).first()
    if me is None or me["organisation"] is None:
        return []
    people = await User.select(User.id).where(User.organisation == me["organisation"])
    return [p["id"] for p in people if user_id in await _deciders(p["id"], at)]
