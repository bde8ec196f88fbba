"""Expense claims: the intents' effects, visibility and reads (the only code querying the
``expense_claim`` table)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import msgspec

from backend import accounts, approvals, notification_flows
from backend.audit.services import record_intent
from backend.claims.line_checks import check_lines
from backend.claims.rows import ClaimRecord
from backend.claims.rules import (
    CAPS_PAID_ABROAD,
    CLAIM_CIRCUIT,
    EDITABLE_STATES,
    ClaimFinding,
    LineAmount,
    allowance_share,
    claim_totals,
    covered_finding,
    on_line,
)
from backend.claims.schemas import (
    ClaimCommandArgs,
    ClaimCreateArgs,
    ClaimDecideArgs,
    ClaimOut,
    ClaimPage,
    ClaimPaidArgs,
    ClaimRow,
)
from backend.claims.tables import ExpenseClaim
from backend.expenses.claim_lines import checked_line, lines_of_claim, receipt_findings
from backend.expenses.rows import ExpenseLineRecord
from backend.intents import compare_and_set, load, refusals
from backend.missions import services as missions
from backend.missions.schemas import MissionAllowance
from backend.policy.checks import StoredFinding, has_blocking
from backend.policy.services import eur_cents_of, rate_on
from backend.workflow import content_hash
from backend.writing import Writing
from kernel.actor import Actor
from kernel.coerce import json_value
from kernel.errors import DomainError
from kernel.paging import fetch_page
from kernel.queries import all_of
from kernel.timeutil import as_utc_or_none
from sync import Noop, Rejected, Transient
from sync.blobs import holds_blob

__all__ = (
    "ENTITY",
    "KIND",
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
KIND = "claim"  # the kind delegations and deadlines name claims by


class _LineContent(msgspec.Struct, frozen=True, kw_only=True):
    """What a claim's content hash covers of one of its lines (as stored)."""

    id: UUID
    date: date
    category: str
    merchant: str
    description: str
    amount_cents: int
    currency: str
    fx_rate: str | None
    vat_rate_bp: int | None
    vat_cents: int | None
    km: int | None
    fiscal_hp: int | None
    receipts: list[str] | str


class _ClaimContent(msgspec.Struct, frozen=True, kw_only=True):
    """What a manager decides on, as the claim's content hash covers it."""

    mission: UUID
    title: str
    lines: list[_LineContent]


async def visible(actor: Actor) -> Any:
    """Agents: their own claims; managers: also those they decide on now (escalated ones
    included); back-office and admin: their organisation's; suppliers: none."""
    if actor.role in ("back_office", "admin"):
        return ExpenseClaim.organisation == actor.organisation_id
    if actor.role == "agent":
        return (ExpenseClaim.agent == actor.user_id) & (
            ExpenseClaim.organisation == actor.organisation_id)
    if actor.role == "manager":
        people = await approvals.deciding_for(actor.user_id, datetime.now().astimezone(),
                                              KIND)
        clause: Any = ExpenseClaim.agent.is_in([actor.user_id, *people.own])
        if people.escalated:  # claims escalated to the caller (deadline passed below)
            clause = clause | (ExpenseClaim.agent.is_in(people.escalated)
                               & (ExpenseClaim.escalation_level >= 1))
        return clause & (ExpenseClaim.organisation == actor.organisation_id)
    return None


def to_wire(row: dict[str, Any]) -> ClaimRow:
    """A claim row as pull sends it (its findings decoded)."""
    return msgspec.convert({**row, "findings": json_value(row["findings"]) or []}, ClaimRow)


def _content(claim: ClaimRecord, lines: list[ExpenseLineRecord]) -> str:
    return content_hash(_ClaimContent(mission=claim["mission"], title=claim["title"], lines=[
        _LineContent(id=line["id"], date=line["date"], category=line["category"],
                    merchant=line["merchant"], description=line["description"],
                    amount_cents=line["amount_cents"], currency=line["currency"],
                    fx_rate=line["fx_rate"], vat_rate_bp=line["vat_rate_bp"],
                    vat_cents=line["vat_cents"], km=line["km"], fiscal_hp=line["fiscal_hp"],
                    receipts=line["receipts"]) for line in lines]))


async def create(ctx: Writing, args: ClaimCreateArgs) -> None:
    actor = ctx.actor
    if not actor.is_staff or actor.organisation_id is None:
        raise Rejected("FORBIDDEN", {"reason": "only_staff_claim"})
    mission = await missions.live_mission(actor.organisation_id, args.mission_id)
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


async def _load(ctx: Writing, claim_id: UUID) -> ClaimRecord:
    return cast(ClaimRecord, await load(ExpenseClaim, claim_id, ctx.actor.organisation_id))


async def _own(ctx: Writing, claim_id: UUID) -> ClaimRecord:
    row = await _load(ctx, claim_id)
    if row["agent"] != ctx.actor.user_id:
        raise Rejected("FORBIDDEN", {"reason": "not_your_claim"})
    return row


async def _move(ctx: Writing, row: ClaimRecord, command: str, expected: str,
                values: dict[Any, Any], *, seen_hash: str | None = None,
                current_hash: str | None = None, content: str = "",
                details: dict[str, str | int] | None = None) -> Noop | None:
    with refusals():
        outcome = CLAIM_CIRCUIT.check(command, current=row["state"], expected=expected,
                                      seen_hash=seen_hash, current_hash=current_hash)
    if outcome.kind == "noop":
        return Noop("ALREADY_DECIDED" if command in ("approve", "refuse", "return")
                    else "ALREADY_DONE", {"state": row["state"]})
    await compare_and_set(ExpenseClaim, dict(row), {ExpenseClaim.state: outcome.target, **values})
    await ctx.touch(ENTITY, row["id"])
    await record_intent(ctx, organisation_id=row["organisation"], document_type=ENTITY,
                        document_id=row["id"], action=command,
                        content_hash=content or row["content_hash"], details=details)
    total = values.get(ExpenseClaim.total_cents)
    reason = str(values.get(ExpenseClaim.decision_reason, ""))
    await notification_flows.claim_moved(
        ctx, row, command, content_hash=content or row["content_hash"],
        total_cents=int(total) if total is not None else None, reason=reason)
    return None


async def submit(ctx: Writing, args: ClaimCommandArgs, *, today: date) -> Noop | None:
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
    mission = await missions.live_mission(row["organisation"], row["mission"])
    allowance: MissionAllowance = (json_value(mission["allowance"]) if mission else None
                                   ) or MissionAllowance()
    share = allowance_share(allowance, lodging_proven=any(
        line["category"] == "lodging" and line["receipts"] for line in lines))
    found = await check_lines(
        row["organisation"], row["agent"], [checked_line(line) for line in priced],
        mission=mission, today=today,
        overrides={"nights": share.nights, "meals": share.meals} if share.computed else None)
    covered = [line for line in priced if line["category"] in share.covers]
    if share.abroad:  # the French caps say nothing of what the daily allowance abroad pays
        paid = {str(line["id"]) for line in covered}
        found = {line_id: [f for f in items if line_id not in paid
                           or f.code not in CAPS_PAID_ABROAD] for line_id, items in found.items()}
    all_findings = [on_line(line_id, StoredFinding(
        code=f.code, severity=f.severity, message_fr=f.message_fr, message_en=f.message_en,
        figures=f.figures)) for line_id, items in found.items() for f in items]
    days = ((date.fromisoformat(str(mission["starts_on"])[:10]),
             date.fromisoformat(str(mission["ends_on"])[:10])) if mission else None)
    for line in priced:
        line_id = str(line["id"])
        all_findings += [on_line(line_id, f) for f in await receipt_findings(
            line, mission=days, policy_codes={f.code for f in found.get(line_id, [])})]
    all_findings += [covered_finding(str(line["id"]), line["category"], share)
                     for line in covered]
    if any(has_blocking(items) for items in found.values()):
        raise Rejected("POLICY_BLOCKING", {"findings": msgspec.to_builtins(
            [f for f in all_findings if f["severity"] == "blocking"])})
    totals = claim_totals(
        LineAmount(eur_cents_of(int(line["amount_cents"]), line["currency"], line["fx_rate"]),
                   vat_cents=eur_cents_of(int(line["vat_cents"] or 0), line["currency"],
                                          line["fx_rate"]))
        for line in priced if line["category"] not in share.covers)
    digest = _content(row, lines)  # what the agent entered, as a decision re-reads it
    total = totals.total_cents + share.allowance_cents
    return await _move(ctx, row, "submit", args.expected_state, {
        ExpenseClaim.total_cents: total, ExpenseClaim.vat_cents: totals.vat_cents,
        ExpenseClaim.allowance_cents: share.allowance_cents,
        ExpenseClaim.advance_cents: share.advance_cents,
        ExpenseClaim.line_count: totals.line_count,
        ExpenseClaim.findings: json.dumps(all_findings, default=str),
        ExpenseClaim.content_hash: digest, ExpenseClaim.submitted_at: ctx.server_time,
        ExpenseClaim.decision_reason: "", ExpenseClaim.escalation_level: 0}, content=digest,
        details={"total_cents": total, "lines": totals.line_count,
                 "allowance_cents": share.allowance_cents,
                 "advance_cents": share.advance_cents})


async def withdraw(ctx: Writing, args: ClaimCommandArgs) -> Noop | None:
    """The agent takes a submitted claim back before a decision; a decision made meanwhile
    (even offline) is refused as the state changed."""
    row = await _own(ctx, args.id)
    return await _move(ctx, row, "withdraw", args.expected_state,
                       {ExpenseClaim.submitted_at: None, ExpenseClaim.escalation_level: 0})


async def _with_rate(line: ExpenseLineRecord) -> ExpenseLineRecord:
    """A foreign-currency line without a positive rate of its own takes the rate of its day
    from the dated rates table (still without one when none was published)."""
    priced = line.copy()
    priced["currency"] = currency = (line["currency"] or "EUR").upper()
    own = line["fx_rate"]
    if currency == "EUR" or (own and Decimal(own) > 0):
        return priced
    rate = await rate_on(currency, line["date"])
    priced["fx_rate"] = str(rate) if rate else None
    return priced


async def decide(ctx: Writing, args: ClaimDecideArgs) -> Noop | None:
    row = await _load(ctx, args.id)
    level = int(row["escalation_level"] or 0)
    if not await approvals.can_approve_for(ctx.actor, row["agent"], ctx.server_time, level,
                                          kind=KIND):
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


async def mark_paid(ctx: Writing, args: ClaimPaidArgs) -> Noop | None:
    if ctx.actor.role not in ("back_office", "admin"):
        raise Rejected("FORBIDDEN", {"reason": "back_office_only"})
    row = await _load(ctx, args.id)
    return await _move(ctx, row, "mark_paid", args.expected_state, {
        ExpenseClaim.paid_at: ctx.server_time, ExpenseClaim.paid_by: ctx.actor.user_id,
        ExpenseClaim.payment_reference: args.payment_reference},
        details={"payment_reference": args.payment_reference})


# --- reads -----------------------------------------------------------------------------------


def _out(row: ClaimRecord) -> ClaimOut:
    findings: list[ClaimFinding] = json_value(row["findings"]) or []
    return ClaimOut(
        id=row["id"], agent_id=row["agent"], mission_id=row["mission"], title=row["title"],
        state=row["state"], total_cents=row["total_cents"], vat_cents=row["vat_cents"],
        line_count=row["line_count"], allowance_cents=row["allowance_cents"] or 0,
        advance_cents=row["advance_cents"] or 0, findings=findings,
        content_hash=row["content_hash"], row_version=row["row_version"],
        submitted_at=as_utc_or_none(row["submitted_at"]),
        escalation_level=int(row["escalation_level"] or 0),
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
    rows, total = await fetch_page(ExpenseClaim, ClaimRecord, all_of(conditions),
                                   (ExpenseClaim.created_at, False), offset=offset, limit=limit)
    return ClaimPage(items=[_out(r) for r in rows], total=total, offset=offset, limit=limit)


async def get_claim(actor: Actor, claim_id: UUID) -> ClaimOut:
    clause = await visible(actor)
    row = None if clause is None else cast(ClaimRecord | None, await ExpenseClaim.select().where(
        clause & (ExpenseClaim.id == claim_id)).output(load_json=True).first())
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
