"""Who approves for whom: managers, the parent unit for managers, delegation periods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from backend.accounts.hierarchy import (
    DelegationPeriod,
    Member,
    OrgChart,
    approvers,
    delegation_is_active,
    lenders_to,
    units_managed,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def period(start: datetime = T0, end: datetime = T0 + timedelta(days=14),
           revoked: datetime | None = None, a: UUID | None = None,
           b: UUID | None = None) -> DelegationPeriod:
    return DelegationPeriod(a or uuid4(), b or uuid4(), start, end, revoked)


def test_delegation_counts_from_its_start_and_stops_at_its_end() -> None:
    delegation = period()
    assert not delegation_is_active(delegation, T0 - SECOND)
    assert delegation_is_active(delegation, T0)  # start included
    assert delegation_is_active(delegation, delegation.ends_at - SECOND)
    assert not delegation_is_active(delegation, delegation.ends_at)  # end excluded


def test_revoked_delegation_stops_at_revocation() -> None:
    revoked_at = T0 + timedelta(days=3)
    delegation = period(revoked=revoked_at)
    assert delegation_is_active(delegation, revoked_at - SECOND)  # history stays true
    assert not delegation_is_active(delegation, revoked_at)
    assert not delegation_is_active(delegation, T0 + timedelta(days=10))
    assert not delegation_is_active(period(revoked=T0 - SECOND), T0)


class Chart:
    """Head unit H with units A and B; managers h, ma, mb; agents in A and B; a deputy."""

    def __init__(self, delegations: tuple[DelegationPeriod, ...] = ()) -> None:
        self.H, self.A, self.B, self.C = uuid4(), uuid4(), uuid4(), uuid4()
        self.h, self.ma, self.mb, self.deputy = uuid4(), uuid4(), uuid4(), uuid4()
        self.agent_a, self.agent_c = uuid4(), uuid4()
        self.delegations = delegations

    def build(self, *delegations: DelegationPeriod) -> OrgChart:
        return OrgChart(
            parents={self.H: None, self.A: self.H, self.B: self.H, self.C: self.B},
            managers={self.H: frozenset({self.h}), self.A: frozenset({self.ma}),
                      self.B: frozenset({self.mb})},
            delegations=delegations,
        )


def test_agent_goes_to_unit_managers_and_manager_to_the_parent_unit() -> None:
    c = Chart()
    chart = c.build()
    assert approvers(chart, Member(c.agent_a, c.A, False), T0) == {c.ma}
    assert approvers(chart, Member(c.ma, c.A, True), T0) == {c.h}
    assert approvers(chart, Member(c.h, c.H, True), T0) == frozenset()  # nobody above the head


def test_unit_without_manager_goes_up_the_tree() -> None:
    c = Chart()
    assert approvers(c.build(), Member(c.agent_c, c.C, False), T0) == {c.mb}


def test_active_delegate_approves_too_but_never_for_themselves() -> None:
    c = Chart()
    lend = period(a=c.ma, b=c.mb)
    chart = c.build(lend)
    assert approvers(chart, Member(c.agent_a, c.A, False), T0) == {c.ma, c.mb}
    assert approvers(chart, Member(c.agent_a, c.A, False), lend.ends_at) == {c.ma}
    assert approvers(chart, Member(c.agent_a, c.A, False), T0 - SECOND) == {c.ma}
    # an agent holding a delegation from their own manager does not approve their own request
    own = c.build(period(a=c.ma, b=c.agent_a))
    assert approvers(own, Member(c.agent_a, c.A, False), T0) == {c.ma}


def test_revoked_delegation_gives_no_approval() -> None:
    c = Chart()
    chart = c.build(period(a=c.ma, b=c.deputy, revoked=T0 + timedelta(days=1)))
    agent = Member(c.agent_a, c.A, False)
    assert c.deputy in approvers(chart, agent, T0)
    assert c.deputy not in approvers(chart, agent, T0 + timedelta(days=1))


def test_units_managed_include_delegated_units_while_active() -> None:
    c = Chart()
    lend = period(a=c.ma, b=c.mb)
    chart = c.build(lend)
    assert units_managed(chart, c.mb, T0) == {c.A, c.B}
    assert units_managed(chart, c.mb, lend.ends_at) == {c.B}
    assert units_managed(chart, c.ma, T0) == {c.A}
    assert units_managed(chart, c.agent_a, T0) == frozenset()


def test_escalation_climbs_one_manager_level_and_stops_at_the_head() -> None:
    top, middle, team = uuid4(), uuid4(), uuid4()
    boss, chief, lead, agent, deputy = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
    chart = OrgChart(
        parents={top: None, middle: top, team: middle},
        managers={top: frozenset({boss}), middle: frozenset({chief}),
                  team: frozenset({lead})},
        delegations=(period(a=chief, b=deputy),),
    )
    member = Member(agent, team, False)
    assert approvers(chart, member, T0) == {lead}
    assert approvers(chart, member, T0, level=1) == {chief, deputy}  # delegates follow
    assert approvers(chart, member, T0, level=2) == {boss}
    assert approvers(chart, member, T0, level=5) == {boss}  # nobody above the head
    assert lenders_to(chart, member, deputy, T0, level=1) == {chief}
    assert lenders_to(chart, member, chief, T0, level=1) == frozenset()
    assert lenders_to(chart, member, deputy, T0) == frozenset()


def test_a_delegation_limited_to_some_kinds_lends_only_those() -> None:
    unit, lead, agent, deputy = uuid4(), uuid4(), uuid4(), uuid4()
    chart = OrgChart(parents={unit: None}, managers={unit: frozenset({lead})},
                     delegations=(DelegationPeriod(lead, deputy, T0, T0 + timedelta(days=3),
                                                   kinds=frozenset({"claim"})),))
    member = Member(agent, unit, False)
    assert approvers(chart, member, T0, kind="claim") == {lead, deputy}
    assert approvers(chart, member, T0, kind="mission") == {lead}
    assert approvers(chart, member, T0) == {lead, deputy}  # asked for any kind
    assert units_managed(chart, deputy, T0, kind="service_done") == frozenset()
    assert units_managed(chart, deputy, T0, kind="claim") == {unit}


def test_the_wire_kinds_are_the_hierarchys() -> None:
    from typing import get_args

    from backend.accounts.hierarchy import DELEGABLE_KINDS
    from backend.accounts.schemas import DelegableKind

    assert get_args(DelegableKind) == DELEGABLE_KINDS
