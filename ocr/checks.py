"""Arithmetic and identifier checks on extracted fields, and the auto-accept decision."""

from __future__ import annotations

from decimal import Decimal

from ocr.extract import LEGAL_RATES, Extraction, vat_of
from ocr.parsing import luhn_ok
from ocr.schemas import Check

__all__ = ("AUTO_ACCEPT_MIN_TOTAL_CONFIDENCE", "decide_auto_accept", "run_checks")

#: Minimum confidence of the total for a reading to be accepted without a glance.
AUTO_ACCEPT_MIN_TOTAL_CONFIDENCE = 0.6
#: Checks that, when they hold, corroborate the total by an independent route.
CORROBORATING = (
    "ht_plus_vat_equals_total",
    "payment_equals_total",
    "vat_rows_sum_to_total",
    "total_printed_twice",
    "cash_minus_change_equals_total",
    "subtotal_plus_adjustments_equals_total",
    "rounding_adjustment_equals_total",
    "section_totals_equals_total",
)


def _outside(ex: Extraction) -> tuple[int, str]:
    """The amounts outside the VAT table and how they read ('+ tourist_tax 250')."""
    extra = sum(ex.outside_vat.values())
    return extra, "".join(f" + {kind} {cents}" for kind, cents in ex.outside_vat.items())


def _adds_up(got: int, extra: int, total: int, tolerance: int) -> bool:
    """The VAT table's sum is the total, alone or with the amounts outside it (a rounding line
    may stand below the total read or above it)."""
    return abs(got - total) <= tolerance or (extra != 0 and abs(got + extra - total) <= tolerance)


def run_checks(ex: Extraction) -> list[Check]:
    """HT + TVA (+ taxe de séjour, tips, rounding) = TTC, TVA = base × rate, legal rates,
    payment = total, SIRET Luhn."""
    checks: list[Check] = []
    total = ex.total_cents
    extra, extra_text = _outside(ex)
    if total is not None and ex.total_ht_cents is not None and ex.vat_total_cents is not None:
        got = ex.total_ht_cents + ex.vat_total_cents
        checks.append(Check("ht_plus_vat_equals_total", _adds_up(got, extra, total, 1),
                            f"{ex.total_ht_cents} + {ex.vat_total_cents}{extra_text} vs {total}"))
    full_rows = [r for r in ex.vat if r.base_cents is not None and r.amount_cents is not None]
    if total is not None and full_rows and len(full_rows) == len(ex.vat):
        got = sum((r.base_cents or 0) + (r.amount_cents or 0) for r in full_rows)
        checks.append(Check("vat_rows_sum_to_total",
                            _adds_up(got, extra, total, len(full_rows)),
                            f"rows {got}{extra_text} vs total {total}"))
    for row in full_rows:
        expected = vat_of(row.base_cents or 0, Decimal(row.rate))
        checks.append(Check("vat_equals_base_times_rate",
                            abs(expected - (row.amount_cents or 0)) <= 1,
                            f"{row.base_cents} × {row.rate} % = {expected} vs {row.amount_cents}"))
    if ex.vat and ex.currency == "EUR":
        bad = [r.rate for r in ex.vat if Decimal(r.rate) not in LEGAL_RATES]
        checks.append(Check("vat_rate_legal", not bad,
                            "illegal rates: " + ", ".join(bad) if bad else "rates legal"))
    if total is not None and ex.payment_cents is not None:
        checks.append(Check("payment_equals_total", ex.payment_cents == total,
                            f"payment {ex.payment_cents} vs total {total}"))
    if total is not None:
        for route, value in ex.total_routes.items():
            checks.append(Check(f"{route}_equals_total", value == total,
                                f"{route.replace('_', ' ')} {value} vs total {total}"))
    if total is not None and ex.total_lines >= 2:
        checks.append(Check("total_printed_twice", True, f"on {ex.total_lines} lines"))
    if ex.siret is not None:
        checks.append(Check("siret_luhn", luhn_ok(ex.siret), ex.siret))
    return _outvoted(checks)


#: Routes that each give the total from amounts printed elsewhere on the receipt.
_ARITHMETIC = ("vat_rows_sum_to_total", "ht_plus_vat_equals_total",
               "cash_minus_change_equals_total")


def _outvoted(checks: list[Check]) -> list[Check]:
    """A walk from the subtotal that misses the total while two other arithmetic routes (the
    tax table's rows, cash − change) give it: a line between them was misread ('SERVICE
    CHARGE 10% 150)'), not the total. That walk is left undecided rather than failed."""
    agreeing = {c.name for c in checks if c.ok and c.name in _ARITHMETIC}
    if len(agreeing) < 2:
        return checks
    return [Check(c.name, None, f"{c.detail}; outvoted by {', '.join(sorted(agreeing))}")
            if c.name == "subtotal_plus_adjustments_equals_total" and c.ok is False else c
            for c in checks]


def decide_auto_accept(ex: Extraction, checks: list[Check], ocr_confidence: float) -> bool:
    """Accept without review only when the total and date are found, no check fails, the total
    is printed legibly, and an independent route confirms it (sums, payment line, or the same
    amount printed on another line). A total whose own line is not recognisable as the total
    needs two arithmetic routes that agree (e.g. cash − change and the VAT rows)."""
    if ex.total_cents is None or ex.date is None or ex.total_from_sums_only:
        return False
    if ex.total_rounded_below:
        return False  # the amount paid is the rounded one, printed lower and not read
    if any(c.ok is False for c in checks):
        return False
    routes = {c.name for c in checks if c.ok and c.name in CORROBORATING}
    if ex.total_on_payment_line_only:
        routes.discard("payment_equals_total")  # the same line cannot confirm itself
    if not ex.total_labelled and len(routes - {"total_printed_twice"}) < 2:
        return False  # the largest amount is a guess until someone looks
    return (
        bool(routes)
        and ex.confidence.get("total", 0.0) >= AUTO_ACCEPT_MIN_TOTAL_CONFIDENCE
        and ocr_confidence >= 50
    )
