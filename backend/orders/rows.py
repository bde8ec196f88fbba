"""Purchase order rows as :mod:`backend.orders.services` reads them (``PurchaseOrder.select()``
with ``load_json=True``: JSON columns decoded); the one place their shape is written down."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict
from uuid import UUID

__all__ = ("OrderRecord", "StoredOrderLine")


class StoredOrderLine(TypedDict):
    """A line as stored in ``purchase_order.lines`` (quantities as decimal strings)."""

    line_no: int
    description: str
    quantity: str
    unit_price_cents: int
    received: str


class OrderRecord(TypedDict):
    """A whole ``purchase_order`` row."""

    id: UUID
    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    unit: UUID | None
    supplier_company: UUID | None
    supplier_name: str
    number: str
    number_key: str
    ej_number: str
    code_service: str
    title: str
    lines: list[StoredOrderLine]
    total_cents: int
    certified_cents: int
    state: str
    certification_round: int
    certified_at: datetime | None
    certified_by: UUID | None
    certified_on: str
    certification_comment: str
    created_at: datetime
