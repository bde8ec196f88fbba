"""Requests waiting for a decision (mission orders, expense claims): one reminder before their
deadline and escalation one manager level up after it, by each organisation's rules
(:mod:`backend.missions.deadlines` keeps them; data an administrator changes). Each domain
describes its waiting requests with a :class:`Waiting`; the run below is the same for all.

* From ``remind_before_hours`` before the deadline, the request's approvers get one reminder
  per request and deadline (the notification's key carries both: a second run sends nothing).
* ``escalate_after_hours`` after the deadline, the decision goes one level up the unit tree
  (``escalation_level`` 1, :func:`backend.accounts.hierarchy.deciding_managers`): those managers
  may decide and are told, the approvers below are told it left them. Once only (the level
  changes from 0 in one conditional update), and not at the head of the tree (nobody above).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol, TypedDict, TypeVar
from uuid import UUID

from backend import accounts, notification_flows
from backend.audit.services import record
from kernel.timeutil import as_utc
from kernel.unit_of_work import UnitOfWork
from sync import touch_rows

__all__ = ("DeadlineRun", "HourRules", "Waiting", "WaitingRecord", "run_waiting")


class WaitingRecord(TypedDict):
    """What the run reads of every submitted request (each domain's row has more: its own
    record type, of which these keys are a part)."""

    id: UUID
    organisation: UUID
    agent: UUID
    content_hash: str
    escalation_level: int


#: A domain's submitted row (:class:`WaitingRecord` and what its deadline and notifications read).
Record = TypeVar("Record", bound=WaitingRecord)


class HourRules(Protocol):
    """An organisation's rules, in hours."""

    @property
    def decide_within_hours(self) -> int: ...
    @property
    def remind_before_hours(self) -> int: ...
    @property
    def escalate_after_hours(self) -> int: ...


@dataclass(frozen=True)
class Waiting(Generic[Record]):
    """What the run needs to know of one kind of request.

    ``kind``: the delegation kind and decision screen (mission, claim); ``entity``: the synced
    entity and audit document type; ``submitted``: the submitted rows (of the organisations
    named, when named), each a :class:`WaitingRecord` and more;
    ``deadline``: when a row must be decided by; ``raise_level``: set level 1 on a row still
    submitted at level 0, True when it did; ``request``: how the notifications name a row.
    """

    kind: str
    entity: str
    submitted: Callable[[list[UUID] | None], Awaitable[list[Record]]]
    deadline: Callable[[Record, HourRules], datetime]
    raise_level: Callable[[UUID], Awaitable[bool]]
    request: Callable[[Record], notification_flows.Request]
    rules: Callable[[UUID], Awaitable[HourRules]]


@dataclass(frozen=True)
class DeadlineRun:
    """What one run did: requests in their reminder window (each reminded once: later runs
    write nothing new) and requests escalated."""

    reminded: int
    escalated: int


async def _escalate(waiting: Waiting[Record], row: Record, deadline: datetime,
                    now: datetime) -> bool:
    below = set(await accounts.approvers_for(row["agent"], now, kind=waiting.kind))
    above = set(await accounts.approvers_for(row["agent"], now, level=1, kind=waiting.kind))
    if not above - below:
        return False  # the head of the tree: nobody further up
    async with UnitOfWork() as unit_of_work:
        if not await waiting.raise_level(row["id"]):
            return False
        touch_rows(unit_of_work, waiting.entity, [row["id"]], organisation=row["organisation"])
        await record(organisation_id=row["organisation"], document_type=waiting.entity,
                     document_id=row["id"], action="escalate", server_time=now,
                     content_hash=row["content_hash"],
                     details={"deadline": deadline.isoformat(), "level": 1})
        await notification_flows.escalated(waiting.request(row), deadline=deadline,
                                           to=sorted(above - below), away_from=sorted(below))
    return True


async def run_waiting(waiting: Waiting[Record], now: datetime | None = None, *,
                      organisation_ids: list[UUID] | None = None) -> DeadlineRun:
    """Remind and escalate every submitted request of ``waiting``'s kind whose time has come
    at ``now`` (of the given organisations only, when named)."""
    now = as_utc(now or datetime.now(UTC))
    rules: dict[UUID, HourRules] = {}
    reminded = escalated = 0
    for row in await waiting.submitted(organisation_ids):
        org = row["organisation"]
        if org not in rules:
            rules[org] = await waiting.rules(org)
        deadline = waiting.deadline(row, rules[org])
        escalate_at = deadline + timedelta(hours=rules[org].escalate_after_hours)
        level = int(row["escalation_level"] or 0)
        if level == 0 and now >= escalate_at:
            escalated += await _escalate(waiting, row, deadline, now)
        elif deadline - timedelta(hours=rules[org].remind_before_hours) <= now < escalate_at:
            approvers = await accounts.approvers_for(row["agent"], now, level=level,
                                                     kind=waiting.kind)
            reminded += await notification_flows.deadline_near(
                waiting.request(row), deadline=deadline, approvers=approvers)
    return DeadlineRun(reminded=reminded, escalated=escalated)
