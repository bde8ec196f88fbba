"""Expense claims waiting for a decision: their side of the periodic run
(:mod:`backend.approval_deadlines`), by the organisation's rules, the same as the missions'
(:func:`backend.missions.deadlines.get_rules`).

* The deadline of a submitted claim: ``decide_within_hours`` after its submission.
* From ``remind_before_hours`` before it, its approvers get one reminder per claim and deadline;
  ``escalate_after_hours`` after it, the decision goes one manager level up
  (``escalation_level`` 1, synced), once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast
from uuid import UUID

from backend import notification_flows
from backend.approval_deadlines import (
    DeadlineRun,
    HourRules,
    Waiting,
    WaitingRecord,
    run_waiting,
)
from backend.claims.services import ENTITY, KIND
from backend.claims.tables import ExpenseClaim
from backend.missions.deadlines import get_rules
from kernel.jobs import job
from kernel.timeutil import as_utc

__all__ = ("JOB_NAME", "WAITING", "SubmittedClaim", "deadline_of", "run_deadlines")

JOB_NAME = "claims.approval_deadlines"
_COLUMNS = (ExpenseClaim.id, ExpenseClaim.organisation, ExpenseClaim.agent,
            ExpenseClaim.agent_name, ExpenseClaim.title, ExpenseClaim.total_cents,
            ExpenseClaim.content_hash, ExpenseClaim.submitted_at, ExpenseClaim.escalation_level)


class SubmittedClaim(WaitingRecord):
    """A submitted claim as the run reads it (``_COLUMNS``)."""

    agent_name: str
    title: str
    total_cents: int
    submitted_at: datetime


def deadline_of(row: SubmittedClaim, rules: HourRules) -> datetime:
    """When a submitted claim must be decided by (pure)."""
    return as_utc(row["submitted_at"]) + timedelta(hours=rules.decide_within_hours)


async def _submitted(organisation_ids: list[UUID] | None) -> list[SubmittedClaim]:
    where = ((ExpenseClaim.state == "submitted") & ExpenseClaim.deleted_at.is_null()
             & ExpenseClaim.submitted_at.is_not_null())
    if organisation_ids is not None:
        where = where & ExpenseClaim.organisation.is_in(organisation_ids)
    return cast(list[SubmittedClaim], await ExpenseClaim.select(*_COLUMNS).where(where))


async def _raise_level(claim_id: UUID) -> bool:
    changed = await ExpenseClaim.update({ExpenseClaim.escalation_level: 1}).where(
        (ExpenseClaim.id == claim_id) & (ExpenseClaim.state == "submitted")
        & (ExpenseClaim.escalation_level == 0)).returning(ExpenseClaim.id)
    return bool(changed)


def _request(row: SubmittedClaim) -> notification_flows.Request:
    return notification_flows.Request(
        kind=KIND, id=row["id"], requester_name=row.get("agent_name", ""),
        label=row.get("title") or "Note de frais",
        amount_cents=int(row["total_cents"] or 0) or None)


WAITING: Waiting[SubmittedClaim] = Waiting(
    kind=KIND, entity=ENTITY, submitted=_submitted, deadline=deadline_of,
    raise_level=_raise_level, request=_request, rules=get_rules)


async def run_deadlines(now: datetime | None = None, *,
                        organisation_ids: list[UUID] | None = None) -> DeadlineRun:
    """Remind and escalate every submitted claim whose time has come at ``now`` (of the given
    organisations only, when named)."""
    return await run_waiting(WAITING, now, organisation_ids=organisation_ids)


@job(JOB_NAME, retries=2, timeout=300)
async def approval_deadlines() -> int:
    """The periodic run (``PERIODIC_JOBS``); returns how many reminders and escalations."""
    done = await run_deadlines()
    return done.reminded + done.escalated
