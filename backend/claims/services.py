"""Expense claims: the intents' effects, visibility and reads (the only code querying the
``expense_claim`` table)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from backend import accounts, approvals, flows, notification_flows
from backend.accounts.actor import Actor
from backend.audit.services import record_intent
from backend.claims.rules import CLAIM_CIRCUIT, EDITABLE_STATES, LineAmount, claim_totals
from backend.claims.schemas import (
    ClaimCommandArgs,
    ClaimCreateArgs,
    ClaimDecideArgs,
    ClaimOut,
    ClaimPage,
    ClaimPaidArgs,
)
from backend.claims.tables import ExpenseClaim
from backend.coerce import json_value
from backend.errors import DomainError
from backend.expenses.claim_lines import lines_of_claim
from backend.intents import compare_and_set, load, refusals
from backend.missions import services as missions
from backend.paging import fetch_page
from backend.policy.checks import has_blocking
from backend.policy.services import eur_cents_of, rate_on
from backend.queries import all_of
from backend.timeutil import as_utc_or_none
from backend.workflow import content_hash
from sync import MutationContext, Noop, Rejected, Transient
from sync.blobs import holds_blob

__all__ = (
    "ENTITY",
    "check_line_may_join",
    "create",
    "decide",
    "get_claim",
    "is_visible",
    "lines_editable",
    "list_claims",
    "mark_paid",
    "mission_of",
    "submit",
    "to_wire",
    "visible",
    "withdraw",
)

ENTITY = "expense_claim"
_LINE_CONTENT = ("id", "date", "category", "merchant", "description", "amount_cents",
                 "currency", "fx_rate", "vat_rate_bp", "vat_cents", "km", "fiscal_hp",
                 "receipts")


async def visible(actor: Actor) -> Any:
    """Agents: their own claims; managers: also those they decide on now; back-office and
    admin: their organisation's; suppliers: none."""
    if actor.role in ("back_office", "admin"):
        return ExpenseClaim.organisation == actor.organisation_id
    if actor.role == "agent":
        return (ExpenseClaim.agent == actor.user_id) & (
            ExpenseClaim.organisation == actor.organisation_id)
    if actor.role == "manager":
        people = await approvals.approvees_of(actor.user_id, datetime.now().astimezone())
        return ExpenseClaim.agent.is_in([actor.user_id, *people]) & (
            ExpenseClaim.organisation == actor.organisation_id)
    return None


def to_wire(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if isinstance(out.get("findings"), str):
        out["findings"] = json.loads(out["findings"])
    return msgspec.to_builtins(out)  # type: ignore[no-any-return]


def _content(claim: dict[str, Any], lines: list[dict[str, Any]]) -> str:
    return content_hash({
        "mission": claim["mission"], "title": claim["title"],
        "lines": [{name: line.get(name) for name in _LINE_CONTENT} for line in lines]})


async def create(ctx: MutationContext, args: ClaimCreateArgs) -> None:
    actor = ctx.actor
    if not actor.is_staff or actor.organisation_id is None:
        raise Rejected("FORBIDDEN", {"reason": "only_staff_claim"})
    mission = await missions.mission_row(actor.organisation_id, args.mission_id)
    if mission is None or mission["agent"] != actor.user_id:
        raise Rejected("NOT_FOUND", {"mission_id": str(args.mission_id)})
    if mission["state"] != "approved":
        raise Rejected("MISSION_NOT_APPROVED", {"state": mission["state"]})
    if await ExpenseClaim.exists().where(ExpenseClaim.id == args.id):
        raise Rejected("ROW_EXISTS", {"id": str(args.id)})
    await ExpenseClaim.insert(ExpenseClaim(
        id=args.id, organisation=actor.organisation_id, agent=actor.user_id, unit=actor.unit_id,
        agent_name=await accounts.full_name_of(actor.user_id), mission=args.mission_id,
        title=args.title or mission["destination"],
        created_at=ctx.server_time))
    await ctx.touch(ENTITY, args.id)


async def _own(ctx: MutationContext, claim_id: UUID) -> dict[str, Any]:
    row = await load(ExpenseClaim, claim_id, ctx.actor.organisation_id)
    if row["agent"] != ctx.actor.user_id:
        raise Rejected("FORBIDDEN", {"reason": "not_your_claim"})
    return row


async def _move(ctx: MutationContext, row: dict[str, Any], command: str, expected: str,
                values: dict[Any, Any], *, seen_hash: str | None = None,
                current_hash: str | None = None, content: str = "",
                details: dict[str, Any] | None = None) -> Noop | None:
    with refusals():
        outcome = CLAIM_CIRCUIT.check(command, current=row["state"], expected=expected,
                                      seen_hash=seen_hash, current_hash=current_hash)
    if outcome.kind == "noop":
        return Noop("ALREADY_DECIDED" if command in ("approve", "refuse", "return")
                    else "ALREADY_DONE", {"state": row["state"]})
    await compare_and_set(ExpenseClaim, row, {ExpenseClaim.state: outcome.target, **values})
    await ctx.touch(ENTITY, row["id"])
    await record_intent(ctx, organisation_id=row["organisation"], document_type=ENTITY,
                        document_id=row["id"], action=command,
                        content_hash=content or row["content_hash"], details=details)
    total = values.get(ExpenseClaim.total_cents)
    reason = str(values.get(ExpenseClaim.decision_reason, ""))
    ctx.after_commit(lambda: notification_flows.claim_moved(
        ctx, row, command, content_hash=content or row["content_hash"],
        total_cents=int(total) if total is not None else None, reason=reason))
    return None


async def submit(ctx: MutationContext, args: ClaimCommandArgs, *, today: date) -> Noop | None:
    """Submit: lines present, receipts attached and uploaded, no blocking policy finding."""
    row = await _own(ctx, args.id)
    if row["state"] == "submitted":
        return Noop("ALREADY_DONE", {"state": row["state"]})
    lines = await lines_of_claim(args.id, agent_id=row["agent"],
                                 organisation_id=row["organisation"])
    if not lines:
        raise Rejected("CLAIM_EMPTY", {})
    missing = [str(line["id"]) for line in lines
               if line["category"] != "mileage" and not line["receipts"]]
    if missing:
        raise Rejected("RECEIPT_MISSING", {"line_ids": missing})
    for line in lines:
        for sha in line["receipts"]:
            if not await holds_blob(row["organisation"], sha, row["agent"]):
                raise Transient("BLOB_PENDING", 5, {"sha256": sha, "line_id": str(line["id"])})
    priced = [await _with_rate(line) for line in lines]
    unpriced = [line for line in priced if line["currency"] != "EUR" and not line["fx_rate"]]
    if unpriced:
        raise Rejected("FX_RATE_MISSING", {
            "line_ids": [str(line["id"]) for line in unpriced],
            "currencies": sorted({line["currency"] for line in unpriced})})
    mission = await missions.mission_row(row["organisation"], row["mission"])
    found = await flows.check_lines(row["organisation"], row["agent"], priced,
                                    mission=mission, today=today)
    all_findings = [{"line_id": line_id, **msgspec.to_builtins(f)}
                    for line_id, items in found.items() for f in items]
    if any(has_blocking(items) for items in found.values()):
        raise Rejected("POLICY_BLOCKING", {"findings": [f for f in all_findings
                                                        if f["severity"] == "blocking"]})
    totals = claim_totals(
        LineAmount(eur_cents_of(int(line["amount_cents"]), line["currency"], line["fx_rate"]),
                   vat_cents=eur_cents_of(int(line["vat_cents"] or 0), line["currency"],
                                          line["fx_rate"]))
        for line in priced)
    digest = _content(row, lines)  # what the agent entered, as a decision re-reads it
    return await _move(ctx, row, "submit", args.expected_state, {
        ExpenseClaim.total_cents: totals.total_cents, ExpenseClaim.vat_cents: totals.vat_cents,
        ExpenseClaim.line_count: totals.line_count,
        ExpenseClaim.findings: json.dumps(all_findings, default=str),
        ExpenseClaim.content_hash: digest, ExpenseClaim.submitted_at: ctx.server_time,
        ExpenseClaim.decision_reason: ""}, content=digest,
        details={"total_cents": totals.total_cents, "lines": totals.line_count})


async def withdraw(ctx: MutationContext, args: ClaimCommandArgs) -> Noop | None:
    """The agent takes a submitted claim back before a decision; a decision made meanwhile
    (even offline) is refused as the state changed."""
    row = await _own(ctx, args.id)
    return await _move(ctx, row, "withdraw", args.expected_state,
                       {ExpenseClaim.submitted_at: None})


async def _with_rate(line: dict[str, Any]) -> dict[str, Any]:
    """A foreign-currency line without a positive rate of its own takes the rate of its day
    from the dated rates table (still without one when none was published)."""
    currency = (line.get("currency") or "EUR").upper()
    own = line.get("fx_rate")
    if currency == "EUR" or (own and Decimal(own) > 0):
        return {**line, "currency": currency}
    rate = await rate_on(currency, line["date"])
    return {**line, "currency": currency, "fx_rate": str(rate) if rate else None}


async def decide(ctx: MutationContext, args: ClaimDecideArgs) -> Noop | None:
    row = await load(ExpenseClaim, args.id, ctx.actor.organisation_id)
    if not await approvals.can_approve_for(ctx.actor, row["agent"], ctx.server_time):
        raise Rejected("FORBIDDEN", {"reason": "not_an_approver"})
    if args.decision != "approve" and not args.reason.strip():
        raise Rejected("REASON_REQUIRED", {"decision": args.decision})
    live = _content(row, await lines_of_claim(args.id, agent_id=row["agent"],
                                              organisation_id=row["organisation"]))
    return await _move(
        ctx, row, args.decision, args.expected_state,
        {ExpenseClaim.decided_at: ctx.server_time, ExpenseClaim.decided_by: ctx.actor.user_id,
         ExpenseClaim.decision_reason: args.reason.strip()},
        seen_hash=args.content_hash, current_hash=live, content=live,
        details={"reason": args.reason.strip()} if args.reason else None)


async def mark_paid(ctx: MutationContext, args: ClaimPaidArgs) -> Noop | None:
    if ctx.actor.role not in ("back_office", "admin"):
        raise Rejected("FORBIDDEN", {"reason": "back_office_only"})
    row = await load(ExpenseClaim, args.id, ctx.actor.organisation_id)
    return await _move(ctx, row, "mark_paid", args.expected_state, {
        ExpenseClaim.paid_at: ctx.server_time, ExpenseClaim.paid_by: ctx.actor.user_id,
        ExpenseClaim.payment_reference: args.payment_reference},
        details={"payment_reference": args.payment_reference})


# --- reads -----------------------------------------------------------------------------------


def _out(row: dict[str, Any]) -> ClaimOut:
    findings = row["findings"]
    return ClaimOut(
        id=row["id"], agent_id=row["agent"], mission_id=row["mission"], title=row["title"],
        state=row["state"], total_cents=row["total_cents"], vat_cents=row["vat_cents"],
        line_count=row["line_count"],
        findings=json_value(findings) or [],
        content_hash=row["content_hash"], row_version=row["row_version"],
        submitted_at=as_utc_or_none(row["submitted_at"]),
        decided_at=as_utc_or_none(row["decided_at"]), decided_by=row["decided_by"],
        decision_reason=row["decision_reason"], paid_at=as_utc_or_none(row["paid_at"]),
        payment_reference=row["payment_reference"])


async def list_claims(actor: Actor, *, state: str | None = None,
                      mission_id: UUID | None = None, agent_id: UUID | None = None,
                      offset: int = 0, limit: int = 50) -> ClaimPage:
    clause = await visible(actor)
    if clause is None:
        return ClaimPage(items=[], total=0, offset=offset, limit=limit)
    conditions = [clause, ExpenseClaim.deleted_at.is_null()]
    if state:
        conditions.append(ExpenseClaim.state == state)
    if mission_id:
        conditions.append(ExpenseClaim.mission == mission_id)
    if agent_id:
        conditions.append(ExpenseClaim.agent == agent_id)
    rows, total = await fetch_page(ExpenseClaim, all_of(conditions),
                                   (ExpenseClaim.created_at, False), offset=offset, limit=limit)
    return ClaimPage(items=[_out(r) for r in rows], total=total, offset=offset, limit=limit)


async def get_claim(actor: Actor, claim_id: UUID) -> ClaimOut:
    clause = await visible(actor)
    row = None if clause is None else await ExpenseClaim.select().where(
        clause & (ExpenseClaim.id == claim_id)).output(load_json=True).first()
    if row is None:
        raise DomainError("NOT_FOUND", {"id": str(claim_id)})
    return _out(row)


async def check_line_may_join(actor: Actor, claim_id: UUID) -> None:
    """The one rule for a line pointing at a claim (created in it or moved into it): the claim
    is the actor's own, in their organisation, and open to changes (draft or returned).

    Raises CLAIM_NOT_YOURS (unknown, deleted, someone else's or another organisation's claim:
    the same answer, so nothing leaks) or NOT_EDITABLE (the claim is under review or closed).
    """
    row = await ExpenseClaim.select(
        ExpenseClaim.agent, ExpenseClaim.organisation, ExpenseClaim.state,
        ExpenseClaim.deleted_at).where(ExpenseClaim.id == claim_id).first()
    if (row is None or row["deleted_at"] is not None or actor.organisation_id is None
            or row["organisation"] != actor.organisation_id or row["agent"] != actor.user_id):
        raise Rejected("CLAIM_NOT_YOURS", {"claim_id": str(claim_id)})
    if row["state"] not in EDITABLE_STATES:
        raise Rejected("NOT_EDITABLE", {"claim_id": str(claim_id), "claim_state": row["state"]})


async def lines_editable(claim_id: UUID) -> tuple[bool, str | None]:
    """Whether lines of this claim may change (draft or returned), and its state."""
    row = await ExpenseClaim.select(ExpenseClaim.state).where(ExpenseClaim.id == claim_id).first()
    if row is None:
        return True, None
    return row["state"] in EDITABLE_STATES, str(row["state"])


async def mission_of(claim_id: UUID) -> UUID | None:
    """The mission a claim is for (None for an unknown claim): its dates bound the receipts'."""
    row = await ExpenseClaim.select(ExpenseClaim.mission).where(
        ExpenseClaim.id == claim_id).first()
    if row is None:
        return None
    return row["mission"] if isinstance(row["mission"], UUID) else UUID(str(row["mission"]))


async def is_visible(actor: Actor, claim_id: UUID) -> bool:
    clause = await visible(actor)
    return clause is not None and bool(
        await ExpenseClaim.exists().where(clause & (ExpenseClaim.id == claim_id)))
