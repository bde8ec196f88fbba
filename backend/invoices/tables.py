"""Piccolo storage of supplier invoices, their status events and the integration API."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Date,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sync import SyncedColumns

__all__ = ("IntegrationEvent", "IntegrationKey", "Invoice", "InvoiceStatusEvent")


class Invoice(SyncedColumns, Table, tablename="invoice"):
    """A supplier invoice (facture fournisseur) to one organisation (``organisation``).

    ``history`` mirrors the status events (for display offline); the current status, stage and
    deadline are recomputed from them on every event.
    """

    id = UUID(primary_key=True)
    supplier_company = UUID(index=True)
    supplier_siret = Varchar(length=14)
    supplier_name = Varchar(length=200, default="")
    buyer_name = Varchar(length=200, default="")
    number = Varchar(length=64)
    number_key = Varchar(length=120, unique=True)  # "<supplier company>:<number>"
    purchase_order = UUID(null=True, default=None, index=True)
    order_number = Varchar(length=64, default="")
    ej_number = Varchar(length=32, default="")
    code_service = Varchar(length=32, default="")
    unit = UUID(null=True, default=None, index=True)
    issued_on = Date()
    amount_ht_cents = BigInt(default=0)
    vat_cents = BigInt(default=0)
    amount_ttc_cents = BigInt(default=0)
    amount_due_cents = BigInt(default=0)
    lines = JSON(default="[]")
    status_code = Varchar(length=40, default="DEPOSEE", index=True)
    stage = Varchar(length=24, default="submitted", index=True)
    status_reason = Text(default="")
    status_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    paid_at = Timestamptz(null=True, default=None)
    due_at = Timestamptz(null=True, default=None)
    # Late once this instant has passed, if no new event comes (statuses.late_from): lets the
    # database filter late invoices without replaying each history.
    late_from = Timestamptz(null=True, default=None, index=True)
    history = JSON(default="[]")
    # Payments from the financial system: [{"paid_at", "amount_cents", "bank_reference"}].
    payments = JSON(default="[]")
    amount_paid_cents = BigInt(default=0)
    source = Varchar(length=32, default="chorus_pro")
    created_at = Timestamptz(default=TimestamptzNow())


class InvoiceStatusEvent(Table, tablename="invoice_status_event"):
    """One status event, append-only (``event_key`` makes a replayed event harmless)."""

    id = Serial(primary_key=True)
    organisation = UUID(index=True)
    invoice = UUID(index=True)
    code = Varchar(length=40)
    source = Varchar(length=32, default="chorus_pro")
    source_code = Varchar(length=40, default="")
    occurred_at = Timestamptz()
    reason = Text(default="")
    recorded_at = Timestamptz(default=TimestamptzNow())
    actor = UUID(null=True, default=None)
    event_key = Varchar(length=160, unique=True)


class IntegrationKey(Table, tablename="integration_key"):
    """An organisation's API key for its financial system (only the SHA-256 is stored)."""

    id = UUID(primary_key=True)
    organisation = UUID(index=True)
    name = Varchar(length=120, default="")
    key_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class IntegrationEvent(Table, tablename="integration_event"):
    """An integration event already processed: a replay returns the stored result."""

    id = Serial(primary_key=True)
    organisation = UUID(index=True)
    event_key = Varchar(length=160, unique=True)  # "<organisation>:<event id>"
    body_hash = Varchar(length=64)
    status = Varchar(length=16)
    code = Varchar(length=64, default="")
    invoice = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
