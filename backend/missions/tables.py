"""Piccolo storage of mission orders."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    Date,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sync import SyncedColumns

__all__ = ("ApprovalDeadlineRule", "Mission")


class Mission(SyncedColumns, Table, tablename="mission"):
    """A mission order (ordre de mission): an agent's travel request and its decision.

    ``bookings``: fares held until an expiry time ``[{label, fare_cents, expires_at}]``.
    ``content_hash``: hash of what a manager decides on (purpose … bookings), sent on pull.
    """

    id = UUID(primary_key=True)
    agent = UUID(index=True)
    agent_name = Varchar(length=200, default="")  # shown to the approvers (full_name_of)
    unit = UUID(null=True, default=None, index=True)
    purpose = Text(default="")
    destination = Varchar(length=200, default="")
    starts_on = Date()
    ends_on = Date()
    transport = Varchar(length=32, default="train")
    estimated_cost_cents = BigInt(default=0)
    bookings = JSON(default="[]")
    # Departure and return (UTC; shown and counted in ``time_zone``, the place's wall clock),
    # the country (ISO 3166 alpha-2), whether an advance is asked (missions abroad), and the
    # allowances they give under the rule set in force (backend.policy.allowances), computed
    # by the server at each change.
    departs_at = Timestamptz(null=True, default=None)
    returns_at = Timestamptz(null=True, default=None)
    time_zone = Varchar(length=64, default="Europe/Paris")
    country = Varchar(length=2, default="FR")
    advance_requested = Boolean(default=False)
    allowance = JSON(default="{}")
    state = Varchar(length=16, default="draft", index=True)
    content_hash = Varchar(length=64, default="")
    field_versions = JSON(default="{}")
    # The sync client that last changed each field (not on the wire): a phone's second offline
    # edit is not a conflict with its own first one (see sync.conflicts).
    field_clients = JSON(default="{}")
    earliest_expiry = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    # How many times the decision went one level up the unit tree because its deadline passed
    # (backend.missions.deadlines): 0, the hierarchy's own approvers decide.
    escalation_level = Integer(default=0)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = UUID(null=True, default=None)
    decision_reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ApprovalDeadlineRule(Table, tablename="approval_deadline_rule"):
    """An organisation's rules for requests waiting for a decision (data, not code): a submitted
    mission must be decided within ``decide_within_hours`` (or before its first booking
    expires, if sooner); its approvers are reminded ``remind_before_hours`` before that
    deadline; ``escalate_after_hours`` after it, the decision goes to the next managers up.
    The column defaults are the rules an organisation starts with."""

    organisation = UUID(primary_key=True)
    decide_within_hours = Integer(default=48)
    remind_before_hours = Integer(default=4)
    escalate_after_hours = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
