"""Read API of purchase orders (the "service fait assisté" proposal: backend.flow_routes)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import Parameter, QueryParameter

from backend.orders import services
from backend.orders.schemas import OrderOut, OrderPage
from backend.orders.service_done import OrderState
from kernel.guards import current_actor, signed_in
from kernel.paging import Limit, Offset

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
