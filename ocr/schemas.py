"""Wire types of the receipt reader (msgspec), kept with their candidates for audit."""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ("RULE_VERSION", "Candidate", "Check", "OcrFields", "ReceiptReading", "VatLine")

#: Bumped whenever extraction rules change, stored with each reading.
RULE_VERSION = "ocr-rules-2026.12.6"

Status = Literal["read", "rejected"]


class Candidate(msgspec.Struct, frozen=True):
    """One possible value of a field, with its score and the OCR line it came from."""

    field: str
    value: str
    score: float
    line: int
    reason: str


class VatLine(msgspec.Struct, frozen=True):
    """A row of the VAT breakdown (TVA): rate in percent, base (HT) and amount, in cents."""

    rate: str
    base_cents: int | None = None
    amount_cents: int | None = None


class Check(msgspec.Struct, frozen=True):
    """An arithmetic or identifier check; ``ok`` is None when it could not be evaluated."""

    name: str
    ok: bool | None
    detail: str = ""


class OcrFields(msgspec.Struct):
    """Fields read from a receipt (dates ISO ``YYYY-MM-DD``, money in integer cents)."""

    merchant: str | None = None
    date: str | None = None
    total_cents: int | None = None
    total_ht_cents: int | None = None
    vat_total_cents: int | None = None
    vat: list[VatLine] = msgspec.field(default_factory=list)
    currency: str | None = None
    siret: str | None = None
    payment_cents: int | None = None
    payment_method: str | None = None
    category: str | None = None
    #: Which engine read each field: ``tesseract``, ``rapidocr`` or ``both`` (they agreed).
    sources: dict[str, str] = msgspec.field(default_factory=dict)


class ReceiptReading(msgspec.Struct):
    """What the pipeline answers for one file: fields, confidences, checks, audit trail."""

    rule_version: str
    status: Status
    code: str | None = None
    fields: OcrFields = msgspec.field(default_factory=OcrFields)
    confidence: dict[str, float] = msgspec.field(default_factory=dict)
    checks: list[Check] = msgspec.field(default_factory=list)
    auto_accept: bool = False
    flags: list[str] = msgspec.field(default_factory=list)
    raw_text: str = ""
    candidates: list[Candidate] = msgspec.field(default_factory=list)
    timings_ms: dict[str, int] = msgspec.field(default_factory=dict)
    sha256: str | None = None
    perceptual_hash: str | None = None
    #: The engine(s) behind the reading: ``tesseract``, ``rapidocr``, ``tesseract+rapidocr``
    #: (empty for a PDF's text layer or a file refused before OCR).
    engine: str = ""
    #: Why a person should look at it, as stable codes (``ocr.review``); empty when accepted.
    review: list[str] = msgspec.field(default_factory=list)

    def read_from(self, field: str, value: str | None) -> Candidate | None:
        """The best-scored candidate that gave ``value`` to ``field`` (``merchant``,
        ``date``...): the line it was read on and how sure the rules were."""
        return max((c for c in self.candidates if c.field == field and c.value == value),
                   key=lambda c: c.score, default=None)
