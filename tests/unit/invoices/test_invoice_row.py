"""The invoice row type says what the ``invoice`` table stores (a column added, renamed or made
nullable without the row type following fails here, not in a reader at run time)."""

from __future__ import annotations

from backend.invoices.rows import InvoiceRecord
from backend.invoices.tables import Invoice
from tests.row_shapes import row_mismatches


def test_invoice_row_names_every_column_with_its_type() -> None:
    assert row_mismatches(InvoiceRecord, Invoice) == []
