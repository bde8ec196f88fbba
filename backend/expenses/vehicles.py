"""An agent's vehicle profile (fiscal horsepower, km already driven this year), synced to the
agent's phones and set by the ``vehicle_profile.set`` intent (offline too: it is queued before
the mileage lines that need it)."""

from __future__ import annotations

from typing import Annotated, Any, cast
from uuid import UUID

import msgspec
from piccolo.columns.combination import Where

from backend.expenses.rows import VehicleProfileRecord
from backend.expenses.schemas import VehicleProfileRow
from backend.expenses.tables import VehicleProfile
from kernel.actor import Actor
from sync import MutationContext, Outcome, Rejected, mutation, synced_entity

__all__ = ("ENTITY", "SetArgs", "profile_of", "set_profile")

#: The synced entity name of vehicle profiles.
ENTITY = "vehicle_profile"


class SetArgs(msgspec.Struct, forbid_unknown_fields=True):
    """``vehicle_profile.set`` v1: the caller's car; ``id`` is the caller's user id.
    ``declared_km``: professional km driven in ``year`` before (or outside) Nomade."""

    id: UUID
    fiscal_cv: Annotated[int, msgspec.Meta(ge=1, le=50)]
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    declared_km: Annotated[int, msgspec.Meta(ge=0, le=200_000)] = 0


async def _visible(actor: Actor) -> Where | None:
    """Only the owner sees (and syncs) their own profile."""
    if not actor.is_staff:
        return None
    return VehicleProfile.owner == actor.user_id


def _to_wire(row: dict[str, Any]) -> VehicleProfileRow:
    return msgspec.convert(row, VehicleProfileRow)


synced_entity(ENTITY, VehicleProfile, visible=_visible, wire=VehicleProfileRow,
              to_wire=_to_wire)


async def profile_of(owner_id: UUID) -> VehicleProfileRecord | None:
    """The owner's live vehicle profile, or None."""
    return cast(VehicleProfileRecord | None, await VehicleProfile.select().where(
        (VehicleProfile.owner == owner_id) & VehicleProfile.deleted_at.is_null()).first())


@mutation("vehicle_profile.set", 1, SetArgs)
async def set_profile(ctx: MutationContext, args: SetArgs) -> Outcome | None:
    """Create or replace the caller's own vehicle profile (agents and managers)."""
    if ctx.organisation_id is None or not ctx.actor.is_staff:
        raise Rejected("FORBIDDEN", {"reason": "not_staff"})
    if args.id != ctx.actor.user_id:
        raise Rejected("FORBIDDEN", {"reason": "not_owner"})
    if await VehicleProfile.exists().where(VehicleProfile.id == args.id):
        await ctx.update(ENTITY, args.id, {
            VehicleProfile.fiscal_cv: args.fiscal_cv, VehicleProfile.year: args.year,
            VehicleProfile.declared_km: args.declared_km})
        return None
    await ctx.insert(ENTITY, VehicleProfile(
        id=args.id, owner=args.id, organisation=ctx.organisation_id, fiscal_cv=args.fiscal_cv,
        year=args.year, declared_km=args.declared_km))
    return None
