"""The purchase order row type says what the ``purchase_order`` table stores."""

from __future__ import annotations

from backend.orders.rows import OrderRecord
from backend.orders.tables import PurchaseOrder
from tests.row_shapes import row_mismatches


def test_order_row_names_every_column_with_its_type() -> None:
    assert row_mismatches(OrderRecord, PurchaseOrder) == []
