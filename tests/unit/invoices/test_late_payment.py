"""Late-payment interest at the dated ECB rate + 8 points and the €40 indemnity (figures worked
by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from backend.invoices.late_payment import Payment, interest_rate, late_charges


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def test_rate_in_force_on_the_first_day_of_the_half_year() -> None:
    # 1 Jan 2023: 2.50 % (decision of 21 Dec 2022); 1 Jul 2023: 4.00 % (21 Jun 2023).
    assert interest_rate(date(2023, 6, 30)) == Decimal("10.50")
    assert interest_rate(date(2023, 7, 1)) == Decimal("12.00")
    # 4.50 % from 20 Sep 2023 to 11 Jun 2024: H1 2024 → 12.50 %; 1 Jul 2024: 4.25 %.
    assert interest_rate(date(2024, 3, 1)) == Decimal("12.50")
    assert interest_rate(date(2024, 8, 10)) == Decimal("12.25")
    assert interest_rate(date(2026, 3, 1)) == Decimal("10.15")  # 2.15 % since 11 Jun 2025
    with pytest.raises(ValueError):
        interest_rate(date(2010, 1, 1))


def test_paid_twenty_days_late() -> None:
    # 12,000.00 € due 1 Mar 2026, paid 21 Mar: 1,200,000 × 10.15 % × 20 / 365 = 6,673.97 cents.
    charges = late_charges(amount_cents=1_200_000, due_at=at("2026-03-01"),
                           payments=[Payment(at("2026-03-21"), 1_200_000)],
                           now=at("2026-12-01"))
    assert (charges.rate_percent, charges.days_late) == (Decimal("10.15"), 20)
    assert (charges.interest_cents, charges.indemnity_cents) == (6674, 4000)
    assert charges.total_cents == 10674


def test_unpaid_runs_until_now_and_partial_payments_count_their_own_days() -> None:
    # 5,000.00 € due 10 Aug 2024 (12.25 %): 2,000.00 € paid 10 days late, the rest unpaid 45
    # days later. 200,000 × 12.25 % × 10 / 365 = 671.23; 300,000 × 12.25 % × 45 / 365 =
    # 4,530.82; total 5,202.05 → 5,202 cents.
    charges = late_charges(amount_cents=500_000, due_at=at("2024-08-10"),
                           payments=[Payment(at("2024-08-20"), 200_000)],
                           now=at("2024-09-24"))
    assert (charges.days_late, charges.interest_cents) == (45, 5202)
    assert charges.indemnity_cents == 4000


def test_nothing_owed_in_time_or_without_a_deadline() -> None:
    due = at("2026-03-01")
    on_time = late_charges(amount_cents=100_000, due_at=due,
                           payments=[Payment(due - timedelta(days=1), 100_000)],
                           now=due + timedelta(days=90))
    assert (on_time.interest_cents, on_time.indemnity_cents, on_time.rate_percent) == (0, 0, None)
    assert late_charges(amount_cents=100_000, due_at=None, payments=[],
                        now=due).total_cents == 0
    not_yet = late_charges(amount_cents=100_000, due_at=due, payments=[], now=due)
    assert not_yet.total_cents == 0
    # One hour past the deadline counts as one day: 100,000 × 10.15 % / 365 = 27.81 → 28 cents.
    first_day = late_charges(amount_cents=100_000, due_at=due, payments=[],
                             now=due + timedelta(hours=1))
    assert (first_day.days_late, first_day.interest_cents) == (1, 28)
