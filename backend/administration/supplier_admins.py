"""A supplier company's own administrators (administrateurs fournisseur).

A supplier admin sees and decides the pending registration requests for their own company's
SIRET, and no other: a request for another company is NOT_FOUND to them. A supplier user who is
not one gets SUPPLIER_ADMIN_REQUIRED. Platform admins (role ``admin``) grant or withdraw the
flag; an approval that creates a company makes its requester the first supplier admin.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, cast
from uuid import UUID

from backend.accounts.tables import SupplierCompany, User
from backend.administration.common import audit, organisation_of
from backend.administration.rows import RegistrationAudit, RegistrationRecord, SupplierCompanyRecord
from backend.administration.schemas import RegistrationOut, SupplierCompanyOut, SupplierUserPatch
from backend.administration.suppliers import (
    approve_pending,
    pending_registration,
    refuse_pending,
    registration_out,
    registration_row,
)
from backend.administration.tables import SupplierAdmin, SupplierRegistration
from backend.audit.services import record
from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.unit_of_work import UnitOfWork

__all__ = ("decide", "list_own_registrations", "own_company", "set_supplier_admin")


async def _company_row(actor: Actor) -> SupplierCompanyRecord:
    """The company the actor administers (SUPPLIER_ADMIN_REQUIRED otherwise)."""
    if actor.role != "supplier" or actor.supplier_company_id is None:
        raise DomainError("SUPPLIER_ADMIN_REQUIRED")
    granted = await SupplierAdmin.exists().where(
        (SupplierAdmin.id == actor.user_id)
        & (SupplierAdmin.supplier_company == actor.supplier_company_id)
    )
    company = (
        await SupplierCompany.select()
        .where(SupplierCompany.id == actor.supplier_company_id)
        .first()
    )
    if not granted or company is None:
        raise DomainError("SUPPLIER_ADMIN_REQUIRED")
    return cast(SupplierCompanyRecord, company)


async def own_company(*, actor: Actor) -> SupplierCompanyOut:
    """The company a supplier admin administers (its users are not listed here)."""
    row = await _company_row(actor)
    return SupplierCompanyOut(id=row["id"], name=row["name"], siret=row["siret"])


async def list_own_registrations(*, actor: Actor, status: str = "pending") -> list[RegistrationOut]:
    """The requests for the admin's own company's SIRET, oldest first."""
    company = await _company_row(actor)
    rows = (
        await SupplierRegistration.select()
        .where(
            (SupplierRegistration.siret == company["siret"])
            & (SupplierRegistration.status == status)
        )
        .order_by(SupplierRegistration.created_at)
    )
    return [await registration_out(row) for row in cast(list[RegistrationRecord], rows)]


async def decide(
    *, actor: Actor, registration_id: UUID, decision: Literal["approve", "refuse"]
) -> RegistrationOut:
    """Approve (the requester joins the company) or refuse a request for the admin's own
    company; recorded in the audit trail under the company's id."""
    company = await _company_row(actor)
    async with UnitOfWork():
        row = await pending_registration(registration_id, siret=company["siret"])
        details = RegistrationAudit(siret=row["siret"])
        if decision == "approve":
            details = await approve_pending(row, decided_by=actor.user_id)
        else:
            await refuse_pending(row, decided_by=actor.user_id)
        await record(
            organisation_id=company["id"],
            document_type="supplier_registration",
            document_id=registration_id,
            action=f"registration.{'approved' if decision == 'approve' else 'refused'}",
            server_time=datetime.now(UTC),
            actor_id=actor.user_id,
            actor_role="supplier_admin",
            device_id=actor.device_id,
            details=details,
        )
    found = await registration_row(registration_id)
    assert found is not None
    return await registration_out(found)


async def set_supplier_admin(*, actor: Actor, user_id: UUID, patch: SupplierUserPatch) -> None:
    """A platform admin grants or withdraws a supplier user's supplier-admin flag."""
    organisation_of(actor)
    async with UnitOfWork():
        user = (
            await User.select(User.supplier_company)
            .where((User.id == user_id) & User.supplier_company.is_not_null())
            .first()
        )
        if user is None:
            raise DomainError("NOT_FOUND")
        await SupplierAdmin.delete().where(SupplierAdmin.id == user_id)
        if patch.supplier_admin:
            await SupplierAdmin.insert(
                SupplierAdmin(
                    id=user_id, supplier_company=user["supplier_company"], granted_by=actor.user_id
                )
            )
        await audit(
            actor,
            "user",
            user_id,
            "supplier_user.updated",
            {"supplier_admin": patch.supplier_admin},
        )
