"""Wire types of supplier invoices: read API, statistics, intents and the integration API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.invoices.statuses import Stage
from sync.wire import SyncedRow

__all__ = (
    "Attachment",
    "IntegrationBatch",
    "IntegrationEventIn",
    "IntegrationEventResult",
    "IntegrationResults",
    "InvoiceCompleteArgs",
    "InvoiceEventRow",
    "InvoiceIn",
    "InvoiceLine",
    "InvoiceOut",
    "InvoicePage",
    "InvoicePaymentRow",
    "InvoicePostStatusArgs",
    "InvoiceRow",
    "InvoiceStats",
    "LateChargesRow",
    "PaymentIn",
    "PaymentOut",
    "StageFigureOut",
    "StatusEventOut",
    "StatusIn",
)

Cents = Annotated[int, msgspec.Meta(ge=0, le=10**13)]
Text64 = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Siret = Annotated[str, msgspec.Meta(pattern=r"^\d{14}$")]
Reason = Annotated[str, msgspec.Meta(max_length=2000)]


class InvoiceLine(msgspec.Struct, frozen=True, kw_only=True):
    description: Annotated[str, msgspec.Meta(max_length=400)] = ""
    quantity: Decimal = Decimal(1)
    unit_price_cents: Cents = 0
    order_line_no: int | None = None


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    """A document sent with an answer (a blob uploaded to the invoice's organisation)."""

    sha256: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    content_type: Annotated[str, msgspec.Meta(max_length=100)] = ""
    size: Annotated[int, msgspec.Meta(ge=0)] = 0


class StatusEventOut(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    stage: str
    occurred_at: datetime
    reason: str = ""
    source: str = ""
    certified_cents: int | None = None
    attachments: list[Attachment] = []


class PaymentOut(msgspec.Struct, frozen=True, kw_only=True):
    paid_at: datetime
    amount_cents: int
    bank_reference: str = ""


class InvoiceOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    number: str
    supplier_company_id: UUID
    supplier_siret: str
    supplier_name: str
    organisation_id: UUID
    buyer_name: str
    purchase_order_id: UUID | None
    order_number: str
    ej_number: str
    code_service: str
    issued_on: date
    amount_ht_cents: int
    vat_cents: int
    amount_ttc_cents: int
    amount_due_cents: int
    lines: list[InvoiceLine]
    status_code: str
    stage: str
    status_reason: str
    status_at: datetime | None
    submitted_at: datetime | None
    paid_at: datetime | None
    due_at: datetime | None
    late: bool
    days_late: int
    # Owed by right when paid late (R.2192-31, D.2192-35): interest at the dated rate (ECB + 8
    # points) per day late, up to now while unpaid, and the €40 recovery indemnity.
    amount_paid_cents: int = 0
    payments: list[PaymentOut] = []
    interest_rate_percent: Decimal | None = None
    interest_cents: int = 0
    indemnity_cents: int = 0
    # Before VAT, what service done covers now (a partial certification covers part of it).
    certified_cents: int = 0
    history: list[StatusEventOut]


class InvoicePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[InvoiceOut]
    total: int
    offset: int
    limit: int


class StageFigureOut(msgspec.Struct, frozen=True, kw_only=True):
    stage: str
    count: int
    amount_cents: int


class InvoiceStats(msgspec.Struct, frozen=True, kw_only=True):
    invoice_count: int
    stages: list[StageFigureOut]
    median_days_to_payment: float | None
    late_count: int
    late_amount_cents: int
    late_invoice_ids: list[UUID]
    late_interest_cents: int = 0
    late_indemnity_cents: int = 0


class InvoicePostStatusArgs(msgspec.Struct, frozen=True, kw_only=True):
    """Back-office posts a status event (source code of ``source``)."""

    id: UUID
    code: Annotated[str, msgspec.Meta(max_length=40)]
    occurred_at: datetime | None = None
    reason: Reason = ""
    source: Annotated[str, msgspec.Meta(max_length=32)] = "chorus_pro"


class InvoiceCompleteArgs(msgspec.Struct, frozen=True, kw_only=True):
    """The supplier answers a suspension (COMPLETEE): a message and documents."""

    id: UUID
    expected_status: str
    comment: Reason = ""
    attachments: Annotated[list[Attachment], msgspec.Meta(max_length=10)] = []


class InvoiceIn(msgspec.Struct, frozen=True, kw_only=True):
    """An invoice as the financial system sends it."""

    number: Text64
    supplier_siret: Siret
    issued_on: date
    amount_ht_cents: Cents
    vat_cents: Cents
    amount_ttc_cents: Cents
    amount_due_cents: Cents | None = None
    order_number: Annotated[str, msgspec.Meta(max_length=64)] = ""
    ej_number: Annotated[str, msgspec.Meta(max_length=32)] = ""
    code_service: Annotated[str, msgspec.Meta(max_length=32)] = ""
    lines: Annotated[list[InvoiceLine], msgspec.Meta(max_length=500)] = []
    status: Annotated[str, msgspec.Meta(max_length=40)] = "DEPOSEE"
    status_reason: Reason = ""


class StatusIn(msgspec.Struct, frozen=True, kw_only=True):
    """A status event for an invoice known by its number and supplier SIRET."""

    number: Text64
    supplier_siret: Siret
    code: Annotated[str, msgspec.Meta(max_length=40)]
    reason: Reason = ""


class PaymentIn(msgspec.Struct, frozen=True, kw_only=True):
    """A payment released for an invoice (the event's ``occurred_at`` is the payment date)."""

    number: Text64
    supplier_siret: Siret
    amount_cents: Annotated[int, msgspec.Meta(ge=1, le=10**13)]
    bank_reference: Annotated[str, msgspec.Meta(max_length=64)] = ""


class IntegrationEventIn(msgspec.Struct, frozen=True, kw_only=True):
    event_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    type: Literal["invoice.created", "invoice.status", "invoice.payment"]
    occurred_at: datetime
    source: Annotated[str, msgspec.Meta(max_length=32)] = "chorus_pro"
    invoice: InvoiceIn | None = None
    status: StatusIn | None = None
    payment: PaymentIn | None = None


class IntegrationBatch(msgspec.Struct, frozen=True, kw_only=True):
    events: Annotated[list[IntegrationEventIn], msgspec.Meta(min_length=1, max_length=500)]


class IntegrationEventResult(msgspec.Struct, frozen=True, kw_only=True):
    event_id: str
    status: Literal["accepted", "duplicate", "rejected"]
    code: str = ""
    invoice_id: UUID | None = None


class IntegrationResults(msgspec.Struct, frozen=True, kw_only=True):
    results: list[IntegrationEventResult]


class InvoiceEventRow(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A status event in an invoice's synced history (``occurred_at`` as stored: ISO text);
    ``certified_cents`` and ``attachments`` only on the events that carry them."""

    code: str
    occurred_at: str
    reason: str
    source: str
    certified_cents: int | None = None
    attachments: list[Attachment] = msgspec.field(default_factory=list)


class InvoicePaymentRow(msgspec.Struct, kw_only=True):
    """A payment released for an invoice, as stored (``paid_at``: ISO text)."""

    paid_at: str
    amount_cents: int
    bank_reference: str = ""


class LateChargesRow(msgspec.Struct, kw_only=True):
    """Late-payment interest and indemnity owed as of ``as_of`` (``rate_percent``: decimal
    text, None before the invoice is late)."""

    rate_percent: str | None
    days_late: int
    interest_cents: int
    indemnity_cents: int
    as_of: datetime


class InvoiceRow(SyncedRow, kw_only=True):
    """An invoice as pull sends it: its columns (but the number's unique key), lines, history
    and payments decoded, the amount service done covers now and the late charges as of the
    pull; ``stage`` is what the supplier sees of its status and ``action_needed`` whether that
    stage asks the supplier to act (complete, re-route, invoice again)."""

    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    id: UUID
    supplier_company: UUID
    supplier_siret: str
    supplier_name: str
    buyer_name: str
    number: str
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
    lines: list[InvoiceLine]
    status_code: str
    stage: Stage
    action_needed: bool
    status_reason: str
    status_at: datetime | None
    submitted_at: datetime | None
    paid_at: datetime | None
    due_at: datetime | None
    late_from: datetime | None
    history: list[InvoiceEventRow]
    payments: list[InvoicePaymentRow]
    amount_paid_cents: int
    source: str
    created_at: datetime
    certified_cents: int
    late_charges: LateChargesRow
