"""The organisation's people: create, change role or unit, deactivate; delegations; invitations.

A change of role or unit, and a deactivation, take effect at once: the person's devices are
signed out (revoked, announced to every process), so no access token still carrying the old
role or unit is accepted; they sign in again and their new token carries the new facts.
Approvals follow the org chart as it is when they are asked for, so the requests a deactivated
manager had to decide go at once to the next managers up the tree (or to a delegate); the
delegations they gave or received end.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid4

from backend.accounts import delegations, services
from backend.accounts.hierarchy import Member, approvers
from backend.accounts.passwords import hash_secret
from backend.accounts.schemas import DelegationOut
from backend.accounts.sessions import announce_revoked, deactivate_user, end_sessions
from backend.accounts.tables import Delegation, Unit, User
from backend.administration.common import audit, organisation_of
from backend.administration.rows import PersonRecord
from backend.administration.schemas import (
    AdminDelegationIn,
    DeactivationOut,
    InvitationOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    PersonRef,
)
from backend.administration.tables import Invitation
from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.unit_of_work import UnitOfWork

__all__ = (
    "MIN_PASSWORD_LENGTH",
    "NO_PASSWORD",
    "accept_invitation",
    "create_delegation",
    "create_person",
    "deactivate_person",
    "invite",
    "issue_invitation",
    "list_delegations",
    "list_people",
    "revoke_delegation",
    "update_person",
)

MIN_PASSWORD_LENGTH = 8
# Stored as the password hash of a person who has not chosen one yet: verifies nothing.
NO_PASSWORD = "!"  # noqa: S105
INVITATION_DAYS = 14
NEEDS_UNIT = ("agent", "manager")

_COLUMNS = (User.id, User.email, User.full_name, User.role, User.unit, User.language,
            User.is_active, User.supplier_company, User.organisation)


def _out(row: PersonRecord) -> PersonOut:
    return PersonOut(id=row["id"], email=row["email"], full_name=row["full_name"],
                     role=row["role"], unit_id=row["unit"], language=row["language"],
                     is_active=row["is_active"], supplier_company_id=row["supplier_company"])


async def list_people(*, actor: Actor) -> list[PersonOut]:
    """Everyone of the organisation, active or not, by name."""
    rows = await User.select(*_COLUMNS).where(
        User.organisation == organisation_of(actor)).order_by(User.full_name)
    return [_out(row) for row in cast(list[PersonRecord], rows)]


async def _person(organisation_id: UUID, user_id: UUID) -> PersonRecord:
    row = await User.select(*_COLUMNS).where(
        (User.id == user_id) & (User.organisation == organisation_id)).first()
    if row is None:
        raise DomainError("NOT_FOUND")
    return cast(PersonRecord, row)


async def _check_unit(organisation_id: UUID, role: str, unit_id: UUID | None) -> None:
    if unit_id is None:
        if role in NEEDS_UNIT:
            raise DomainError("UNIT_REQUIRED")
        return
    if not await Unit.exists().where((Unit.id == unit_id) & (Unit.organisation == organisation_id)):
        raise DomainError("UNIT_UNKNOWN", {"unit_id": str(unit_id)})


async def _other_active_admins(organisation_id: UUID, user_id: UUID) -> int:
    return int(await User.count().where(
        (User.organisation == organisation_id) & (User.role == "admin")
        & (User.is_active == True) & (User.id != user_id)))  # noqa: E712


async def create_person(*, actor: Actor, data: PersonIn) -> PersonOut:
    """A member of the organisation (no password yet: send them :func:`invite`'s link)."""
    organisation_id = organisation_of(actor)
    async with UnitOfWork():
        await _check_unit(organisation_id, data.role, data.unit_id)
        user_id = await services.create_user(
            email=data.email, full_name=data.full_name, role=data.role,
            password_hash=NO_PASSWORD, organisation_id=organisation_id, unit_id=data.unit_id,
            language=data.language)
        await audit(actor, "user", user_id, "user.created",
                    {"role": data.role, "unit_id": data.unit_id})
    return _out(await _person(organisation_id, user_id))


async def update_person(*, actor: Actor, user_id: UUID, patch: PersonPatch) -> PersonOut:
    """Rename, change the language, the role or the unit (role and unit: effective at once)."""
    organisation_id = organisation_of(actor)
    ended: list[UUID] = []
    async with UnitOfWork():
        row = await _person(organisation_id, user_id)
        if row["supplier_company"] is not None:
            raise DomainError("ROLE_INVALID", {"role": row["role"]})
        role = patch.role or row["role"]
        unit = patch.unit_id if patch.unit_id is not None else row["unit"]
        if role != row["role"] or unit != row["unit"]:
            await _check_unit(organisation_id, role, unit)
            if row["role"] == "admin" and role != "admin" and row["is_active"] \
                    and not await _other_active_admins(organisation_id, user_id):
                raise DomainError("ADMIN_LAST")
        values: dict[Any, Any] = {}
        if patch.full_name is not None:
            values[User.full_name] = patch.full_name
        if patch.language is not None:
            values[User.language] = patch.language
        if role != row["role"]:
            values[User.role] = role
        if unit != row["unit"]:
            values[User.unit] = unit
        if values:
            await User.update(values).where(User.id == user_id)
            if role != row["role"] or unit != row["unit"]:
                ended = await end_sessions(user_id, "role_changed")
            await audit(actor, "user", user_id, "user.updated",
                        {column._meta.name: value for column, value in values.items()})
    await announce_revoked(ended)
    services.forget_organisation_reads()
    return _out(await _person(organisation_id, user_id))


async def without_approver(organisation_id: UUID) -> list[PersonRef]:
    """Active agents and managers of the organisation nobody may decide for now (the top
    unit's managers always: their requests go outside Nomade)."""
    chart = await services.load_org_chart(organisation_id)
    now = datetime.now(UTC)
    rows = await User.select(User.id, User.full_name, User.unit, User.role).where(
        (User.organisation == organisation_id) & (User.is_active == True)  # noqa: E712
        & User.role.is_in(["agent", "manager"])).order_by(User.full_name)
    return [PersonRef(id=row["id"], full_name=row["full_name"]) for row in rows
            if not approvers(chart, Member(row["id"], row["unit"], row["role"] == "manager"), now)]


async def deactivate_person(*, actor: Actor, user_id: UUID) -> DeactivationOut:
    """Deactivate: signed out everywhere, delegations ended, requests re-routed up the tree.
    The organisation's last active admin cannot be deactivated (ADMIN_LAST)."""
    organisation_id = organisation_of(actor)
    before = {person.id for person in await without_approver(organisation_id)}
    async with UnitOfWork():
        row = await _person(organisation_id, user_id)
        if row["role"] == "admin" and row["is_active"] \
                and not await _other_active_admins(organisation_id, user_id):
            raise DomainError("ADMIN_LAST")
        now = datetime.now(UTC)
        ended = await deactivate_user(user_id, announce=False)
        await Delegation.update({Delegation.revoked_at: now}).where(
            ((Delegation.delegator == user_id) | (Delegation.delegate == user_id))
            & Delegation.revoked_at.is_null() & (Delegation.ends_at > now))
        await Invitation.update({Invitation.used_at: now}).where(
            (Invitation.user == user_id) & Invitation.used_at.is_null())
        await audit(actor, "user", user_id, "user.deactivated",
                    {"devices_revoked": len(ended)})
    await announce_revoked(ended)
    services.forget_organisation_reads()
    after = await without_approver(organisation_id)
    return DeactivationOut(person=_out(await _person(organisation_id, user_id)),
                           without_approver=[p for p in after if p.id not in before])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def invite(*, actor: Actor, user_id: UUID, supplier: bool = False) -> InvitationOut:
    """A link with which the person chooses their password (shown once, valid 14 days).

    ``supplier``: the person is a supplier user (of no organisation) rather than a member."""
    if supplier:
        organisation_of(actor)
        if not await User.exists().where(
                (User.id == user_id) & User.supplier_company.is_not_null()):
            raise DomainError("NOT_FOUND")
    else:
        await _person(organisation_of(actor), user_id)
    async with UnitOfWork():
        made = await issue_invitation(user_id=user_id, created_by=actor.user_id)
        await audit(actor, "user", user_id, "user.invited", {"expires_at": made.expires_at})
    return made


async def issue_invitation(*, user_id: UUID, created_by: UUID) -> InvitationOut:
    """Store a new invitation link for ``user_id`` (inside the caller's transaction)."""
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=INVITATION_DAYS)
    await Invitation.insert(Invitation(id=uuid4(), user=user_id, token_hash=_token_hash(token),
                                       created_by=created_by, expires_at=expires))
    return InvitationOut(user_id=user_id, token=token, link=f"/invitation#{token}",
                         expires_at=expires)


async def accept_invitation(*, token: str, password: str) -> None:
    """The invited person sets their password (the link then stops working)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("PASSWORD_TOO_SHORT")
    now = datetime.now(UTC)
    row = await Invitation.select(Invitation.id, Invitation.user, Invitation.expires_at).where(
        (Invitation.token_hash == _token_hash(token)) & Invitation.used_at.is_null()).first()
    if row is None or services.as_utc(row["expires_at"]) <= now:
        raise DomainError("INVITATION_INVALID")
    stored = await asyncio.to_thread(hash_secret, password)
    async with UnitOfWork():
        used = await Invitation.update({Invitation.used_at: now}).where(
            (Invitation.id == row["id"]) & Invitation.used_at.is_null()).returning(Invitation.id)
        if not used:
            raise DomainError("INVITATION_INVALID")
        changed = await User.update({User.password_hash: stored}).where(
            (User.id == row["user"]) & (User.is_active == True)  # noqa: E712
        ).returning(User.id)
        if not changed:
            raise DomainError("INVITATION_INVALID")


async def create_delegation(*, actor: Actor, data: AdminDelegationIn) -> DelegationOut:
    """A delegation given on a manager's behalf (the manager's own rules apply)."""
    organisation_id = organisation_of(actor)
    delegator = await _person(organisation_id, data.delegator_id)
    if delegator["role"] != "manager" or not delegator["is_active"]:
        raise DomainError("DELEGATE_INVALID", {"delegator_id": str(data.delegator_id)})
    as_manager = Actor(user_id=data.delegator_id, role="manager", device_id=actor.device_id,
                       organisation_id=organisation_id, unit_id=delegator["unit"])
    async with UnitOfWork():
        made = await delegations.create_delegation(
            actor=as_manager, delegate_id=data.delegate_id, starts_at=data.starts_at,
            ends_at=data.ends_at, kinds=list(data.kinds))
        await audit(actor, "delegation", made.id, "delegation.created",
                    {"delegator_id": data.delegator_id, "delegate_id": data.delegate_id})
    return made


async def list_delegations(*, actor: Actor) -> list[DelegationOut]:
    """Every delegation of the organisation, latest start first (at most 500)."""
    rows = await Delegation.select(Delegation.id, Delegation.delegator).where(
        Delegation.organisation == organisation_of(actor)).order_by(
        Delegation.starts_at, ascending=False).limit(500)
    seen: dict[UUID, DelegationOut] = {}
    for delegator in dict.fromkeys(row["delegator"] for row in rows):
        as_manager = Actor(user_id=delegator, role="manager", device_id=actor.device_id,
                           organisation_id=actor.organisation_id)
        for made in await delegations.list_delegations(actor=as_manager):
            seen[made.id] = made
    return sorted(seen.values(), key=lambda d: d.starts_at, reverse=True)


async def revoke_delegation(*, actor: Actor, delegation_id: UUID) -> None:
    """End a delegation of the organisation now."""
    organisation_id = organisation_of(actor)
    async with UnitOfWork():
        changed = await Delegation.update({Delegation.revoked_at: datetime.now(UTC)}).where(
            (Delegation.id == delegation_id) & (Delegation.organisation == organisation_id)
            & Delegation.revoked_at.is_null()).returning(Delegation.id)
        if not changed:
            raise DomainError("NOT_FOUND")
        await audit(actor, "delegation", delegation_id, "delegation.revoked")
    services.forget_organisation_reads()
