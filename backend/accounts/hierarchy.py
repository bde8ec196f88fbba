"""Who decides for whom: the manager hierarchy and approval delegations, as pure functions.

No database here: :mod:`backend.accounts.services` loads an :class:`OrgChart` (units, their
managers, delegations) and asks these functions. The rules:

* An agent's approvers are the managers (valideurs hiérarchiques) of the agent's unit. A manager's
  own requests go to the managers of the parent unit. When that unit has no manager (other than
  the requester), the search goes on up the tree.
* A manager may delegate approvals to a named person for a period: the delegation counts from
  ``starts_at`` (included) to ``ends_at`` (excluded), and not from ``revoked_at`` on. It may be
  limited to some kinds of request (:data:`DELEGABLE_KINDS`; none named: every kind). A
  question asked without a kind (``kind=None``) counts every delegation.
* Nobody approves their own request, even as a delegate.
* Escalation (``level`` > 0): a request whose deadline passed goes to the managers above its
  deciding managers (the managers who decide those managers' own requests), one level per step;
  at the head of the tree it stays where it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

__all__ = (
    "DELEGABLE_KINDS",
    "DelegationPeriod",
    "Member",
    "OrgChart",
    "active_delegates",
    "approvers",
    "deciding_managers",
    "deciding_unit_managers",
    "delegation_is_active",
    "lenders_to",
    "units_managed",
)


#: The kinds of request a delegation may be limited to: mission orders, expense claims, service
#: done on purchase orders (the approval cards' kinds).
DELEGABLE_KINDS: tuple[str, ...] = ("mission", "claim", "service_done")


@dataclass(frozen=True, slots=True)
class DelegationPeriod:
    """A manager's approvals lent to ``delegate_id`` from ``starts_at`` until ``ends_at``, for
    ``kinds`` of request (empty: every kind)."""

    delegator_id: UUID
    delegate_id: UUID
    starts_at: datetime
    ends_at: datetime
    revoked_at: datetime | None = None
    kinds: frozenset[str] = frozenset()

    def covers(self, kind: str | None) -> bool:
        """Whether the delegation lends decisions on ``kind`` (None: asked for any kind)."""
        return kind is None or not self.kinds or kind in self.kinds


@dataclass(frozen=True, slots=True)
class Member:
    """A person of the organisation, as the hierarchy sees them."""

    user_id: UUID
    unit_id: UUID | None
    is_manager: bool


@dataclass(frozen=True)
class OrgChart:
    """An organisation's units (child → parent), managers per unit and delegations."""

    parents: Mapping[UUID, UUID | None]
    managers: Mapping[UUID, frozenset[UUID]]
    delegations: tuple[DelegationPeriod, ...] = ()
    _by_delegator: dict[UUID, list[DelegationPeriod]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    _unit_of: dict[UUID, UUID] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for delegation in self.delegations:
            self._by_delegator.setdefault(delegation.delegator_id, []).append(delegation)
        for unit_id, unit_managers in self.managers.items():
            for manager_id in unit_managers:
                self._unit_of.setdefault(manager_id, unit_id)

    def unit_of_manager(self, manager_id: UUID) -> UUID | None:
        """The unit ``manager_id`` manages (None: not a manager here)."""
        return self._unit_of.get(manager_id)

    def delegations_of(self, delegator_id: UUID) -> list[DelegationPeriod]:
        """The delegations ``delegator_id`` granted, active or not."""
        return self._by_delegator.get(delegator_id, [])


def delegation_is_active(delegation: DelegationPeriod, at: datetime) -> bool:
    """Whether ``delegation`` is in force at ``at``: start included, end excluded, not revoked."""
    if delegation.revoked_at is not None and delegation.revoked_at <= at:
        return False
    return delegation.starts_at <= at < delegation.ends_at


def active_delegates(chart: OrgChart, manager_ids: Iterable[UUID], at: datetime,
                     kind: str | None = None) -> set[UUID]:
    """The people holding a delegation (covering ``kind``) from one of ``manager_ids`` at
    ``at``."""
    return {
        delegation.delegate_id
        for manager_id in manager_ids
        for delegation in chart.delegations_of(manager_id)
        if delegation_is_active(delegation, at) and delegation.covers(kind)
    }


def deciding_unit_managers(chart: OrgChart, subject: Member) -> frozenset[UUID]:
    """The managers who decide for ``subject`` by the hierarchy alone (no delegations).

    Starts at the subject's unit (its parent for a manager) and goes up until a unit has a
    manager other than the subject. Empty when nobody is above (e.g. the head of the tree).
    """
    if subject.unit_id is None:
        return frozenset()
    unit: UUID | None = subject.unit_id
    if subject.is_manager:
        unit = chart.parents.get(subject.unit_id)
    seen: set[UUID] = set()
    while unit is not None and unit not in seen:
        seen.add(unit)
        managers = chart.managers.get(unit, frozenset()) - {subject.user_id}
        if managers:
            return managers
        unit = chart.parents.get(unit)
    return frozenset()


def deciding_managers(chart: OrgChart, subject: Member, level: int = 0) -> frozenset[UUID]:
    """The managers deciding for ``subject`` at escalation ``level`` (0: the hierarchy's;
    each level up: the managers of those managers). Never empty once level 0 is not: at the
    head of the tree the level stays at the last managers found."""
    managers = deciding_unit_managers(chart, subject)
    for _ in range(level):
        above: set[UUID] = set()
        for manager_id in managers:
            above |= deciding_unit_managers(
                chart, Member(manager_id, chart.unit_of_manager(manager_id), True))
        above -= {subject.user_id}
        if not above:
            break
        managers = frozenset(above)
    return managers


def approvers(chart: OrgChart, subject: Member, at: datetime, level: int = 0,
              kind: str | None = None) -> frozenset[UUID]:
    """Everyone who may approve ``subject``'s requests (of ``kind``) at ``at`` (at escalation
    ``level``): the deciding managers and their active delegates, never the subject."""
    managers = deciding_managers(chart, subject, level)
    delegates = active_delegates(chart, managers, at, kind)
    return frozenset((managers | delegates) - {subject.user_id})


def lenders_to(chart: OrgChart, subject: Member, user_id: UUID, at: datetime,
               level: int = 0) -> frozenset[UUID]:
    """The deciding managers of ``subject`` on whose behalf ``user_id`` decides at ``at``
    (through an active delegation); empty when ``user_id`` decides in their own right."""
    managers = deciding_managers(chart, subject, level)
    if user_id in managers:
        return frozenset()
    return frozenset(
        manager_id for manager_id in managers
        if any(d.delegate_id == user_id and delegation_is_active(d, at)
               for d in chart.delegations_of(manager_id))
    )


def units_managed(chart: OrgChart, user_id: UUID, at: datetime,
                  kind: str | None = None) -> frozenset[UUID]:
    """The units ``user_id`` manages at ``at``: their own, plus those of the managers who
    delegated to them (for ``kind``) and whose delegation is active."""
    lenders = {
        delegation.delegator_id
        for delegation in chart.delegations
        if delegation.delegate_id == user_id and delegation_is_active(delegation, at)
        and delegation.covers(kind)
    }
    return frozenset(
        unit_id
        for unit_id, managers in chart.managers.items()
        if user_id in managers or managers & lenders
    )
