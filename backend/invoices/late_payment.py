"""What a late payment owes by right (pure: no web or database import).

Interest (intérêts moratoires, R.2192-31): the ECB main refinancing rate in force on the first
day of the half-year in which the interest started to run, plus 8 points, per day late on the
amount paid late (amount × rate × days / 365). A fixed recovery indemnity (indemnité
forfaitaire pour frais de recouvrement, D.2192-35) of €40 per late invoice.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from backend.invoices.ecb_rates import MAIN_REFINANCING_RATES
from backend.invoices.statuses import days_late

__all__ = ("INDEMNITY_CENTS", "POINTS_ABOVE_ECB", "LateCharges", "Payment", "interest_rate",
           "late_charges")

INDEMNITY_CENTS = 4000
POINTS_ABOVE_ECB = Decimal(8)


@dataclass(frozen=True)
class Payment:
    """An amount paid (``paid_at``: when it was released)."""

    paid_at: datetime
    amount_cents: int


@dataclass(frozen=True)
class LateCharges:
    """Interest and indemnity owed on one invoice (zero when paid or due in time)."""

    rate_percent: Decimal | None
    days_late: int
    interest_cents: int
    indemnity_cents: int

    @property
    def total_cents(self) -> int:
        return self.interest_cents + self.indemnity_cents


NONE = LateCharges(rate_percent=None, days_late=0, interest_cents=0, indemnity_cents=0)


def _half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def interest_rate(
    started: date, rates: Sequence[tuple[date, Decimal]] = MAIN_REFINANCING_RATES,
) -> Decimal:
    """The late-payment rate (percent) for interest that started to run on ``started``."""
    first_day = _half_year_start(started)
    index = bisect_right([effective for effective, _ in rates], first_day)
    if index == 0:
        raise ValueError(f"no ECB rate known on {first_day}")
    return rates[index - 1][1] + POINTS_ABOVE_ECB


def _interest(amount_cents: int, rate: Decimal, days: int) -> Decimal:
    return Decimal(amount_cents) * rate / 100 * days / 365


def late_charges(
    *, amount_cents: int, due_at: datetime | None, payments: Sequence[Payment], now: datetime,
    rates: Sequence[tuple[date, Decimal]] = MAIN_REFINANCING_RATES,
) -> LateCharges:
    """Interest and indemnity owed on an invoice of ``amount_cents`` due at ``due_at``.

    Each payment after the deadline owes interest for its own days late; what is still unpaid
    owes interest up to ``now``. Rounded to the cent, half up, once per invoice.
    """
    if due_at is None:
        return NONE
    paid = sum(p.amount_cents for p in payments)
    parts = [(p.amount_cents, days_late(due_at, p.paid_at)) for p in payments]
    outstanding = max(amount_cents - paid, 0)
    if outstanding:
        parts.append((outstanding, days_late(due_at, now)))
    late_parts = [(cents, days) for cents, days in parts if days > 0 and cents > 0]
    if not late_parts:
        return NONE
    rate = interest_rate(due_at.date(), rates)
    interest = sum((_interest(cents, rate, days) for cents, days in late_parts), Decimal(0))
    return LateCharges(
        rate_percent=rate,
        days_late=max(days for _, days in late_parts),
        interest_cents=int(interest.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        indemnity_cents=INDEMNITY_CENTS,
    )
