"""Wire types of purchase orders and service done."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from sync.wire import SyncedRow

__all__ = (
    "CertifiedQuantity",
    "OrderCertifyArgs",
    "OrderCreateArgs",
    "OrderLine",
    "OrderLineIn",
    "OrderLineRow",
    "OrderOut",
    "OrderPage",
    "OrderRevokeArgs",
    "OrderRow",
    "ServiceDoneProposal",
)

Quantity = Decimal  # bounds checked by the services (msgspec has no Decimal bounds)
Cents = Annotated[int, msgspec.Meta(ge=0, le=10**13)]


class OrderLineIn(msgspec.Struct, frozen=True, kw_only=True):
    line_no: Annotated[int, msgspec.Meta(ge=1, le=10_000)]
    description: Annotated[str, msgspec.Meta(max_length=400)] = ""
    quantity: Quantity
    unit_price_cents: Cents


class OrderLine(msgspec.Struct, frozen=True, kw_only=True):
    line_no: int
    description: str
    quantity: Decimal
    unit_price_cents: int
    received: Decimal


class OrderCreateArgs(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    unit_id: UUID
    supplier_company_id: UUID | None = None
    ej_number: Annotated[str, msgspec.Meta(max_length=32)] = ""
    code_service: Annotated[str, msgspec.Meta(max_length=32)] = ""
    title: Annotated[str, msgspec.Meta(max_length=400)] = ""
    lines: Annotated[list[OrderLineIn], msgspec.Meta(min_length=1, max_length=500)]


class CertifiedQuantity(msgspec.Struct, frozen=True, kw_only=True):
    line_no: int
    received: Quantity


class OrderCertifyArgs(msgspec.Struct, frozen=True, kw_only=True):
    """Service done: ``lines`` None = the whole order. ``round_seen`` from the pulled order."""

    id: UUID
    round_seen: int
    certified_on: date
    lines: Annotated[list[CertifiedQuantity], msgspec.Meta(max_length=500)] | None = None
    comment: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    invoice_id: UUID | None = None


class OrderRevokeArgs(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    reason: Annotated[str, msgspec.Meta(max_length=2000)]
    line_nos: list[int] | None = None


class OrderOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    number: str
    unit_id: UUID | None
    supplier_company_id: UUID | None
    supplier_name: str
    ej_number: str
    code_service: str
    title: str
    lines: list[OrderLine]
    total_cents: int
    certified_cents: int
    state: str
    certification_round: int
    certified_at: datetime | None
    certified_by: UUID | None
    certified_on: str
    certification_comment: str
    row_version: int


class OrderPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[OrderOut]
    total: int
    offset: int
    limit: int


class ServiceDoneProposal(msgspec.Struct, frozen=True, kw_only=True):
    """"Service fait assisté": quantities prefilled from the order's invoices."""

    order_id: UUID
    invoice_ids: list[UUID]
    round_seen: int
    lines: list[CertifiedQuantity]


class OrderLineRow(msgspec.Struct, kw_only=True):
    """A line of an order as stored and synced (quantities as decimal strings)."""

    line_no: int
    description: str
    quantity: str
    unit_price_cents: int
    received: str


class OrderRow(SyncedRow, kw_only=True):
    """A purchase order as pull sends it: its columns (but the number's unique key), the lines
    decoded."""

    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    id: UUID
    unit: UUID | None
    supplier_company: UUID | None
    supplier_name: str
    number: str
    ej_number: str
    code_service: str
    title: str
    lines: list[OrderLineRow]
    total_cents: int
    certified_cents: int
    state: str
    certification_round: int
    certified_at: datetime | None
    certified_by: UUID | None
    certified_on: str
    certification_comment: str
    created_at: datetime
