"""Mission orders waiting for a decision: the organisation's reminder and escalation rules
(:class:`backend.missions.tables.ApprovalDeadlineRule`, data an administrator changes; they
apply to expense claims too, :mod:`backend.claims.deadlines`) and the missions' side of the
periodic run (:mod:`backend.approval_deadlines`: one reminder before the deadline, escalation
one level up after it).

* The deadline of a submitted mission: ``decide_within_hours`` after its submission, or its
  first booking's expiry when that comes sooner (and after the submission).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypedDict, cast
from uuid import UUID

from backend import notification_flows
from backend.approval_deadlines import (
    DeadlineRun,
    HourRules,
    Waiting,
    WaitingRecord,
    run_waiting,
)
from backend.missions.schemas import DeadlineRulesIn, DeadlineRulesOut
from backend.missions.tables import ApprovalDeadlineRule, Mission
from kernel.jobs import job
from kernel.timeutil import as_utc, as_utc_or_none

__all__ = ("JOB_NAME", "WAITING", "DeadlineRun", "SubmittedMission", "deadline_of", "get_rules",
           "run_deadlines", "set_rules")

JOB_NAME = "missions.approval_deadlines"
ENTITY = "mission"
_COLUMNS = (Mission.id, Mission.organisation, Mission.agent, Mission.agent_name,
            Mission.purpose, Mission.destination, Mission.estimated_cost_cents,
            Mission.content_hash, Mission.submitted_at, Mission.earliest_expiry,
            Mission.escalation_level)


class SubmittedMission(WaitingRecord):
    """A submitted mission as the run reads it (``_COLUMNS``)."""

    agent_name: str
    purpose: str
    destination: str
    estimated_cost_cents: int
    submitted_at: datetime
    earliest_expiry: datetime | None


class _RulesRow(TypedDict):
    """An ``approval_deadline_rule`` row."""

    organisation: UUID
    decide_within_hours: int
    remind_before_hours: int
    escalate_after_hours: int
    updated_at: datetime


def _rules_out(row: _RulesRow) -> DeadlineRulesOut:
    return DeadlineRulesOut(
        decide_within_hours=int(row["decide_within_hours"]),
        remind_before_hours=int(row["remind_before_hours"]),
        escalate_after_hours=int(row["escalate_after_hours"]),
        updated_at=as_utc(row["updated_at"]))


async def get_rules(organisation_id: UUID) -> DeadlineRulesOut:
    """The organisation's rules; an organisation without any gets the defaults stored (the
    table's column defaults), so they are data from then on."""
    row = await ApprovalDeadlineRule.select().where(
        ApprovalDeadlineRule.organisation == organisation_id).first()
    if row is None:
        await ApprovalDeadlineRule.insert(
            ApprovalDeadlineRule(organisation=organisation_id)).on_conflict(action="DO NOTHING")
        row = await ApprovalDeadlineRule.select().where(
            ApprovalDeadlineRule.organisation == organisation_id).first()
    assert row is not None
    return _rules_out(cast(_RulesRow, row))


async def set_rules(organisation_id: UUID, data: DeadlineRulesIn) -> DeadlineRulesOut:
    """Change the organisation's rules (an administrator)."""
    await get_rules(organisation_id)
    await ApprovalDeadlineRule.update({
        ApprovalDeadlineRule.decide_within_hours: data.decide_within_hours,
        ApprovalDeadlineRule.remind_before_hours: data.remind_before_hours,
        ApprovalDeadlineRule.escalate_after_hours: data.escalate_after_hours,
        ApprovalDeadlineRule.updated_at: datetime.now(UTC),
    }).where(ApprovalDeadlineRule.organisation == organisation_id)
    return await get_rules(organisation_id)


def deadline_of(row: SubmittedMission, rules: HourRules) -> datetime:
    """When a submitted mission must be decided by (pure)."""
    submitted = as_utc(row["submitted_at"])
    deadline = submitted + timedelta(hours=rules.decide_within_hours)
    expiry = as_utc_or_none(row.get("earliest_expiry"))
    # A fare that had already expired when the request was sent sets no deadline: passing the
    # request up at once would not save it.
    return min(deadline, expiry) if expiry is not None and expiry > submitted else deadline


async def _submitted(organisation_ids: list[UUID] | None) -> list[SubmittedMission]:
    where = ((Mission.state == "submitted") & Mission.deleted_at.is_null()
             & Mission.submitted_at.is_not_null())
    if organisation_ids is not None:
        where = where & Mission.organisation.is_in(organisation_ids)
    return cast(list[SubmittedMission], await Mission.select(*_COLUMNS).where(where))


async def _raise_level(mission_id: UUID) -> bool:
    changed = await Mission.update({Mission.escalation_level: 1}).where(
        (Mission.id == mission_id) & (Mission.state == "submitted")
        & (Mission.escalation_level == 0)).returning(Mission.id)
    return bool(changed)


def _request(row: SubmittedMission) -> notification_flows.Request:
    return notification_flows.Request(
        kind="mission", id=row["id"], requester_name=row.get("agent_name", ""),
        label=f"{row['purpose']} — {row['destination']}".strip(" —"),
        amount_cents=int(row["estimated_cost_cents"] or 0) or None)


WAITING: Waiting[SubmittedMission] = Waiting(
    kind=ENTITY, entity=ENTITY, submitted=_submitted, deadline=deadline_of,
    raise_level=_raise_level, request=_request, rules=get_rules)


async def run_deadlines(now: datetime | None = None, *,
                        organisation_ids: list[UUID] | None = None) -> DeadlineRun:
    """Remind and escalate every submitted mission whose time has come at ``now`` (of the
    given organisations only, when named)."""
    return await run_waiting(WAITING, now, organisation_ids=organisation_ids)


@job(JOB_NAME, retries=2, timeout=300)
async def approval_deadlines() -> int:
    """The periodic run (``PERIODIC_JOBS``); returns how many reminders and escalations."""
    done = await run_deadlines()
    return done.reminded + done.escalated
