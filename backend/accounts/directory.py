"""Reads of the accounts tables for the other domains: organisations, supplier companies, units
and people, by id or SIRET.

The accounts tables belong to accounts (import contract "a domain never reads another domain's
tables", pyproject.toml): invoices, orders and notifications ask these functions instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from backend.accounts.tables import Organisation, SupplierCompany, Unit, User

__all__ = (
    "active_languages",
    "active_users_of_company",
    "full_names",
    "organisation_by_siret",
    "organisation_kinds",
    "organisation_name_and_kind",
    "supplier_by_id",
    "supplier_by_siret",
    "unit_belongs_to",
)


async def organisation_name_and_kind(organisation_id: UUID) -> tuple[str, str] | None:
    """The organisation's name and kind (``state``, ``company``…), or None if unknown."""
    row = await Organisation.select(Organisation.name, Organisation.kind).where(
        Organisation.id == organisation_id).first()
    return None if row is None else (row["name"], row["kind"])


async def organisation_kinds(organisation_ids: Iterable[UUID]) -> dict[UUID, str]:
    """The kind of each known organisation among ``organisation_ids``."""
    ids = list(dict.fromkeys(organisation_ids))
    if not ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.kind).where(
        Organisation.id.is_in(ids))
    return {r["id"]: r["kind"] for r in rows}


async def organisation_by_siret(siret: str) -> UUID | None:
    """The id of the organisation registered under ``siret`` (exact match), if any."""
    row = await Organisation.select(Organisation.id).where(Organisation.siret == siret).first()
    return None if row is None else UUID(str(row["id"]))


async def supplier_by_siret(siret: str) -> tuple[UUID, str] | None:
    """The supplier company (id, name) registered under ``siret`` (exact match), if any."""
    row = await SupplierCompany.select(SupplierCompany.id, SupplierCompany.name).where(
        SupplierCompany.siret == siret).first()
    return None if row is None else (UUID(str(row["id"])), row["name"])


async def supplier_by_id(company_id: UUID) -> str | None:
    """The name of the supplier company ``company_id``, or None if unknown."""
    row = await SupplierCompany.select(SupplierCompany.name).where(
        SupplierCompany.id == company_id).first()
    return None if row is None else str(row["name"])


async def unit_belongs_to(unit_id: UUID, organisation_id: UUID) -> bool:
    """Whether ``unit_id`` is a unit of ``organisation_id``."""
    return bool(await Unit.exists().where(
        (Unit.id == unit_id) & (Unit.organisation == organisation_id)))


async def active_languages(user_ids: Iterable[UUID]) -> dict[UUID, str]:
    """The language of each active user among ``user_ids`` (``fr`` when unset)."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    rows = await User.select(User.id, User.language).where(
        User.id.is_in(ids) & (User.is_active == True)  # noqa: E712 - Piccolo expression
    )
    return {UUID(str(r["id"])): r["language"] or "fr" for r in rows}


async def full_names(user_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Display names of people, by id (unknown ids are left out)."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    rows = await User.select(User.id, User.full_name).where(User.id.is_in(ids))
    return {UUID(str(r["id"])): r["full_name"] for r in rows}


async def active_users_of_company(company_id: UUID) -> list[UUID]:
    """The active users of a supplier company (fournisseur)."""
    rows = await User.select(User.id).where(
        (User.supplier_company == company_id) & (User.is_active == True)  # noqa: E712
    )
    return [UUID(str(r["id"])) for r in rows]
