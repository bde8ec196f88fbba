"""Purchase orders and service done: creation, certification, revocation, visibility, reads
(the only code querying the ``purchase_order`` table)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import msgspec

from backend import approvals
from backend.audit.services import record_intent
from backend.intents import compare_and_set, load, refusals
from backend.orders.rows import OrderRecord, StoredOrderLine
from backend.orders.schemas import (
    OrderCertifyArgs,
    OrderCreateArgs,
    OrderLine,
    OrderOut,
    OrderPage,
    OrderRevokeArgs,
    OrderRow,
)
from backend.orders.service_done import (
    OrderLineFacts,
    certified_amount_cents,
    certify,
    order_state,
    revoke,
)
from backend.orders.tables import PurchaseOrder
from backend.writing import Writing
from kernel.actor import Actor
from kernel.coerce import json_value
from kernel.errors import DomainError
from kernel.paging import fetch_page
from kernel.queries import all_of, contains
from kernel.timeutil import as_utc_or_none
from sync import Noop, Rejected

__all__ = (
    "ENTITY",
    "certify_order",
    "create_order",
    "facts",
    "find_by_number",
    "get_order",
    "is_visible",
    "list_orders",
    "order_for",
    "revoke_order",
    "supplier_organisations",
    "to_wire",
    "visible",
    "visible_order",
)

ENTITY = "purchase_order"


async def visible(actor: Actor) -> Any:
    """Managers: orders of the units they manage now; back-office and admin: their
    organisation's; suppliers: orders addressed to their company; agents: none."""
    if actor.role in ("back_office", "admin"):
        return PurchaseOrder.organisation == actor.organisation_id
    if actor.role == "manager":
        units = await approvals.units_managed_by(actor.user_id, datetime.now().astimezone(),
                                                kind="service_done")
        if not units:
            return None
        return (PurchaseOrder.organisation == actor.organisation_id) & PurchaseOrder.unit.is_in(
            units)
    if actor.role == "supplier" and actor.supplier_company_id is not None:
        return PurchaseOrder.supplier_company == actor.supplier_company_id
    return None


def _lines(raw: str | list[StoredOrderLine]) -> list[StoredOrderLine]:
    return list(json_value(raw) or [])


def facts(row: OrderRecord) -> list[OrderLineFacts]:
    """The pure view of an order's lines."""
    return [OrderLineFacts(int(line["line_no"]), Decimal(str(line["quantity"])),
                           Decimal(str(line["received"])), int(line["unit_price_cents"]),
                           line.get("description", "")) for line in _lines(row["lines"])]


def to_wire(row: dict[str, Any]) -> OrderRow:
    """An order row as pull sends it (its lines decoded)."""
    return msgspec.convert({**row, "lines": _lines(row["lines"])}, OrderRow)


async def order_for(organisation_id: UUID, order_id: UUID) -> OrderRecord | None:
    return cast(OrderRecord | None, await PurchaseOrder.select().where(
        (PurchaseOrder.id == order_id) & (PurchaseOrder.organisation == organisation_id)
    ).output(load_json=True).first())


async def find_by_number(organisation_id: UUID, number: str) -> OrderRecord | None:
    """The order ``number`` of the organisation (to link an arriving invoice)."""
    if not number:
        return None
    return cast(OrderRecord | None, await PurchaseOrder.select().where(
        PurchaseOrder.number_key == f"{organisation_id}:{number}").output(load_json=True).first())


async def create_order(*, organisation_id: UUID, args: OrderCreateArgs,
                       supplier_name: str = "", now: datetime) -> None:
    """Record a purchase order (from the back-office intent or the demo seeder)."""
    for line in args.lines:
        if not line.quantity.is_finite() or not Decimal(0) < line.quantity <= Decimal(10**9):
            raise Rejected("QUANTITY_INVALID", {"line_no": line.line_no})
    numbers = [line.line_no for line in args.lines]
    if len(set(numbers)) != len(numbers):
        raise Rejected("ORDER_LINE_UNKNOWN", {"reason": "duplicate_line_no"})
    key = f"{organisation_id}:{args.number}"
    if await PurchaseOrder.exists().where(
            (PurchaseOrder.number_key == key) | (PurchaseOrder.id == args.id)):
        raise Rejected("ROW_EXISTS", {"number": args.number})
    lines: list[StoredOrderLine] = [
        {"line_no": line.line_no, "description": line.description,
         "quantity": str(line.quantity), "unit_price_cents": line.unit_price_cents,
         "received": "0"} for line in args.lines]
    total = sum((line.quantity * line.unit_price_cents for line in args.lines), Decimal(0))
    await PurchaseOrder.insert(PurchaseOrder(
        id=args.id, organisation=organisation_id, unit=args.unit_id,
        supplier_company=args.supplier_company_id, supplier_name=supplier_name,
        number=args.number, number_key=key, ej_number=args.ej_number,
        code_service=args.code_service, title=args.title, lines=json.dumps(lines),
        total_cents=int(total.to_integral_value()), created_at=now))


async def _may_certify(actor: Actor, row: OrderRecord, at: datetime) -> bool:
    if actor.role != "manager" or row["unit"] is None:
        return False
    return row["unit"] in await approvals.units_managed_by(actor.user_id, at,
                                                                kind="service_done")


def _with_received(row: OrderRecord, received: dict[int, Decimal]) -> list[StoredOrderLine]:
    return [{**line, "received": str(received[int(line["line_no"])])}
            for line in _lines(row["lines"])]


async def _load(ctx: Writing, order_id: UUID) -> OrderRecord:
    return cast(OrderRecord, await load(PurchaseOrder, order_id, ctx.actor.organisation_id))


async def certify_order(ctx: Writing, args: OrderCertifyArgs) -> tuple[
        OrderRecord, bool] | Noop:
    """Certify service done (monotonic). Returns the updated row and whether the order is now
    fully received, or a Noop when nothing went up (a stale or repeated certification)."""
    row = await _load(ctx, args.id)
    if not await _may_certify(ctx.actor, row, ctx.server_time):
        raise Rejected("FORBIDDEN", {"reason": "not_a_manager_of_the_unit"})
    lines = facts(row)
    quantities = None if args.lines is None else {q.line_no: q.received for q in args.lines}
    with refusals():
        result = certify(lines, quantities, round_seen=args.round_seen,
                         current_round=row["certification_round"])
    if result.kind == "noop":
        return Noop("ALREADY_DONE", {"state": row["state"]})
    after_lines = [OrderLineFacts(f.line_no, f.ordered, result.received[f.line_no],
                                  f.unit_price_cents, f.description) for f in lines]
    state = order_state(after_lines)
    new_lines = _with_received(row, result.received)
    await compare_and_set(PurchaseOrder, dict(row), {
        PurchaseOrder.lines: json.dumps(new_lines), PurchaseOrder.state: state.value,
        PurchaseOrder.certified_cents: certified_amount_cents(after_lines),
        PurchaseOrder.certified_at: ctx.server_time, PurchaseOrder.certified_by: ctx.actor.user_id,
        PurchaseOrder.certified_on: args.certified_on.isoformat(),
        PurchaseOrder.certification_comment: args.comment})
    await ctx.touch(ENTITY, row["id"])
    await record_intent(ctx, organisation_id=row["organisation"], document_type=ENTITY,
                        document_id=row["id"], action="certify", details={
                            "lines": {str(k): str(v) for k, v in result.raised.items()},
                            "certified_on": args.certified_on.isoformat(),
                            "comment": args.comment, "round": row["certification_round"]})
    return {**row, "lines": new_lines, "state": state.value}, state.value == "received"


async def revoke_order(ctx: Writing, args: OrderRevokeArgs) -> OrderRecord:
    """Revoke service done (explicit, with a reason): back-office, admin or a manager of the
    order's unit. Opens a new certification round; returns the order as it was."""
    row = await _load(ctx, args.id)
    allowed = ctx.actor.role in ("back_office", "admin") or await _may_certify(
        ctx.actor, row, ctx.server_time)
    if not allowed:
        raise Rejected("FORBIDDEN", {"reason": "may_not_revoke"})
    lines = facts(row)
    with refusals():
        received = revoke(lines, args.line_nos, args.reason)
    after = [OrderLineFacts(f.line_no, f.ordered, received[f.line_no], f.unit_price_cents,
                            f.description) for f in lines]
    await compare_and_set(PurchaseOrder, dict(row), {
        PurchaseOrder.lines: json.dumps(_with_received(row, received)),
        PurchaseOrder.state: order_state(after).value,
        PurchaseOrder.certified_cents: certified_amount_cents(after),
        PurchaseOrder.certification_round: row["certification_round"] + 1})
    await ctx.touch(ENTITY, row["id"])
    await record_intent(ctx, organisation_id=row["organisation"], document_type=ENTITY,
                        document_id=row["id"], action="revoke",
                        details={"reason": args.reason.strip(), "line_nos": args.line_nos,
                                 "round": row["certification_round"] + 1})
    return row


# --- reads -----------------------------------------------------------------------------------


def _out(row: OrderRecord) -> OrderOut:
    return OrderOut(
        id=row["id"], number=row["number"], unit_id=row["unit"],
        supplier_company_id=row["supplier_company"], supplier_name=row["supplier_name"],
        ej_number=row["ej_number"], code_service=row["code_service"], title=row["title"],
        lines=[OrderLine(line_no=f.line_no, description=f.description, quantity=f.ordered,
                         unit_price_cents=f.unit_price_cents, received=f.received)
               for f in facts(row)],
        total_cents=row["total_cents"], certified_cents=row["certified_cents"],
        state=row["state"], certification_round=row["certification_round"],
        certified_at=as_utc_or_none(row["certified_at"]), certified_by=row["certified_by"],
        certified_on=row["certified_on"], certification_comment=row["certification_comment"],
        row_version=row["row_version"])


async def list_orders(actor: Actor, *, state: str | None = None, q: str | None = None,
                      unit_id: UUID | None = None, offset: int = 0, limit: int = 50) -> OrderPage:
    clause = await visible(actor)
    if clause is None:
        return OrderPage(items=[], total=0, offset=offset, limit=limit)
    conditions = [clause, PurchaseOrder.deleted_at.is_null()]
    if state:
        conditions.append(PurchaseOrder.state == state)
    if unit_id:
        conditions.append(PurchaseOrder.unit == unit_id)
    if q:
        conditions.append(contains(PurchaseOrder.number, q)
                          | contains(PurchaseOrder.ej_number, q)
                          | contains(PurchaseOrder.title, q))
    rows, total = await fetch_page(PurchaseOrder, OrderRecord, all_of(conditions),
                                   (PurchaseOrder.created_at, False), offset=offset, limit=limit)
    return OrderPage(items=[_out(r) for r in rows], total=total, offset=offset, limit=limit)


async def get_order(actor: Actor, order_id: UUID) -> OrderOut:
    row = await _visible_row(actor, order_id)
    return _out(row)


async def _visible_row(actor: Actor, order_id: UUID) -> OrderRecord:
    clause = await visible(actor)
    row = None if clause is None else cast(OrderRecord | None, await PurchaseOrder.select().where(
        clause & (PurchaseOrder.id == order_id)).output(load_json=True).first())
    if row is None:
        raise DomainError("NOT_FOUND", {"id": str(order_id)})
    return row


async def visible_order(actor: Actor, order_id: UUID) -> OrderRecord:
    """The order row if ``actor`` sees it (NOT_FOUND otherwise)."""
    return await _visible_row(actor, order_id)


async def is_visible(actor: Actor, order_id: UUID) -> bool:
    clause = await visible(actor)
    return clause is not None and bool(
        await PurchaseOrder.exists().where(clause & (PurchaseOrder.id == order_id)))


async def supplier_organisations(actor: Actor) -> set[UUID]:
    """Organisations with orders addressed to a supplier's company (sync organisation scope)."""
    if actor.role != "supplier" or actor.supplier_company_id is None:
        return set()
    rows = await PurchaseOrder.select(PurchaseOrder.organisation).where(
        PurchaseOrder.supplier_company == actor.supplier_company_id).distinct()
    return {r["organisation"] for r in rows}
