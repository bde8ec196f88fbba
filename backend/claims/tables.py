"""Piccolo storage of expense claims (the lines are the expenses domain's ``expense_line``)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sync import SyncedColumns

__all__ = ("ExpenseClaim",)


class ExpenseClaim(SyncedColumns, Table, tablename="expense_claim"):
    """An expense claim (état de frais) of an agent for one mission.

    Its lines are the expense lines whose ``claim_id`` is this claim. Totals, findings and the
    content hash are computed by the server at submission.
    """

    id = UUID(primary_key=True)
    agent = UUID(index=True)
    agent_name = Varchar(length=200, default="")  # shown to the approvers (full_name_of)
    unit = UUID(null=True, default=None, index=True)
    mission = UUID(index=True)
    title = Varchar(length=200, default="")
    state = Varchar(length=16, default="draft", index=True)
    total_cents = BigInt(default=0)
    # Of the total: the allowances computed from the mission's times (flat meals in France, the
    # daily allowance abroad); and the advance already paid, to deduct from what is paid.
    allowance_cents = BigInt(default=0)
    advance_cents = BigInt(default=0)
    vat_cents = BigInt(default=0)
    line_count = Integer(default=0)
    findings = JSON(default="[]")
    content_hash = Varchar(length=64, default="")
    submitted_at = Timestamptz(null=True, default=None)
    # How many times the decision went one level up the unit tree because its deadline passed
    # (backend.claims.deadlines): 0, the hierarchy's own approvers decide.
    escalation_level = Integer(default=0)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = UUID(null=True, default=None)
    decision_reason = Text(default="")
    paid_at = Timestamptz(null=True, default=None)
    paid_by = UUID(null=True, default=None)
    payment_reference = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
