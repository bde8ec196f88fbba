"""Invoice rows as :mod:`backend.invoices.services` reads them (``Invoice.select()`` with
``load_json=True``: JSON columns decoded); the one place their shape is written down."""

from __future__ import annotations

from datetime import date, datetime
from typing import NotRequired, TypedDict
from uuid import UUID

__all__ = ("InvoiceRecord", "KeyRecord", "RevokedKey", "StoredAttachment", "StoredInvoiceLine",
           "StoredPayment", "StoredStatus")


class StoredInvoiceLine(TypedDict, total=False):
    """A line as stored in ``invoice.lines`` (:class:`~backend.invoices.schemas.InvoiceLine`
    as JSON: ``quantity`` a decimal string)."""

    description: str
    quantity: str
    unit_price_cents: int
    order_line_no: int | None


class StoredAttachment(TypedDict):
    """A document sent with a supplier's answer (:class:`~backend.invoices.schemas.Attachment`
    as JSON)."""

    sha256: str
    name: str
    content_type: str
    size: int


class StoredStatus(TypedDict):
    """One status event as ``invoice.history`` mirrors it (``occurred_at`` ISO 8601;
    ``certified_cents`` with a partial service done recorded by Nomade)."""

    code: str
    occurred_at: str
    reason: NotRequired[str]
    source: NotRequired[str]
    certified_cents: NotRequired[int]
    attachments: NotRequired[list[StoredAttachment]]


class StoredPayment(TypedDict):
    """One payment as ``invoice.payments`` keeps it (``paid_at`` ISO 8601)."""

    paid_at: str
    amount_cents: int
    bank_reference: str


class InvoiceRecord(TypedDict):
    """A whole ``invoice`` row."""

    id: UUID
    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    supplier_company: UUID
    supplier_siret: str
    supplier_name: str
    buyer_name: str
    number: str
    number_key: str
    purchase_order: UUID | None
    order_number: str
    ej_number: str
    code_service: str
    unit: UUID | None
    issued_on: date
    amount_ht_cents: int
    vat_cents: int
    amount_ttc_cents: int
    amount_due_cents: int
    lines: list[StoredInvoiceLine]
    status_code: str
    stage: str
    status_reason: str
    status_at: datetime | None
    submitted_at: datetime | None
    paid_at: datetime | None
    due_at: datetime | None
    late_from: datetime | None
    history: list[StoredStatus]
    payments: list[StoredPayment]
    amount_paid_cents: int
    source: str
    created_at: datetime


class KeyRecord(TypedDict):
    """An integration API key as the administration lists it (never the key itself)."""

    id: UUID
    name: str
    created_at: datetime
    revoked_at: datetime | None


class RevokedKey(TypedDict):
    """A key just revoked (what a rotation reuses of it)."""

    id: UUID
    name: str
