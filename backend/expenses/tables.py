"""Piccolo storage of the expenses domain."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Date, Integer, Text, Varchar
from piccolo.table import Table

from sync import SyncedColumns

__all__ = ("ExpenseLine",)


class ExpenseLine(SyncedColumns, Table, tablename="expense_line"):
    """One expense (ligne de frais) of an agent, a draft until its claim is submitted.

    Money is in integer cents; ``vat_rate_bp`` in basis points (20 % = 2000); ``fx_rate`` a
    decimal in text. ``field_versions`` maps each field to the row_version of its last change;
    ``field_sources`` says whether a field came from OCR or from the user.
    """

    id = UUID(primary_key=True)
    owner = UUID(index=True)
    claim_id = UUID(null=True, default=None)
    date = Date()
    category = Varchar(length=40, default="other")
    merchant = Varchar(length=200, default="")
    description = Text(default="")
    amount_cents = Integer(default=0)
    currency = Varchar(length=3, default="EUR")
    vat_rate_bp = Integer(null=True, default=None)
    vat_cents = Integer(null=True, default=None)
    fx_rate = Varchar(length=32, null=True, default=None)
    km = Integer(null=True, default=None)
    fiscal_hp = Integer(null=True, default=None)
    receipts = JSON(default="[]")
    field_versions = JSON(default="{}")
    field_sources = JSON(default="{}")
