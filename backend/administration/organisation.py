"""The admin's organisation (its kind sets the legal payment deadline) and its unit tree."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID, uuid4

from backend.accounts.services import forget_organisation_reads
from backend.accounts.tables import Organisation, Unit, User
from backend.administration.common import audit, organisation_of
from backend.administration.rows import OrganisationRecord, UnitRecord
from backend.administration.schemas import (
    ManagerOut,
    OrganisationOut,
    OrganisationPatch,
    UnitIn,
    UnitOut,
    UnitPatch,
)
from backend.administration.tree import cycle_in
from backend.invoices.statuses import PAYMENT_DAYS
from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.unit_of_work import UnitOfWork

__all__ = ("ORGANISATION_KINDS", "create_unit", "get_organisation", "list_units",
           "organisation_out",
           "update_organisation", "update_unit")

# The kinds are those the payment deadline knows (Code de la commande publique R.2192-10/11).
ORGANISATION_KINDS: tuple[str, ...] = tuple(PAYMENT_DAYS)


def organisation_out(row: OrganisationRecord) -> OrganisationOut:
    return OrganisationOut(id=row["id"], name=row["name"], siret=row["siret"],
                           code_service=row["code_service"], kind=row["kind"],
                           payment_days=PAYMENT_DAYS.get(row["kind"], 30))


async def get_organisation(*, actor: Actor) -> OrganisationOut:
    row = await Organisation.select().where(Organisation.id == organisation_of(actor)).first()
    if row is None:
        raise DomainError("NOT_FOUND")
    return organisation_out(cast(OrganisationRecord, row))


async def update_organisation(*, actor: Actor, patch: OrganisationPatch) -> OrganisationOut:
    """Rename, change the code service or the kind (the deadline of invoices received from now
    follows the new kind)."""
    organisation_id = organisation_of(actor)
    if patch.kind is not None and patch.kind not in ORGANISATION_KINDS:
        raise DomainError("ORGANISATION_KIND_INVALID", {"kind": patch.kind})
    values: dict[Any, Any] = {}
    if patch.name is not None:
        values[Organisation.name] = patch.name
    if patch.code_service is not None:
        values[Organisation.code_service] = patch.code_service
    if patch.kind is not None:
        values[Organisation.kind] = patch.kind
    if values:
        async with UnitOfWork():
            await Organisation.update(values).where(Organisation.id == organisation_id)
            await audit(actor, "organisation", organisation_id, "organisation.updated",
                        {column._meta.name: value for column, value in values.items()})
    return await get_organisation(actor=actor)


async def list_units(*, actor: Actor) -> list[UnitOut]:
    """The unit tree (parents before children, then by name) with each unit's managers."""
    organisation_id = organisation_of(actor)
    units = cast(list[UnitRecord], await Unit.select(
        Unit.id, Unit.name, Unit.code_service, Unit.parent).where(
        Unit.organisation == organisation_id).order_by(Unit.name))
    managers = await User.select(User.id, User.full_name, User.unit).where(
        (User.organisation == organisation_id) & (User.role == "manager")
        & (User.is_active == True)  # noqa: E712
    ).order_by(User.full_name)
    by_unit: dict[UUID, list[ManagerOut]] = {}
    for manager in managers:
        if manager["unit"] is not None:
            by_unit.setdefault(manager["unit"], []).append(
                ManagerOut(id=manager["id"], full_name=manager["full_name"]))
    children: dict[UUID | None, list[UnitRecord]] = {}
    for unit in units:
        children.setdefault(unit["parent"], []).append(unit)
    ordered: list[UnitOut] = []
    pending = list(reversed(children.get(None, [])))
    while pending:
        unit = pending.pop()
        ordered.append(UnitOut(id=unit["id"], name=unit["name"], code_service=unit["code_service"],
                               parent_id=unit["parent"], managers=by_unit.get(unit["id"], [])))
        pending.extend(reversed(children.get(unit["id"], [])))
    return ordered


async def _parents(organisation_id: UUID) -> dict[UUID, UUID | None]:
    rows = await Unit.select(Unit.id, Unit.parent).where(Unit.organisation == organisation_id)
    return {row["id"]: row["parent"] for row in rows}


async def _check_code_free(organisation_id: UUID, code: str, unit_id: UUID | None) -> None:
    if not code:
        return
    query = (Unit.organisation == organisation_id) & (Unit.code_service == code)
    if unit_id is not None:
        query &= Unit.id != unit_id
    if await Unit.exists().where(query):
        raise DomainError("UNIT_CODE_TAKEN", {"code_service": code})


async def create_unit(*, actor: Actor, data: UnitIn) -> UnitOut:
    """A unit, under ``parent_id`` when given (UNIT_UNKNOWN if it is not of the organisation)."""
    organisation_id = organisation_of(actor)
    unit_id = uuid4()
    async with UnitOfWork():
        parents = await _parents(organisation_id)
        if data.parent_id is not None and data.parent_id not in parents:
            raise DomainError("UNIT_UNKNOWN", {"unit_id": str(data.parent_id)})
        await _check_code_free(organisation_id, data.code_service, None)
        await Unit.insert(Unit(id=unit_id, organisation=organisation_id, name=data.name,
                               code_service=data.code_service, parent=data.parent_id))
        await audit(actor, "unit", unit_id, "unit.created",
                    {"name": data.name, "parent_id": data.parent_id})
    forget_organisation_reads()
    return next(unit for unit in await list_units(actor=actor) if unit.id == unit_id)


async def update_unit(*, actor: Actor, unit_id: UUID, patch: UnitPatch) -> UnitOut:
    """Rename a unit or move it in the tree; a move that puts it under itself is refused
    (UNIT_TREE_CYCLE) and nothing changes."""
    organisation_id = organisation_of(actor)
    async with UnitOfWork():
        parents = await _parents(organisation_id)
        if unit_id not in parents:
            raise DomainError("NOT_FOUND")
        values: dict[Any, Any] = {}
        if patch.make_root or patch.parent_id is not None:
            parent = None if patch.make_root else patch.parent_id
            if parent is not None and parent not in parents:
                raise DomainError("UNIT_UNKNOWN", {"unit_id": str(parent)})
            cycle = cycle_in({**parents, unit_id: parent})
            if cycle:
                raise DomainError("UNIT_TREE_CYCLE", {"units": [str(u) for u in cycle]})
            values[Unit.parent] = parent
        if patch.name is not None:
            values[Unit.name] = patch.name
        if patch.code_service is not None:
            await _check_code_free(organisation_id, patch.code_service, unit_id)
            values[Unit.code_service] = patch.code_service
        if values:
            await Unit.update(values).where(Unit.id == unit_id)
            await audit(actor, "unit", unit_id, "unit.updated",
                        {column._meta.name: value for column, value in values.items()})
    forget_organisation_reads()
    return next(unit for unit in await list_units(actor=actor) if unit.id == unit_id)
