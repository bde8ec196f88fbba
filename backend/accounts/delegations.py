"""Approval delegations (délégations de signature): a manager lends their approvals to a named
colleague for a period, lists what they gave and received, and revokes early."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from backend.accounts.actor import Actor
from backend.accounts.hierarchy import DelegationPeriod, delegation_is_active
from backend.accounts.schemas import DelegationOut
from backend.accounts.services import as_utc, forget_organisation_reads
from backend.accounts.tables import Delegation, User
from backend.errors import DomainError

__all__ = ("create_delegation", "list_delegations", "revoke_delegation")

_COLUMNS = (
    Delegation.id, Delegation.delegator, Delegation.delegate, Delegation.starts_at,
    Delegation.ends_at, Delegation.revoked_at,
    Delegation.delegator.full_name.as_alias("delegator_name"),
    Delegation.delegate.full_name.as_alias("delegate_name"),
)


def _out(row: dict[str, Any], now: datetime) -> DelegationOut:
    revoked = as_utc(row["revoked_at"]) if row["revoked_at"] is not None else None
    period = DelegationPeriod(row["delegator"], row["delegate"], as_utc(row["starts_at"]),
                              as_utc(row["ends_at"]), revoked)
    return DelegationOut(
        id=row["id"], delegator_id=row["delegator"], delegator_name=row["delegator_name"],
        delegate_id=row["delegate"], delegate_name=row["delegate_name"],
        starts_at=period.starts_at, ends_at=period.ends_at, revoked_at=revoked,
        active=delegation_is_active(period, now),
    )


async def create_delegation(
    *, actor: Actor, delegate_id: UUID, starts_at: datetime, ends_at: datetime
) -> DelegationOut:
    """The calling manager delegates approvals to a colleague of the same organisation.

    Raises DELEGATION_PERIOD_INVALID (end not after start, or already past) and
    DELEGATE_INVALID (oneself, unknown, inactive, a supplier, another organisation).
    """
    now = datetime.now(UTC)
    starts, ends = as_utc(starts_at), as_utc(ends_at)
    if ends <= starts or ends <= now:
        raise DomainError("DELEGATION_PERIOD_INVALID")
    delegate = await User.select(User.organisation, User.role, User.is_active).where(
        User.id == delegate_id
    ).first()
    if (
        delegate is None
        or delegate_id == actor.user_id
        or actor.organisation_id is None
        or delegate["organisation"] != actor.organisation_id
        or delegate["role"] == "supplier"
        or not delegate["is_active"]
    ):
        raise DomainError("DELEGATE_INVALID", {"delegate_id": str(delegate_id)})
    delegation_id = uuid4()
    await Delegation.insert(
        Delegation(id=delegation_id, organisation=actor.organisation_id,
                   delegator=actor.user_id, delegate=delegate_id, starts_at=starts, ends_at=ends)
    ).run()
    forget_organisation_reads()
    row = await Delegation.select(*_COLUMNS).where(Delegation.id == delegation_id).first()
    assert row is not None
    return _out(row, now)


async def list_delegations(*, actor: Actor) -> list[DelegationOut]:
    """Delegations the caller gave or received, latest start first (at most 200)."""
    rows = await Delegation.select(*_COLUMNS).where(
        (Delegation.delegator == actor.user_id) | (Delegation.delegate == actor.user_id)
    ).order_by(Delegation.starts_at, ascending=False).limit(200)
    now = datetime.now(UTC)
    return [_out(row, now) for row in rows]


async def revoke_delegation(*, actor: Actor, delegation_id: UUID) -> None:
    """End one's own delegation now. Anyone else's is NOT_FOUND."""
    changed = await Delegation.update({Delegation.revoked_at: datetime.now(UTC)}).where(
        (Delegation.id == delegation_id)
        & (Delegation.delegator == actor.user_id)
        & Delegation.revoked_at.is_null()
    ).returning(Delegation.id)
    forget_organisation_reads()
    if not changed:
        raise DomainError("NOT_FOUND")
