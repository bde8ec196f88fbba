"""Sync intents of expense-line drafts: create, edit, delete, attach a receipt."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from backend.coerce import json_value
from backend.expenses.readings import fill_line, stored_reading
from backend.expenses.schemas import AttachReceiptArgs, CreateArgs, DeleteArgs, EditArgs
from backend.expenses.services import (
    ENTITY,
    MONEY_FIELDS,
    expense_line_to_wire,
    get_line,
    owner_holds_receipt,
    visible_lines,
)
from backend.expenses.tables import ExpenseLine
from sync import MutationContext, Noop, Outcome, Rejected, mutation, reference_blob, synced_entity
from sync.conflicts import check_not_deleted, merge_draft

__all__ = ("ENTITY", "attach_receipt", "create", "delete", "edit")

synced_entity(ENTITY, ExpenseLine, visible=visible_lines, to_wire=expense_line_to_wire)


async def _check_claim_open(claim_id: Any) -> None:
    """Lines of a submitted, approved or paid claim are frozen (NOT_EDITABLE)."""
    if claim_id is None:
        return
    from backend.claims.services import lines_editable  # claims reads lines: import late

    editable, state = await lines_editable(claim_id)
    if not editable:
        raise Rejected("NOT_EDITABLE", {"claim_id": str(claim_id), "claim_state": state})


async def _check_joins(ctx: MutationContext, claim_id: Any) -> None:
    """A line goes only into its owner's own open claim (the claims domain's rule)."""
    if claim_id is None or claim_id is msgspec.UNSET:
        return
    from backend.claims.services import check_line_may_join  # claims reads lines: import late

    await check_line_may_join(ctx.actor, claim_id)


async def _own_live_line(ctx: MutationContext, line_id: Any) -> dict[str, Any]:
    row = await get_line(line_id, for_update=True)
    if row is None or str(row["organisation"]) != str(ctx.organisation_id):
        raise Rejected("NOT_FOUND", {"id": str(line_id)})
    if str(row["owner"]) != str(ctx.actor.user_id):
        raise Rejected("FORBIDDEN", {"reason": "not_owner"})
    await _check_claim_open(row["claim_id"])
    return row


@mutation("expense_line.create", 1, CreateArgs)
async def create(ctx: MutationContext, args: CreateArgs) -> Outcome | None:
    """A new draft line owned by the caller (agents and managers)."""
    if ctx.organisation_id is None or not ctx.actor.is_staff:
        raise Rejected("FORBIDDEN", {"reason": "not_staff"})
    await _check_joins(ctx, args.claim_id)
    values = msgspec.structs.asdict(args)
    sources = values.pop("field_sources")
    fields = [k for k in values if k != "id"]
    # no read first: a duplicate id makes the insert fail, and the intent ROW_EXISTS
    await ctx.insert(ENTITY, ExpenseLine(
        **values, owner=ctx.actor.user_id, organisation=ctx.organisation_id,
        row_version=0, receipts="[]",
        field_versions=msgspec.json.encode(dict.fromkeys(fields, 1)).decode(),
        field_sources=msgspec.json.encode({f: sources.get(f, "user") for f in fields}).decode(),
        field_clients=msgspec.json.encode(dict.fromkeys(fields, str(ctx.client_id))).decode(),
    ), exists=Rejected("ROW_EXISTS", {"id": str(args.id)}))
    return None


@mutation("expense_line.edit", 1, EditArgs)
async def edit(ctx: MutationContext, args: EditArgs) -> Outcome | None:
    """Change fields of a draft: per-field merge against ``base_version`` (see sync.conflicts)."""
    row = await _own_live_line(ctx, args.id)
    deleted = check_not_deleted(row["deleted_at"])
    if deleted is not None:
        return deleted
    await _check_joins(ctx, args.claim_id)  # nor moved into a claim not theirs or under review
    changes = {k: v for k, v in msgspec.structs.asdict(args).items()
               if k not in ("id", "base_version", "field_sources") and v is not msgspec.UNSET}
    new_version = int(row["row_version"]) + 1
    writers: dict[str, str] = json_value(row["field_clients"]) or {}
    me = str(ctx.client_id)
    merged = merge_draft(current=row, field_versions=json_value(row["field_versions"]) or {},
                         base_version=args.base_version, changes=changes,
                         new_version=new_version, money_fields=MONEY_FIELDS,
                         own_fields={name for name, client in writers.items() if client == me})
    if not merged.values:
        return Noop("NO_CHANGE")
    for conflict in merged.conflicts:
        ctx.conflict(conflict.field, conflict.lost, conflict.kept)
    sources = json_value(row["field_sources"]) or {}
    for name in merged.values:
        sources[name] = args.field_sources.get(name, "user")
    update: dict[Any, Any] = {getattr(ExpenseLine, k): v for k, v in merged.values.items()}
    update[ExpenseLine.field_versions] = msgspec.json.encode(merged.field_versions).decode()
    update[ExpenseLine.field_sources] = msgspec.json.encode(sources).decode()
    update[ExpenseLine.field_clients] = msgspec.json.encode(
        {**writers, **dict.fromkeys(merged.values, me)}).decode()
    await ctx.update(ENTITY, args.id, update)
    return None


@mutation("expense_line.delete", 1, DeleteArgs)
async def delete(ctx: MutationContext, args: DeleteArgs) -> Outcome | None:
    """Delete a draft (a tombstone until the horizon); deleting twice is a no-op."""
    row = await _own_live_line(ctx, args.id)
    if row["deleted_at"] is not None:
        return Noop("ROW_DELETED")
    await ExpenseLine.update({ExpenseLine.deleted_at: datetime.now(UTC)}).where(
        ExpenseLine.id == args.id)
    await ctx.touch(ENTITY, args.id)
    return None


@mutation("expense_line.attach_receipt", 1, AttachReceiptArgs)
async def attach_receipt(ctx: MutationContext, args: AttachReceiptArgs) -> Outcome | None:
    """Reference a receipt blob by SHA-256 (queued at once; the bytes may still be uploading).

    The receipt counts on the line once its owner uploaded it themselves
    (:func:`owner_holds_receipt`): then the line references the blob and, when the receipt
    was already read, its reading fills the line's non-user fields in this same intent.
    Attached before the upload, both happen when the upload completes
    (``backend.expenses.ocr_flow.receipt_held``)."""
    row = await _own_live_line(ctx, args.id)
    deleted = check_not_deleted(row["deleted_at"])
    if deleted is not None:
        return deleted
    receipts = list(json_value(row["receipts"]) or [])
    if args.sha256 in receipts:
        return Noop("ALREADY_ATTACHED")
    receipts.append(args.sha256)
    await ExpenseLine.update({ExpenseLine.receipts: msgspec.json.encode(receipts).decode()}).where(
        ExpenseLine.id == args.id)
    assert ctx.organisation_id is not None
    if await owner_holds_receipt(row, args.sha256):
        await reference_blob(ctx.organisation_id, args.sha256, ENTITY, args.id)
        reading = await stored_reading(ctx.organisation_id, args.sha256)
        if reading is not None:  # read before it was attached here: fill the line now
            await fill_line(row, args.sha256, reading, int(row["row_version"]) + 1)
    await ctx.touch(ENTITY, args.id)
    return None
