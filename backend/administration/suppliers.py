"""Supplier companies (SIRET checked: Luhn, La Poste's exception), their users, and supplier
self-registration: a supplier asks for an account with its SIRET, an admin approves or refuses.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from backend.accounts import services
from backend.accounts.actor import Actor
from backend.accounts.passwords import hash_secret
from backend.accounts.siret import is_valid_siret, normalise_siret
from backend.accounts.tables import SupplierCompany, User
from backend.administration.common import audit, organisation_of
from backend.administration.people import MIN_PASSWORD_LENGTH, NO_PASSWORD
from backend.administration.schemas import (
    PersonOut,
    RegistrationIn,
    RegistrationOut,
    SupplierCompanyIn,
    SupplierCompanyOut,
    SupplierUserIn,
)
from backend.administration.tables import SupplierRegistration
from backend.errors import DomainError
from sync.storage import write_transaction

__all__ = (
    "approve_registration",
    "create_supplier_company",
    "create_supplier_user",
    "list_registrations",
    "list_supplier_companies",
    "refuse_registration",
    "request_registration",
)


def checked_siret(raw: str) -> str:
    """``raw`` without separators, or SIRET_INVALID."""
    siret = normalise_siret(raw)
    if not is_valid_siret(siret):
        raise DomainError("SIRET_INVALID", {"siret": raw})
    return siret


async def list_supplier_companies(*, actor: Actor) -> list[SupplierCompanyOut]:
    organisation_of(actor)
    rows = await SupplierCompany.select().order_by(SupplierCompany.name)
    return [SupplierCompanyOut(id=r["id"], name=r["name"], siret=r["siret"]) for r in rows]


async def create_supplier_company(*, actor: Actor, data: SupplierCompanyIn) -> SupplierCompanyOut:
    """A company that invoices; SIRET_INVALID, SIRET_TAKEN."""
    organisation_of(actor)
    siret = checked_siret(data.siret)
    company_id = uuid4()
    async with write_transaction():
        if await SupplierCompany.exists().where(SupplierCompany.siret == siret):
            raise DomainError("SIRET_TAKEN", {"siret": siret})
        await SupplierCompany.insert(SupplierCompany(id=company_id, name=data.name, siret=siret))
        await audit(actor, "supplier_company", company_id, "supplier_company.created",
                    {"siret": siret})
    return SupplierCompanyOut(id=company_id, name=data.name, siret=siret)


async def create_supplier_user(*, actor: Actor, company_id: UUID,
                               data: SupplierUserIn) -> PersonOut:
    """A user of a supplier company (no password yet: invite them)."""
    organisation_of(actor)
    async with write_transaction():
        if not await SupplierCompany.exists().where(SupplierCompany.id == company_id):
            raise DomainError("NOT_FOUND")
        user_id = await services.create_user(
            email=data.email, full_name=data.full_name, role="supplier",
            password_hash=NO_PASSWORD, supplier_company_id=company_id, language=data.language)
        await audit(actor, "user", user_id, "supplier_user.created",
                    {"supplier_company_id": company_id})
    return PersonOut(id=user_id, email=services.normalise_email(data.email),
                     full_name=data.full_name, role="supplier", unit_id=None,
                     language=data.language, is_active=True, supplier_company_id=company_id)


async def _out(row: dict[str, Any]) -> RegistrationOut:
    known = await SupplierCompany.exists().where(SupplierCompany.siret == row["siret"])
    return RegistrationOut(
        id=row["id"], siret=row["siret"], company_name=row["company_name"], email=row["email"],
        full_name=row["full_name"], status=row["status"],
        created_at=services.as_utc(row["created_at"]), company_known=bool(known),
        user_id=row["user"], supplier_company_id=row["supplier_company"])


async def request_registration(*, data: RegistrationIn) -> RegistrationOut:
    """A supplier asks for an account (public). SIRET_INVALID, EMAIL_TAKEN (an account or a
    pending request already uses the address), PASSWORD_TOO_SHORT."""
    siret = checked_siret(data.siret)
    email = services.normalise_email(data.email)
    if not services.is_email(email):
        raise DomainError("EMAIL_INVALID", {"email": email})
    if len(data.password) < MIN_PASSWORD_LENGTH:
        raise DomainError("PASSWORD_TOO_SHORT")
    stored = await asyncio.to_thread(hash_secret, data.password)
    registration_id = uuid4()
    async with write_transaction():
        if await User.exists().where(User.email == email) or \
                await SupplierRegistration.exists().where(
                    (SupplierRegistration.email == email)
                    & (SupplierRegistration.status == "pending")):
            raise DomainError("EMAIL_TAKEN", {"email": email})
        await SupplierRegistration.insert(SupplierRegistration(
            id=registration_id, siret=siret, company_name=data.company_name, email=email,
            full_name=data.full_name, language=data.language, password_hash=stored))
    row = await SupplierRegistration.select().where(
        SupplierRegistration.id == registration_id).first()
    assert row is not None
    return await _out(row)


async def list_registrations(*, actor: Actor, status: str = "pending") -> list[RegistrationOut]:
    organisation_of(actor)
    rows = await SupplierRegistration.select().where(
        SupplierRegistration.status == status).order_by(SupplierRegistration.created_at)
    return [await _out(row) for row in rows]


async def approve_registration(*, actor: Actor, registration_id: UUID) -> RegistrationOut:
    """The supplier's account is opened: with the company of that SIRET (made from the request
    when unknown), and the password chosen in the request."""
    organisation_of(actor)
    async with write_transaction():
        row = await SupplierRegistration.select().where(
            SupplierRegistration.id == registration_id).first()
        if row is None:
            raise DomainError("NOT_FOUND")
        if row["status"] != "pending":
            raise DomainError("REGISTRATION_DECIDED", {"status": row["status"]})
        company = await SupplierCompany.select(SupplierCompany.id).where(
            SupplierCompany.siret == row["siret"]).first()
        company_id: UUID = company["id"] if company else uuid4()
        if company is None:
            await SupplierCompany.insert(SupplierCompany(
                id=company_id, name=row["company_name"], siret=row["siret"]))
        user_id = await services.create_user(
            email=row["email"], full_name=row["full_name"], role="supplier",
            password_hash=row["password_hash"], supplier_company_id=company_id,
            language=row["language"])
        await SupplierRegistration.update({
            SupplierRegistration.status: "approved",
            SupplierRegistration.decided_at: datetime.now(UTC),
            SupplierRegistration.decided_by: actor.user_id,
            SupplierRegistration.user: user_id,
            SupplierRegistration.supplier_company: company_id,
        }).where(SupplierRegistration.id == registration_id)
        await audit(actor, "supplier_registration", registration_id, "registration.approved",
                    {"siret": row["siret"], "user_id": user_id, "company_created": not company})
    found = await SupplierRegistration.select().where(
        SupplierRegistration.id == registration_id).first()
    assert found is not None
    return await _out(found)


async def refuse_registration(*, actor: Actor, registration_id: UUID) -> RegistrationOut:
    organisation_of(actor)
    async with write_transaction():
        changed = await SupplierRegistration.update({
            SupplierRegistration.status: "refused",
            SupplierRegistration.decided_at: datetime.now(UTC),
            SupplierRegistration.decided_by: actor.user_id,
        }).where((SupplierRegistration.id == registration_id)
                 & (SupplierRegistration.status == "pending")).returning(SupplierRegistration.id)
        if not changed:
            if not await SupplierRegistration.exists().where(
                    SupplierRegistration.id == registration_id):
                raise DomainError("NOT_FOUND")
            raise DomainError("REGISTRATION_DECIDED")
        await audit(actor, "supplier_registration", registration_id, "registration.refused")
    found = await SupplierRegistration.select().where(
        SupplierRegistration.id == registration_id).first()
    assert found is not None
    return await _out(found)
