"""Sync intents of purchase orders (certifying and revoking service done, which move the
order's invoices too: backend.flow_intents)."""

from __future__ import annotations

from backend.accounts import directory
from backend.audit.services import register_document
from backend.orders import services
from backend.orders.schemas import OrderCreateArgs, OrderRow
from backend.orders.tables import PurchaseOrder
from sync import (
    MutationContext,
    Outcome,
    Rejected,
    mutation,
    organisation_scope,
    synced_entity,
)

__all__ = ("create",)

synced_entity(services.ENTITY, PurchaseOrder, visible=services.visible, wire=OrderRow,
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
