"""Supplier companies (SIRET checked: Luhn, La Poste's exception), their users, and supplier
self-registration: a supplier asks for an account with its SIRET, an admin approves or refuses.

A company's supplier admins (:mod:`backend.administration.supplier_admins`) decide its later
requests themselves; an approval that creates the company makes the requester its first one.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID, uuid4

from backend.accounts import services
from backend.accounts.passwords import hash_secret
from backend.accounts.siret import is_valid_siret, normalise_siret
from backend.accounts.tables import SupplierCompany, User
from backend.administration.common import audit, organisation_of
from backend.administration.people import MIN_PASSWORD_LENGTH, NO_PASSWORD
from backend.administration.rows import RegistrationAudit, RegistrationRecord
from backend.administration.schemas import (
    PersonOut,
    RegistrationIn,
    RegistrationOut,
    SupplierCompanyIn,
    SupplierCompanyOut,
    SupplierUserIn,
    SupplierUserOut,
)
from backend.administration.tables import SupplierAdmin, SupplierRegistration
from kernel.actor import Actor
from kernel.db import is_unique_violation
from kernel.errors import DomainError
from kernel.unit_of_work import UnitOfWork

__all__ = (
    "approve_pending",
    "approve_registration",
    "create_supplier_company",
    "create_supplier_user",
    "list_registrations",
    "list_supplier_companies",
    "pending_registration",
    "refuse_pending",
    "refuse_registration",
    "registration_out",
    "registration_row",
    "request_registration",
)


def checked_siret(raw: str) -> str:
    """``raw`` without separators, or SIRET_INVALID."""
    siret = normalise_siret(raw)
    if not is_valid_siret(siret):
        raise DomainError("SIRET_INVALID", {"siret": raw})
    return siret


async def list_supplier_companies(*, actor: Actor) -> list[SupplierCompanyOut]:
    """Every supplier company, by name, with its users (supplier admins flagged)."""
    organisation_of(actor)
    rows = await SupplierCompany.select().order_by(SupplierCompany.name)
    users = await User.select(User.id, User.email, User.full_name, User.language, User.is_active,
                              User.supplier_company, User.password_hash).where(
        User.supplier_company.is_not_null()).order_by(User.full_name)
    admins = {row["id"] for row in await SupplierAdmin.select(SupplierAdmin.id)}
    by_company: dict[UUID, list[SupplierUserOut]] = {}
    for user in users:
        by_company.setdefault(user["supplier_company"], []).append(SupplierUserOut(
            id=user["id"], email=user["email"], full_name=user["full_name"],
            language=user["language"], is_active=user["is_active"],
            supplier_admin=user["id"] in admins,
            has_password=user["password_hash"] != NO_PASSWORD))
    return [SupplierCompanyOut(id=r["id"], name=r["name"], siret=r["siret"],
                               users=by_company.get(r["id"], [])) for r in rows]


async def create_supplier_company(*, actor: Actor, data: SupplierCompanyIn) -> SupplierCompanyOut:
    """A company that invoices; SIRET_INVALID, SIRET_TAKEN (also for the second of two
    requests adding it at once: the unique SIRET refuses its insert)."""
    organisation_of(actor)
    siret = checked_siret(data.siret)
    company_id = uuid4()
    try:
        async with UnitOfWork():
            if await SupplierCompany.exists().where(SupplierCompany.siret == siret):
                raise DomainError("SIRET_TAKEN", {"siret": siret})
            await SupplierCompany.insert(SupplierCompany(id=company_id, name=data.name,
                                                         siret=siret))
            await audit(actor, "supplier_company", company_id, "supplier_company.created",
                        {"siret": siret})
    except Exception as exc:
        if is_unique_violation(exc, SupplierCompany._meta.tablename):
            raise DomainError("SIRET_TAKEN", {"siret": siret}) from exc
        raise
    return SupplierCompanyOut(id=company_id, name=data.name, siret=siret)


async def create_supplier_user(*, actor: Actor, company_id: UUID,
                               data: SupplierUserIn) -> PersonOut:
    """A user of a supplier company (no password yet: invite them)."""
    organisation_of(actor)
    async with UnitOfWork():
        if not await SupplierCompany.exists().where(SupplierCompany.id == company_id):
            raise DomainError("NOT_FOUND")
        user_id = await services.create_user(
            email=data.email, full_name=data.full_name, role="supplier",
            password_hash=NO_PASSWORD, supplier_company_id=company_id, language=data.language)
        if data.supplier_admin:
            await SupplierAdmin.insert(SupplierAdmin(id=user_id, supplier_company=company_id,
                                                     granted_by=actor.user_id))
        await audit(actor, "user", user_id, "supplier_user.created",
                    {"supplier_company_id": company_id, "supplier_admin": data.supplier_admin})
    return PersonOut(id=user_id, email=services.normalise_email(data.email),
                     full_name=data.full_name, role="supplier", unit_id=None,
                     language=data.language, is_active=True, supplier_company_id=company_id)


async def registration_out(row: RegistrationRecord) -> RegistrationOut:
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
    async with UnitOfWork():
        if await User.exists().where(User.email == email) or \
                await SupplierRegistration.exists().where(
                    (SupplierRegistration.email == email)
                    & (SupplierRegistration.status == "pending")):
            raise DomainError("EMAIL_TAKEN", {"email": email})
        await SupplierRegistration.insert(SupplierRegistration(
            id=registration_id, siret=siret, company_name=data.company_name, email=email,
            full_name=data.full_name, language=data.language, password_hash=stored))
    row = await registration_row(registration_id)
    assert row is not None
    return await registration_out(row)


async def list_registrations(*, actor: Actor, status: str = "pending") -> list[RegistrationOut]:
    organisation_of(actor)
    rows = await SupplierRegistration.select().where(
        SupplierRegistration.status == status).order_by(SupplierRegistration.created_at)
    return [await registration_out(row) for row in cast(list[RegistrationRecord], rows)]


async def registration_row(registration_id: UUID) -> RegistrationRecord | None:
    """The request ``registration_id``, or None."""
    return cast(RegistrationRecord | None, await SupplierRegistration.select().where(
        SupplierRegistration.id == registration_id).first())


async def pending_registration(registration_id: UUID, *, siret: str | None = None
                               ) -> RegistrationRecord:
    """The registration to decide (inside the deciding transaction): NOT_FOUND, also when
    ``siret`` is given and the request is for another company; REGISTRATION_DECIDED."""
    row = await registration_row(registration_id)
    if row is None or (siret is not None and row["siret"] != siret):
        raise DomainError("NOT_FOUND")
    if row["status"] != "pending":
        raise DomainError("REGISTRATION_DECIDED", {"status": row["status"]})
    return row


async def approve_pending(row: RegistrationRecord, *, decided_by: UUID) -> RegistrationAudit:
    """Open the account of a pending request (inside the transaction): with the company of its
    SIRET, made from the request when unknown (the requester then becomes its supplier admin).
    Answers what the audit entry records. Of two requests for one new company approved at
    once, the second joins the company the first made (its insert waits, then does nothing)."""
    made: list[dict[str, Any]] = []
    company = await SupplierCompany.select(SupplierCompany.id).where(
        SupplierCompany.siret == row["siret"]).first()
    if company is None:
        made = await SupplierCompany.insert(SupplierCompany(
            id=uuid4(), name=row["company_name"], siret=row["siret"])).on_conflict(
            target=SupplierCompany.siret, action="DO NOTHING").returning(SupplierCompany.id)
        company = made[0] if made else await SupplierCompany.select(SupplierCompany.id).where(
            SupplierCompany.siret == row["siret"]).first()
    assert company is not None
    company_id: UUID = company["id"]
    user_id = await services.create_user(
        email=row["email"], full_name=row["full_name"], role="supplier",
        password_hash=row["password_hash"], supplier_company_id=company_id,
        language=row["language"])
    if made:
        await SupplierAdmin.insert(SupplierAdmin(id=user_id, supplier_company=company_id,
                                                 granted_by=decided_by))
    await _decide(row["id"], {
        SupplierRegistration.status: "approved",
        SupplierRegistration.decided_at: datetime.now(UTC),
        SupplierRegistration.decided_by: decided_by,
        SupplierRegistration.user: user_id,
        SupplierRegistration.supplier_company: company_id,
    })
    return RegistrationAudit(siret=row["siret"], user_id=user_id, supplier_company_id=company_id,
                             company_created=bool(made))


async def refuse_pending(row: RegistrationRecord, *, decided_by: UUID) -> None:
    """Refuse a pending request (inside the transaction)."""
    await _decide(row["id"], {
        SupplierRegistration.status: "refused",
        SupplierRegistration.decided_at: datetime.now(UTC),
        SupplierRegistration.decided_by: decided_by,
    })


async def _decide(registration_id: UUID, values: dict[Any, Any]) -> None:
    """Record the decision unless another one came first (REGISTRATION_DECIDED: the caller's
    transaction, account included, is rolled back)."""
    changed = await SupplierRegistration.update(values).where(
        (SupplierRegistration.id == registration_id)
        & (SupplierRegistration.status == "pending")).returning(SupplierRegistration.id)
    if not changed:
        raise DomainError("REGISTRATION_DECIDED")


async def _reread(registration_id: UUID) -> RegistrationOut:
    found = await registration_row(registration_id)
    assert found is not None
    return await registration_out(found)


async def approve_registration(*, actor: Actor, registration_id: UUID) -> RegistrationOut:
    """The supplier's account is opened, with the password chosen in the request."""
    organisation_of(actor)
    async with UnitOfWork():
        row = await pending_registration(registration_id)
        made = await approve_pending(row, decided_by=actor.user_id)
        await audit(actor, "supplier_registration", registration_id, "registration.approved",
                    made)
    return await _reread(registration_id)


async def refuse_registration(*, actor: Actor, registration_id: UUID) -> RegistrationOut:
    organisation_of(actor)
    async with UnitOfWork():
        row = await pending_registration(registration_id)
        await refuse_pending(row, decided_by=actor.user_id)
        await audit(actor, "supplier_registration", registration_id, "registration.refused")
    return await _reread(registration_id)
