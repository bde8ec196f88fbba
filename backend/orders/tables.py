"""Piccolo storage of purchase orders and their service done."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sync import SyncedColumns

__all__ = ("PurchaseOrder",)


class PurchaseOrder(SyncedColumns, Table, tablename="purchase_order"):
    """A purchase order (bon de commande): a legal commitment (EJ) of a unit to a supplier.

    ``lines``: ``[{line_no, description, quantity, unit_price_cents, received}]`` (quantities
    as decimal strings). ``certification_round`` grows at each revocation, so a certification
    prepared before a revocation is refused instead of silently re-applied.
    """

    id = UUID(primary_key=True)
    unit = UUID(null=True, default=None, index=True)
    supplier_company = UUID(null=True, default=None, index=True)
    supplier_name = Varchar(length=200, default="")
    number = Varchar(length=64)
    number_key = Varchar(length=120, unique=True)  # "<organisation>:<number>"
    ej_number = Varchar(length=32, default="")
    code_service = Varchar(length=32, default="")
    title = Text(default="")
    lines = JSON(default="[]")
    total_cents = BigInt(default=0)
    certified_cents = BigInt(default=0)
    state = Varchar(length=24, default="open", index=True)
    certification_round = Integer(default=0)
    certified_at = Timestamptz(null=True, default=None)
    certified_by = UUID(null=True, default=None)
    certified_on = Varchar(length=10, default="")
    certification_comment = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
