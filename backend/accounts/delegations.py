"""Approval delegations (délégations de signature): a manager lends their approvals to a named
colleague for a period, lists what they gave and received, and revokes early."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID, uuid4

from backend.accounts.hierarchy import DELEGABLE_KINDS, DelegationPeriod, delegation_is_active
from backend.accounts.rows import DelegationRecord
from backend.accounts.schemas import DelegateOut, DelegationOut, OnBehalfOut
from backend.accounts.services import as_utc, forget_organisation_reads, kinds_of, lenders_for
from backend.accounts.tables import Delegation, User
from kernel.actor import Actor
from kernel.errors import DomainError

__all__ = ("create_delegation", "eligible_delegates", "list_delegations", "on_behalf",
           "revoke_delegation")

_COLUMNS = (
    Delegation.id, Delegation.delegator, Delegation.delegate, Delegation.starts_at,
    Delegation.ends_at, Delegation.revoked_at, Delegation.kinds,
    Delegation.delegator.full_name.as_alias("delegator_name"),
    Delegation.delegate.full_name.as_alias("delegate_name"),
)


def _out(row: DelegationRecord, now: datetime) -> DelegationOut:
    revoked = as_utc(row["revoked_at"]) if row["revoked_at"] is not None else None
    period = DelegationPeriod(row["delegator"], row["delegate"], as_utc(row["starts_at"]),
                              as_utc(row["ends_at"]), revoked)
    return DelegationOut(
        id=row["id"], delegator_id=row["delegator"], delegator_name=row["delegator_name"],
        delegate_id=row["delegate"], delegate_name=row["delegate_name"],
        starts_at=period.starts_at, ends_at=period.ends_at, revoked_at=revoked,
        active=delegation_is_active(period, now),
        kinds=[k for k in DELEGABLE_KINDS if k in kinds_of(row["kinds"])],
    )


def _eligible(actor: Actor) -> Any:
    """Who may receive the caller's approvals: an active colleague of the same organisation
    (not a supplier's user), other than the caller. The one place this rule lives: the form's
    list and the creation's check both use it."""
    return ((User.organisation == actor.organisation_id) & (User.is_active == True)  # noqa: E712
            & (User.role != "supplier") & (User.id != actor.user_id))


async def eligible_delegates(*, actor: Actor) -> list[DelegateOut]:
    """The people the caller may delegate to, by name (at most 500)."""
    if actor.organisation_id is None:
        return []
    rows = await User.select(User.id, User.full_name, User.role).where(
        _eligible(actor)).order_by(User.full_name).limit(500)
    return [DelegateOut(id=row["id"], full_name=row["full_name"], role=row["role"])
            for row in rows]


async def _check_period(actor: Actor, starts: datetime, ends: datetime, now: datetime,
                        kinds: frozenset[str]) -> None:
    if ends <= starts:
        raise DomainError("DELEGATION_ENDS_BEFORE_START")
    if ends <= now:
        raise DomainError("DELEGATION_PERIOD_INVALID")
    overlapping = await Delegation.select(Delegation.id, Delegation.kinds).where(
        (Delegation.delegator == actor.user_id) & Delegation.revoked_at.is_null()
        & (Delegation.starts_at < ends) & (Delegation.ends_at > starts)
        & (Delegation.ends_at > now)
    )
    for row in overlapping:
        theirs = kinds_of(row["kinds"])
        # Empty means every kind: it meets any other; else they meet when a kind is shared.
        if not theirs or not kinds or theirs & kinds:
            raise DomainError("DELEGATION_OVERLAPS", {"delegation_id": str(row["id"])})


async def create_delegation(
    *, actor: Actor, delegate_id: UUID, starts_at: datetime, ends_at: datetime,
    kinds: list[str] | None = None,
) -> DelegationOut:
    """The calling manager delegates approvals to a colleague of the same organisation.

    Raises DELEGATION_SELF (oneself), DELEGATE_INVALID (unknown, inactive, a supplier, another
    organisation), DELEGATION_ENDS_BEFORE_START, DELEGATION_PERIOD_INVALID (already over) and
    DELEGATION_OVERLAPS (the manager already lends approvals of the same kinds during part of
    the period: one named person at a time per kind). ``kinds`` limits what is lent (none or
    empty: every kind).
    """
    lent = frozenset(kinds or ()) & frozenset(DELEGABLE_KINDS)
    now = datetime.now(UTC)
    starts, ends = as_utc(starts_at), as_utc(ends_at)
    if delegate_id == actor.user_id:
        raise DomainError("DELEGATION_SELF")
    if actor.organisation_id is None or not await User.exists().where(
            _eligible(actor) & (User.id == delegate_id)):
        raise DomainError("DELEGATE_INVALID", {"delegate_id": str(delegate_id)})
    await _check_period(actor, starts, ends, now, lent)
    delegation_id = uuid4()
    await Delegation.insert(
        Delegation(id=delegation_id, organisation=actor.organisation_id,
                   delegator=actor.user_id, delegate=delegate_id, starts_at=starts, ends_at=ends,
                   kinds=",".join(k for k in DELEGABLE_KINDS if k in lent))
    ).run()
    forget_organisation_reads()
    row = await Delegation.select(*_COLUMNS).where(Delegation.id == delegation_id).first()
    assert row is not None
    return _out(cast(DelegationRecord, row), now)


async def on_behalf(*, actor: Actor) -> list[OnBehalfOut]:
    """For each person whose requests the caller decides now only as a delegate, the names of
    the managers they decide for (what the approval cards say: "on behalf of …"). Nothing
    about anyone the caller does not decide for."""
    lenders = await lenders_for(actor.user_id, datetime.now(UTC))
    ids = {lender for found in lenders.values() for lender in found}
    names: dict[UUID, str] = {}
    if ids:
        rows = await User.select(User.id, User.full_name).where(User.id.is_in(list(ids)))
        names = {row["id"]: row["full_name"] for row in rows}
    return [OnBehalfOut(person_id=person, managers=[names.get(m, "") for m in found])
            for person, found in sorted(lenders.items())]


async def list_delegations(*, actor: Actor) -> list[DelegationOut]:
    """Delegations the caller gave or received, latest start first (at most 200)."""
    rows = cast(list[DelegationRecord], await Delegation.select(*_COLUMNS).where(
        (Delegation.delegator == actor.user_id) | (Delegation.delegate == actor.user_id)
    ).order_by(Delegation.starts_at, ascending=False).limit(200))
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
