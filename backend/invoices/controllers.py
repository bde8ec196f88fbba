"""Read API of supplier invoices (search, filters, sort, page, statistics)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.params import Parameter

from backend.invoices import services
from backend.invoices.export import EXPORT_MAX, invoices_csv
from backend.invoices.schemas import InvoiceOut, InvoicePage, InvoiceStats
from backend.invoices.services import InvoiceSort
from backend.invoices.statuses import CODES, Stage
from kernel.guards import current_actor, signed_in
from kernel.paging import Limit, Offset

__all__ = ("InvoiceController",)

Cents = Annotated[int | None, Parameter(ge=0, le=10**13, description="TTC, in cents")]
StatusCode = Annotated[str | None, Parameter(pattern="^(" + "|".join(CODES) + ")$")]


class InvoiceController(Controller):
    path = "/api/v1/invoices"
    guards = [signed_in]  # noqa: RUF012 - Litestar's declaration style
    tags = ["invoices"]  # noqa: RUF012

    @get("/", operation_id="listInvoices",
         summary="Search (number, order, buyer), filter, sort and page invoices")
    async def list_invoices(
        self,
        request: Request,  # type: ignore[type-arg]
        q: Annotated[str | None, Parameter(max_length=100)] = None,
        stage: Stage | None = None,
        status_code: StatusCode = None,
        issued_from: date | None = None,
        issued_until: date | None = None,
        amount_min: Cents = None,
        amount_max: Cents = None,
        late: bool | None = None,
        action: bool | None = None,
        sort: InvoiceSort = "-issued_on",
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> InvoicePage:
        return await services.list_invoices(
            current_actor(request), now=datetime.now(UTC), q=q, stage=stage,
            status_code=status_code, issued_from=issued_from, issued_until=issued_until,
            amount_min=amount_min, amount_max=amount_max, late=late, action=action, sort=sort,
            offset=offset, limit=limit)

    @get("/export.csv", operation_id="exportInvoices", media_type="text/csv",
         summary="The filtered list as CSV (same filters and sort as the list, up to 5,000)")
    async def export_invoices(
        self,
        request: Request,  # type: ignore[type-arg]
        q: Annotated[str | None, Parameter(max_length=100)] = None,
        stage: Stage | None = None,
        status_code: StatusCode = None,
        issued_from: date | None = None,
        issued_until: date | None = None,
        amount_min: Cents = None,
        amount_max: Cents = None,
        late: bool | None = None,
        action: bool | None = None,
        sort: InvoiceSort = "-issued_on",
    ) -> Response[str]:
        actor = current_actor(request)
        page = await services.list_invoices(
            actor, now=datetime.now(UTC), q=q, stage=stage, status_code=status_code,
            issued_from=issued_from, issued_until=issued_until, amount_min=amount_min,
            amount_max=amount_max, late=late, action=action, sort=sort, offset=0,
            limit=EXPORT_MAX)
        return Response(invoices_csv(page.items, actor.language), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="invoices.csv"'})

    @get("/statistics", operation_id="getInvoiceStatistics",
         summary="Count and amount per stage, median days to payment, late invoices")
    async def statistics(self, request: Request, issued_from: date | None = None,  # type: ignore[type-arg]
                         issued_until: date | None = None) -> InvoiceStats:
        return await services.invoice_stats(current_actor(request), now=datetime.now(UTC),
                                            issued_from=issued_from, issued_until=issued_until)

    @get("/{invoice_id:uuid}", operation_id="getInvoice", summary="One invoice and its history")
    async def get_invoice(self, request: Request, invoice_id: UUID) -> InvoiceOut:  # type: ignore[type-arg]
        return await services.get_invoice(current_actor(request), invoice_id,
                                          now=datetime.now(UTC))
