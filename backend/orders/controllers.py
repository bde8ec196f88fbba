"""Read API of purchase orders, and the "service fait assisté" proposal."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import Parameter, QueryParameter

from backend import flows
from backend.accounts.guards import current_actor, signed_in
from backend.orders import services
from backend.orders.schemas import OrderOut, OrderPage, ServiceDoneProposal
from backend.orders.service_done import OrderState
from backend.paging import Limit, Offset

__all__ = ("OrderController",)



class OrderController(Controller):
    path = "/api/v1/orders"
    guards = [signed_in]  # noqa: RUF012 - Litestar's declaration style
    tags = ["orders"]  # noqa: RUF012

    @get("/", operation_id="listOrders", summary="Purchase orders visible to the caller")
    async def list_orders(
        self,
        request: Request,  # type: ignore[type-arg]
        status: Annotated[OrderState | None, QueryParameter(name="state")] = None,
        q: Annotated[str | None, Parameter(max_length=100)] = None,
        unit_id: UUID | None = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> OrderPage:
        return await services.list_orders(current_actor(request), state=status, q=q,
                                          unit_id=unit_id, offset=offset, limit=limit)

    @get("/{order_id:uuid}", operation_id="getOrder", summary="One purchase order")
    async def get_order(self, request: Request, order_id: UUID) -> OrderOut:  # type: ignore[type-arg]
        return await services.get_order(current_actor(request), order_id)

    @get("/{order_id:uuid}/service-done-proposal", operation_id="getServiceDoneProposal",
         summary="Service done prefilled from the order's invoices (service fait assisté)")
    async def proposal(self, request: Request, order_id: UUID) -> ServiceDoneProposal:  # type: ignore[type-arg]
        return await flows.service_done_proposal(current_actor(request), order_id)
