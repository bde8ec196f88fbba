"""Organisations beyond the first, made by a platform admin.

The platform organisation is the one ``nomade init`` made (marked in ``platform_organisation``;
in a database initialised before the mark existed, the oldest organisation). Its admins, and
only they, list every organisation and create another one with its first admin, who receives
an invitation link to choose a password. The new organisation's kind sets its legal payment
deadline; the State's expense rules become its first rule set versions. All in one transaction:
a refusal saves nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast
from uuid import UUID, uuid4

from backend.accounts import services
from backend.accounts.tables import Organisation
from backend.administration.common import audit, organisation_of
from backend.administration.organisation import organisation_out
from backend.administration.people import NO_PASSWORD, issue_invitation
from backend.administration.rows import OrganisationRecord
from backend.administration.schemas import (
    NewOrganisationIn,
    NewOrganisationOut,
    OrganisationOut,
    PersonOut,
)
from backend.administration.suppliers import checked_siret
from backend.administration.tables import PlatformOrganisation
from backend.audit.schemas import AuditDetails
from backend.audit.services import record
from backend.policy.services import seed_state_defaults
from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.unit_of_work import UnitOfWork

__all__ = ("create_organisation", "is_platform_admin", "list_organisations", "mark_platform")


async def mark_platform(organisation_id: UUID) -> None:
    """Mark the organisation that runs the platform (``nomade init``, in its transaction)."""
    await PlatformOrganisation.insert(PlatformOrganisation(id=organisation_id))


async def _platform_ids() -> set[UUID]:
    marked = {row["id"] for row in await PlatformOrganisation.select(PlatformOrganisation.id)}
    if marked:
        return marked
    oldest = await Organisation.select(Organisation.id).order_by(Organisation.created_at).first()
    return {oldest["id"]} if oldest else set()


async def is_platform_admin(actor: Actor) -> bool:
    """Whether the actor is an admin of the platform organisation."""
    return actor.role == "admin" and actor.organisation_id in await _platform_ids()


async def _platform_organisation(actor: Actor) -> UUID:
    organisation_id = organisation_of(actor)
    if not await is_platform_admin(actor):
        raise DomainError("PLATFORM_ADMIN_REQUIRED")
    return organisation_id


async def list_organisations(*, actor: Actor) -> list[OrganisationOut]:
    """Every organisation, by name (platform admins only)."""
    await _platform_organisation(actor)
    rows = await Organisation.select().order_by(Organisation.name)
    return [organisation_out(row) for row in cast(list[OrganisationRecord], rows)]


async def create_organisation(*, actor: Actor, data: NewOrganisationIn) -> NewOrganisationOut:
    """Another organisation and its first admin (SIRET_INVALID, ORGANISATION_SIRET_TAKEN,
    EMAIL_TAKEN, PLATFORM_ADMIN_REQUIRED); the answer carries the admin's invitation link."""
    await _platform_organisation(actor)
    siret = checked_siret(data.siret)
    organisation_id = uuid4()
    async with UnitOfWork():
        if await Organisation.exists().where(Organisation.siret == siret):
            raise DomainError("ORGANISATION_SIRET_TAKEN", {"siret": siret})
        await services.create_organisation(
            id=organisation_id,
            name=data.name,
            siret=siret,
            code_service=data.code_service,
            kind=data.kind,
        )
        admin_id = await services.create_user(
            email=data.admin_email,
            full_name=data.admin_full_name,
            role="admin",
            password_hash=NO_PASSWORD,
            organisation_id=organisation_id,
            language=data.admin_language,
        )
        await seed_state_defaults(organisation_id)
        invitation = await issue_invitation(user_id=admin_id, created_by=actor.user_id)
        details: AuditDetails = {"name": data.name, "siret": siret, "kind": data.kind,
                                 "admin_id": admin_id}
        await audit(actor, "organisation", organisation_id, "organisation.created", details)
        await record(
            organisation_id=organisation_id,
            document_type="organisation",
            document_id=organisation_id,
            action="organisation.created",
            server_time=datetime.now(UTC),
            actor_id=actor.user_id,
            actor_role="platform_admin",
            details=details,
        )
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    assert row is not None
    admin = PersonOut(
        id=admin_id,
        email=services.normalise_email(data.admin_email),
        full_name=data.admin_full_name,
        role="admin",
        unit_id=None,
        language=data.admin_language,
        is_active=True,
    )
    return NewOrganisationOut(
        organisation=organisation_out(cast(OrganisationRecord, row)), admin=admin,
        invitation=invitation)
