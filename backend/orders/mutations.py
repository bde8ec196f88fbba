"""Sync intents of purchase orders and service done."""

from __future__ import annotations

from backend import flows
from backend.accounts import directory
from backend.audit.services import register_document
from backend.orders import services
from backend.orders.schemas import OrderCertifyArgs, OrderCreateArgs, OrderRevokeArgs
from backend.orders.tables import PurchaseOrder
from sync import (
    MutationContext,
    Noop,
    Outcome,
    Rejected,
    mutation,
    organisation_scope,
    synced_entity,
)

__all__ = ("certify", "create", "revoke")

synced_entity(services.ENTITY, PurchaseOrder, visible=services.visible,
              to_wire=services.to_wire)
register_document(services.ENTITY, services.is_visible)
organisation_scope(services.supplier_organisations)


@mutation("purchase_order.create", 1, OrderCreateArgs)
async def create(ctx: MutationContext, args: OrderCreateArgs) -> Outcome | None:
    """The back-office records a purchase order (legal commitment) of one of its units."""
    if ctx.actor.role not in ("back_office", "admin") or ctx.actor.organisation_id is None:
        raise Rejected("FORBIDDEN", {"reason": "back_office_only"})
    if not await directory.unit_belongs_to(args.unit_id, ctx.actor.organisation_id):
        raise Rejected("NOT_FOUND", {"unit_id": str(args.unit_id)})
    supplier_name = ""
    if args.supplier_company_id is not None:
        found = await directory.supplier_by_id(args.supplier_company_id)
        if found is None:
            raise Rejected("SUPPLIER_UNKNOWN", {"id": str(args.supplier_company_id)})
        supplier_name = found
    await services.create_order(organisation_id=ctx.actor.organisation_id, args=args,
                                supplier_name=supplier_name,
                                now=ctx.server_time)
    await ctx.touch(services.ENTITY, args.id)
    return None


@mutation("purchase_order.certify", 1, OrderCertifyArgs)
async def certify(ctx: MutationContext, args: OrderCertifyArgs) -> Outcome | None:
    """A manager of the order's unit certifies service done, whole or per line."""
    result = await services.certify_order(ctx, args)
    if isinstance(result, Noop):
        return result
    order, _ = result
    await flows.move_invoices_to_service_done(ctx, order, invoice_id=args.invoice_id)
    return None


@mutation("purchase_order.revoke", 1, OrderRevokeArgs)
async def revoke(ctx: MutationContext, args: OrderRevokeArgs) -> Outcome | None:
    """An authorised person revokes service done, with a reason; the order's invoices lose
    their SERVICE_FAIT (refused once a payment was ordered for one of them)."""
    order = await services.revoke_order(ctx, args)
    await flows.check_revocable(order)
    await flows.void_invoices_service_done(ctx, order, reason=args.reason.strip())
    return None
