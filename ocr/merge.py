"""Two engines' readings of one receipt merged field by field, with each field's provenance.

The cascade reads with Tesseract first and asks RapidOCR only when that reading is not
auto-accepted. The reading whose checks stand best leads (its checks and auto-accept decision
are kept: they were computed on its own text); a field both engines read alike is marked
``both`` and its confidence raised; a field the leading reading lacks is taken from the other.
A merchant that RapidOCR reads as Tesseract's name with a letter or two changed is RapidOCR's,
whichever leads (see :mod:`ocr.merchant_check`); two different names are settled by how much
each looks like the merchant on its own engine's lines (its candidate score: a registered
company name, a legal form, the top of the receipt), not by which reading leads.
Two engines that both auto-accept but disagree on the total or the date leave the receipt for
review.
"""

from __future__ import annotations

import msgspec

from ocr.merchant_check import MERCHANT_MARGIN, beats, same_name_misread, with_spacing
from ocr.schemas import OcrFields, ReceiptReading

__all__ = ("BOTH", "FIELD_CONFIDENCE", "MERCHANT_MARGIN", "merge_readings", "stronger_merchant",
           "with_source")

BOTH = "both"
#: OcrFields attribute → key of the reading's confidence.
FIELD_CONFIDENCE = {
    "merchant": "merchant", "date": "date", "total_cents": "total", "total_ht_cents": "vat",
    "vat_total_cents": "vat", "vat": "vat", "currency": "currency", "siret": "siret",
    "payment_cents": "payment", "payment_method": "payment", "category": "category",
}


def with_source(reading: ReceiptReading, engine: str) -> ReceiptReading:
    """The reading with every field it found attributed to ``engine``."""
    f = reading.fields
    sources = {name: engine for name in FIELD_CONFIDENCE if getattr(f, name) not in (None, [])}
    return msgspec.structs.replace(
        reading, engine=engine, fields=msgspec.structs.replace(f, sources=sources))


def _standing(reading: ReceiptReading) -> tuple[int, int, int, float]:
    failed = sum(1 for c in reading.checks if c.ok is False)
    passed = sum(1 for c in reading.checks if c.ok)
    return (int(reading.auto_accept), -failed, passed, reading.confidence.get("total", 0.0))


def _merchant_letters(first: ReceiptReading, second: ReceiptReading) -> str | None:
    """The second engine's merchant when it is the first's name with a letter or two misread
    by the first (Tesseract misreads letters of shop names that RapidOCR reads right), with
    the first's word spacing; else ``None``."""
    a, b = first.fields.merchant, second.fields.merchant
    if a is None or b is None or not same_name_misread(a, b):
        return None
    return with_spacing(a, b)


def stronger_merchant(lead: ReceiptReading, other: ReceiptReading) -> bool:
    """``other``'s merchant, a different name from ``lead``'s, scores higher on its own lines
    by at least :data:`MERCHANT_MARGIN` (a line that is not the name on one engine's text is
    often the name on the other's)."""
    mine = lead.read_from("merchant", lead.fields.merchant)
    theirs = other.read_from("merchant", other.fields.merchant)
    if theirs is None or other.fields.merchant is None:
        return False
    return beats(theirs.score, mine.score if mine is not None else None)


def merge_readings(first: ReceiptReading, second: ReceiptReading) -> ReceiptReading:
    """Merge ``first`` (Tesseract's) and ``second`` (RapidOCR's) readings of one receipt."""
    if second.status != "read":
        return first
    if first.status != "read":
        return second
    # On equal standing the second engine leads: it reads receipts better on the whole.
    lead, other = (first, second) if _standing(first) > _standing(second) else (second, first)
    lf, of = lead.fields, other.fields
    merged = OcrFields()  # each field: the one both read, else the lead's, else the other's
    sources: dict[str, str] = {}
    confidence = dict(lead.confidence)
    for name, key in FIELD_CONFIDENCE.items():
        mine, theirs = getattr(lf, name), getattr(of, name)
        if mine not in (None, []) and mine == theirs:
            setattr(merged, name, mine)
            sources[name] = BOTH
            a, b = lead.confidence.get(key, 0.0), other.confidence.get(key, 0.0)
            confidence[key] = round(max(a, b, 1 - (1 - a) * (1 - b)), 3)
        elif mine not in (None, []):
            setattr(merged, name, mine)
            sources[name] = lf.sources.get(name, lead.engine)
        elif theirs not in (None, []):
            setattr(merged, name, theirs)
            sources[name] = of.sources.get(name, other.engine)
            if key not in confidence or name in ("total_cents", "date", "merchant"):
                confidence[key] = other.confidence.get(key, 0.0)
        else:
            setattr(merged, name, mine)
    merchant = _merchant_letters(first, second)
    if merchant is not None:
        merged.merchant, sources["merchant"] = merchant, second.engine
    elif lf.merchant != of.merchant and stronger_merchant(lead, other):
        merged.merchant = of.merchant
        sources["merchant"] = of.sources.get("merchant", other.engine)
        confidence["merchant"] = other.confidence.get("merchant", 0.0)
    merged.sources = sources
    auto = lead.auto_accept
    flags = [*lead.flags, *(f for f in other.flags if f not in lead.flags),
             f"led_by_{lead.engine}"]
    if lead.auto_accept and other.auto_accept and (
        lf.total_cents != of.total_cents or lf.date != of.date
    ):
        auto = False  # two confident engines contradict each other: a person decides
        flags.append("engines_disagree")
    return msgspec.structs.replace(
        lead,
        fields=merged,
        confidence=confidence,
        auto_accept=auto,
        engine=f"{first.engine}+{second.engine}",
        flags=flags,
        timings_ms={**first.timings_ms,
                    **{f"{second.engine}_{k}": v for k, v in second.timings_ms.items()}},
    )
