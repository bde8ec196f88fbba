"""The sync intents where domains meet (workflows layer: they call :mod:`backend.flows`; no
domain does): certifying service done on a purchase order moves its invoices to SERVICE_FAIT,
revoking it voids that SERVICE_FAIT."""

from __future__ import annotations

from backend import flows
from backend.orders import services
from backend.orders.schemas import OrderCertifyArgs, OrderRevokeArgs
from sync import MutationContext, Noop, Outcome, mutation

__all__ = ("certify", "revoke")


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
