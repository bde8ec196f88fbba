"""Expense-line rows and the JSON they hold, as :mod:`backend.expenses.services` reads them;
the one place their shape is written down.

JSON columns come back decoded on PostgreSQL and as text on SQLite (and from raw SQL): their
readers pass them through :func:`kernel.coerce.json_value`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict
from uuid import UUID

from backend.expenses.receipt_totals import ReceiptEntry
from backend.policy.checks import StoredFinding

__all__ = ("ExpenseLineRecord", "MileagePart", "MileagePrice", "OcrSummary", "VehicleProfileRecord")


class MileagePart(TypedDict):
    """One band of a mileage line's price."""

    km: int
    euros_per_km: str
    cents: int


class MileagePrice(TypedDict, total=False):
    """A mileage line's price as the server computed it (``expense_line.mileage``): the parts
    per band, the agent's km of the year before the line, the car's CV and the rule set; empty
    on lines of other categories."""

    parts: list[MileagePart]
    annual_km_before: int
    fiscal_cv: int
    rule_set: str


class OcrSummary(TypedDict, total=False):
    """The line's ``ocr`` column: the last reading's summary (confidence per field proposed,
    fields filled, reasons to look, engine per field), every receipt's entry and the line's
    findings on its receipts. Empty before any reading."""

    sha256: str
    rule_version: str
    status: str
    code: str | None
    auto_accept: bool
    fields: dict[str, float]
    filled: list[str]
    review: list[dict[str, str]]
    sources: dict[str, str]
    receipts: list[ReceiptEntry]
    findings: list[StoredFinding]


class ExpenseLineRecord(TypedDict):
    """An ``expense_line`` row."""

    id: UUID
    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    owner: UUID
    claim_id: UUID | None
    date: date
    category: str
    merchant: str
    description: str
    amount_cents: int
    currency: str
    vat_rate_bp: int | None
    vat_cents: int | None
    fx_rate: str | None
    km: int | None
    fiscal_hp: int | None
    receipts: list[str] | str
    field_versions: dict[str, int] | str
    field_sources: dict[str, str] | str
    field_clients: dict[str, str] | str
    ocr: OcrSummary | str
    mileage: MileagePrice | str


class VehicleProfileRecord(TypedDict):
    """A ``vehicle_profile`` row (one per agent: the car mileage lines are priced for)."""

    id: UUID
    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    owner: UUID
    fiscal_cv: int
    year: int
    declared_km: int
