"""msgspec argument types of the expense-line intents."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

import msgspec

from sync.wire import SyncedRow

__all__ = ("AttachReceiptArgs", "CreateArgs", "DeleteArgs", "EditArgs", "ExpenseLineRow",
           "SplitReceiptsArgs", "VehicleProfileRow")

Cents = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
BasisPoints = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
Text200 = Annotated[str, msgspec.Meta(max_length=200)]
Category = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
FxRate = Annotated[str, msgspec.Meta(pattern=r"^\d{1,8}(\.\d{1,10})?$")]
Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
Source = Annotated[str, msgspec.Meta(pattern=r"^(ocr|user)$")]


class CreateArgs(msgspec.Struct, forbid_unknown_fields=True):
    """``expense_line.create`` v1: a new draft line (id made on the client, UUIDv7)."""

    id: UUID
    date: dt.date
    amount_cents: Cents
    currency: Currency = "EUR"
    category: Category = "other"
    merchant: Text200 = ""
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    vat_rate_bp: BasisPoints | None = None
    vat_cents: Cents | None = None
    fx_rate: FxRate | None = None
    km: Annotated[int, msgspec.Meta(ge=0, le=100_000)] | None = None
    fiscal_hp: Annotated[int, msgspec.Meta(ge=1, le=50)] | None = None
    claim_id: UUID | None = None
    field_sources: dict[str, Source] = msgspec.field(default_factory=dict)


class EditArgs(msgspec.Struct, forbid_unknown_fields=True):
    """``expense_line.edit`` v1: the fields changed on top of ``base_version``."""

    id: UUID
    base_version: Annotated[int, msgspec.Meta(ge=0)]
    date: dt.date | msgspec.UnsetType = msgspec.UNSET
    amount_cents: Cents | msgspec.UnsetType = msgspec.UNSET
    currency: Currency | msgspec.UnsetType = msgspec.UNSET
    category: Category | msgspec.UnsetType = msgspec.UNSET
    merchant: Text200 | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=2000)] | msgspec.UnsetType = msgspec.UNSET
    vat_rate_bp: BasisPoints | msgspec.UnsetType | None = msgspec.UNSET
    vat_cents: Cents | msgspec.UnsetType | None = msgspec.UNSET
    fx_rate: FxRate | msgspec.UnsetType | None = msgspec.UNSET
    km: Annotated[int, msgspec.Meta(ge=0, le=100000)] | msgspec.UnsetType | None = msgspec.UNSET
    fiscal_hp: Annotated[int, msgspec.Meta(ge=1, le=50)] | msgspec.UnsetType | None = msgspec.UNSET
    claim_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    field_sources: dict[str, Source] = msgspec.field(default_factory=dict)


class DeleteArgs(msgspec.Struct, forbid_unknown_fields=True):
    """``expense_line.delete`` v1."""

    id: UUID


class AttachReceiptArgs(msgspec.Struct, forbid_unknown_fields=True):
    """``expense_line.attach_receipt`` v1: the SHA-256 of a receipt blob (upload may follow)."""

    id: UUID
    sha256: Sha256


class SplitReceiptsArgs(msgspec.Struct, forbid_unknown_fields=True):
    """``expense_line.split_receipts`` v1: one line per receipt. The line keeps its first
    receipt; ``new_ids`` (made on the client, UUIDv7) name the new lines of the others, in the
    order of the line's receipts."""

    id: UUID
    new_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=20)]


class ExpenseLineRow(SyncedRow, kw_only=True):
    """An expense line as pull sends it (``field_clients`` stays on the server).

    ``receipts``: the sha256 of its receipts; ``field_versions``: the row version of each
    field's last change; ``field_sources``: ``"user"`` or ``"ocr"`` per field; ``ocr``: what
    the last receipt reading said (``{}`` before any); ``mileage``: the mileage allowance's
    computation for a car line (``{}`` otherwise)."""

    id: UUID
    owner: UUID
    claim_id: UUID | None
    date: dt.date
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
    receipts: list[str]
    field_versions: dict[str, int]
    field_sources: dict[str, str]
    ocr: dict[str, Any]
    mileage: dict[str, Any]
    row_version: int


class VehicleProfileRow(SyncedRow, kw_only=True):
    """An agent's vehicle profile as pull sends it (the id is the agent's user id)."""

    id: UUID
    owner: UUID
    fiscal_cv: int
    year: int
    declared_km: int
    row_version: int
