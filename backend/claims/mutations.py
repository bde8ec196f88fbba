"""Sync intents of expense claims."""

from __future__ import annotations

from backend.audit.services import register_document
from backend.claims import services
from backend.claims.schemas import (
    ClaimCommandArgs,
    ClaimCreateArgs,
    ClaimDecideArgs,
    ClaimPaidArgs,
    ClaimRow,
)
from backend.claims.tables import ExpenseClaim
from sync import MutationContext, Outcome, mutation, synced_entity

__all__ = ("create", "decide", "mark_paid", "submit", "withdraw")

synced_entity(services.ENTITY, ExpenseClaim, visible=services.visible, wire=ClaimRow,
              to_wire=services.to_wire)
register_document(services.ENTITY, services.is_visible)


@mutation("expense_claim.create", 1, ClaimCreateArgs)
async def create(ctx: MutationContext, args: ClaimCreateArgs) -> Outcome | None:
    """An agent opens a claim for one of their approved missions (lines join via claim_id)."""
    await services.create(ctx, args)
    return None


@mutation("expense_claim.submit", 1, ClaimCommandArgs)
async def submit(ctx: MutationContext, args: ClaimCommandArgs) -> Outcome | None:
    """The agent submits: totals and policy findings are computed by the server."""
    return await services.submit(ctx, args, today=ctx.server_time.date())


@mutation("expense_claim.withdraw", 1, ClaimCommandArgs)
async def withdraw(ctx: MutationContext, args: ClaimCommandArgs) -> Outcome | None:
    """The agent takes a submitted claim back to draft before a decision."""
    return await services.withdraw(ctx, args)


@mutation("expense_claim.decide", 1, ClaimDecideArgs)
async def decide(ctx: MutationContext, args: ClaimDecideArgs) -> Outcome | None:
    """The manager (or a delegate) approves, refuses or returns what they saw."""
    return await services.decide(ctx, args)


@mutation("expense_claim.mark_paid", 1, ClaimPaidArgs)
async def mark_paid(ctx: MutationContext, args: ClaimPaidArgs) -> Outcome | None:
    """The back-office marks an approved claim paid."""
    return await services.mark_paid(ctx, args)
