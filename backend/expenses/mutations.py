"""Sync intents of expense-line drafts: create, edit, delete, attach a receipt."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, TypedDict, cast
from uuid import UUID

import msgspec

from backend.expenses.claim_rules import claim_rules
from backend.expenses.mileage import price_mileage
from backend.expenses.ocr_flow import queue_reading
from backend.expenses.readings import fill_line, mission_days, stored_reading
from backend.expenses.rows import ExpenseLineRecord
from backend.expenses.schemas import (
    AttachReceiptArgs,
    CreateArgs,
    DeleteArgs,
    EditArgs,
    ExpenseLineRow,
    SplitReceiptsArgs,
)
from backend.expenses.services import (
    ENTITY,
    MONEY_FIELDS,
    expense_line_to_wire,
    get_line,
    owner_holds_receipt,
    visible_lines,
)
from backend.expenses.split import split_line
from backend.expenses.tables import ExpenseLine
from kernel.coerce import json_value
from kernel.errors import Problem, register_codes
from sync import MutationContext, Noop, Outcome, Rejected, mutation, reference_blob, synced_entity
from sync.conflicts import check_not_deleted, merge_draft

__all__ = ("ENTITY", "attach_receipt", "create", "delete", "edit", "split_receipts")

register_codes({
    "ALREADY_SPLIT": Problem(
        409, "Cette ligne n'a plus qu'un justificatif : elle est déjà séparée.",
        "This line holds a single receipt: it is already split."),
    "SPLIT_COUNT_MISMATCH": Problem(
        409, "La ligne n'a plus le même nombre de justificatifs ; rouvrez-la et séparez-la à "
        "nouveau.", "The line no longer holds the same number of receipts; open it again and "
        "split it again."),
})

synced_entity(ENTITY, ExpenseLine, visible=visible_lines, wire=ExpenseLineRow,
              to_wire=expense_line_to_wire)


async def _check_claim_open(claim_id: Any) -> None:
    """Lines of a submitted, approved or paid claim are frozen (NOT_EDITABLE)."""
    if claim_id is None:
        return
    editable, state = await claim_rules().lines_editable(claim_id)
    if not editable:
        raise Rejected("NOT_EDITABLE", {"claim_id": str(claim_id), "claim_state": state})


async def _check_joins(ctx: MutationContext, claim_id: Any) -> None:
    """A line goes only into its owner's own open claim (the claims domain's rule)."""
    if claim_id is None or claim_id is msgspec.UNSET:
        return
    await claim_rules().check_line_may_join(ctx.actor, claim_id)


class _Priced(TypedDict, total=False):
    """What pricing sets on a line: a mileage line's amount, CV and split (JSON text); an
    empty split on lines of other categories."""

    amount_cents: int
    fiscal_hp: int
    currency: str
    mileage: str


async def _own_live_line(ctx: MutationContext, line_id: Any) -> ExpenseLineRecord:
    row = await get_line(line_id, for_update=True)
    if row is None or str(row["organisation"]) != str(ctx.organisation_id):
        raise Rejected("NOT_FOUND", {"id": str(line_id)})
    if str(row["owner"]) != str(ctx.actor.user_id):
        raise Rejected("FORBIDDEN", {"reason": "not_owner"})
    await _check_claim_open(row["claim_id"])
    return row


async def _priced(ctx: MutationContext, line_id: UUID, *, category: str, km: Any,
                  day: date) -> _Priced:
    """A mileage line's amount, CV and split as the server prices them (whatever the phone
    sent); another category carries no split."""
    if category != "mileage":
        return _Priced(mileage="{}")
    assert ctx.organisation_id is not None
    cents, split = await price_mileage(owner=ctx.actor.user_id, organisation=ctx.organisation_id,
                                       line_id=line_id, km=km, day=day)
    return _Priced(amount_cents=cents, fiscal_hp=split["fiscal_cv"], currency="EUR",
                   mileage=msgspec.json.encode(split).decode())


@mutation("expense_line.create", 1, CreateArgs)
async def create(ctx: MutationContext, args: CreateArgs) -> Outcome | None:
    """A new draft line owned by the caller (agents and managers)."""
    if ctx.organisation_id is None or not ctx.actor.is_staff:
        raise Rejected("FORBIDDEN", {"reason": "not_staff"})
    await _check_joins(ctx, args.claim_id)
    values = msgspec.structs.asdict(args)
    sources = values.pop("field_sources")
    values.update(await _priced(ctx, args.id, category=args.category, km=args.km,
                                day=args.date))
    fields = [k for k in values if k not in ("id", "mileage")]
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
    after = cast(ExpenseLineRecord, {**row, **merged.values})  # the merge keeps the fields' types
    if {"km", "date", "category"} & set(merged.values):  # priced again (or split cleared)
        priced = await _priced(ctx, args.id, category=after["category"], km=after["km"],
                               day=after["date"])
        merged.values.update(priced)
        merged.field_versions.update(dict.fromkeys(priced, new_version))
    elif after["category"] == "mileage":  # the server's price stands
        for name in ("amount_cents", "fiscal_hp", "currency"):
            merged.values.pop(name, None)
        if not merged.values:
            return Noop("NO_CHANGE")
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
    Uploaded but not read yet, its reading is queued once the intent commits (a blob is read
    only as the receipt of a line). Attached before the upload, all this happens when the
    upload completes (``backend.expenses.ocr_flow.receipt_held``)."""
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
            await fill_line(row, args.sha256, reading, int(row["row_version"]) + 1,
                            await mission_days(ctx.organisation_id, row["claim_id"]))
        else:  # uploaded before it was attached here: a receipt now, read it once committed
            queue_reading(ctx.unit_of_work, ctx.organisation_id, args.sha256)
    await ctx.touch(ENTITY, args.id)
    return None


@mutation("expense_line.split_receipts", 1, SplitReceiptsArgs)
async def split_receipts(ctx: MutationContext, args: SplitReceiptsArgs) -> Outcome | None:
    """One line per receipt: the line keeps its first receipt, the others move to new lines
    filled from their readings (``backend.expenses.split``)."""
    row = await _own_live_line(ctx, args.id)
    deleted = check_not_deleted(row["deleted_at"])
    if deleted is not None:
        return deleted
    return await split_line(ctx, row, args.new_ids)
