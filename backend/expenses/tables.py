"""Piccolo storage of the expenses domain."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sync import SyncedColumns

__all__ = ("ExpenseLine", "OcrApplication", "ReceiptReading", "VehicleProfile")


class ExpenseLine(SyncedColumns, Table, tablename="expense_line"):
    """One expense (ligne de frais) of an agent, a draft until its claim is submitted.

    Money is in integer cents; ``vat_rate_bp`` in basis points (20 % = 2000); ``fx_rate`` a
    decimal in text. ``field_versions`` maps each field to the row_version of its last change;
    ``field_sources`` says whether a field came from OCR or from the user; ``field_clients``
    which sync client (phone installation) made its last change, absent when the server did
    (OCR), so a phone's later edit is never in conflict with its own earlier one (not sent on
    the wire); ``ocr`` holds what the last receipt reading said about the line (per-field
    confidence, auto_accept, code).
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
    field_clients = JSON(default="{}")
    ocr = JSON(default="{}")
    # A mileage line's price as the server computed it (backend.expenses.mileage): the parts
    # per band, the agent's km of the year before the line, the car's CV and the rule set.
    mileage = JSON(default="{}")


class VehicleProfile(SyncedColumns, Table, tablename="vehicle_profile"):
    """An agent's car for mileage allowances (indemnités kilométriques): its fiscal horsepower
    (puissance fiscale, CV) and the professional km already driven in ``year`` outside Nomade.
    One per agent: the id is the agent's user id."""

    id = UUID(primary_key=True)
    owner = UUID(index=True)
    fiscal_cv = Integer()
    year = Integer()
    declared_km = Integer(default=0)


class ReceiptReading(Table, tablename="receipt_reading"):
    """One reading of a receipt blob by given OCR rules, kept for audit (raw text, candidates).

    ``reading_key`` is ``{organisation}:{sha256}:{rule_version}``: a receipt is read once per
    rule version; a retried job reuses the stored reading. ``perceptual_hash`` is the
    receipt's 64-bit dHash (``ocr.duplicates.dhash``): a near-identical photo of a receipt
    already read in the organisation is a duplicate; ``hash_band_*`` index it.
    """

    id = UUID(primary_key=True)
    organisation = UUID(index=True)
    sha256 = Varchar(length=64, index=True)
    rule_version = Varchar(length=40)
    reading_key = Varchar(length=200, unique=True)
    status = Varchar(length=20)
    code = Varchar(length=60, null=True, default=None)
    auto_accept = Boolean(default=False)
    fields = JSON(default="{}")
    confidence = JSON(default="{}")
    checks = JSON(default="[]")
    flags = JSON(default="[]")
    candidates = JSON(default="[]")
    raw_text = Text(default="")
    perceptual_hash = Varchar(length=16, null=True, default=None)
    # The hash's four 16-bit bands, each as "{organisation}:{band:04x}" (indexed): the
    # near-duplicate search looks up the bands near the new hash's (``ocr.duplicates``).
    hash_band_0 = Varchar(length=41, null=True, default=None, index=True)
    hash_band_1 = Varchar(length=41, null=True, default=None, index=True)
    hash_band_2 = Varchar(length=41, null=True, default=None, index=True)
    hash_band_3 = Varchar(length=41, null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class OcrApplication(Table, tablename="ocr_application"):
    """A reading applied to a line: ``application_key`` (line, receipt, rules) is unique, so a
    retried or duplicated job changes a line once."""

    id = UUID(primary_key=True)
    application_key = Varchar(length=300, unique=True)
    line_id = UUID(index=True)
    created_at = Timestamptz(default=TimestamptzNow())
