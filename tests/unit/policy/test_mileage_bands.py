"""Mileage priced band by band with the official scale (arrêté du 14 mars 2022): worked
figures for each horsepower class, and properties of the split."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.policy.allowances import mileage_parts
from backend.policy.checks import LineFacts, check_line
from backend.policy.rules import STATE_DEFAULTS, mileage_rate

RATES = STATE_DEFAULTS[1].mileage_rates
D = Decimal


def euros(km: int, before: int, cv: int) -> Decimal:
    return sum((p.cents for p in mileage_parts(D(km), annual_km_before=D(before), fiscal_cv=cv,
                                               rates=RATES)), D(0)) / 100


@pytest.mark.parametrize(("cv", "before", "km", "split", "total"), [
    # ≤ 5 CV: 0.32 up to 2,000 km, 0.40 to 10,000, 0.23 above.
    (4, 0, 150, [(150, "0.32")], "48.00"),
    (5, 1800, 500, [(200, "0.32"), (300, "0.40")], "184.00"),
    (5, 9900, 300, [(100, "0.40"), (200, "0.23")], "86.00"),
    # 6–7 CV: 0.41, 0.51, 0.30.
    (6, 1999, 2, [(1, "0.41"), (1, "0.51")], "0.92"),
    (7, 9500, 1000, [(500, "0.51"), (500, "0.30")], "405.00"),
    # ≥ 8 CV: 0.45, 0.55, 0.32; one line over both bounds.
    (8, 1900, 9000, [(100, "0.45"), (8000, "0.55"), (900, "0.32")], "4733.00"),
    (11, 12000, 100, [(100, "0.32")], "32.00"),
    # Exactly at the bound: the 2,000th km is still in the first band.
    (5, 1990, 10, [(10, "0.32")], "3.20"),
    (5, 2000, 10, [(10, "0.40")], "4.00"),
])
def test_worked_figures_of_the_scale(cv: int, before: int, km: int,
                                     split: list[tuple[int, str]], total: str) -> None:
    parts = mileage_parts(D(km), annual_km_before=D(before), fiscal_cv=cv, rates=RATES)
    assert [(p.km, p.euros_per_km) for p in parts] == [(D(k), D(r)) for k, r in split]
    assert euros(km, before, cv) == D(total)


def test_nothing_for_no_km_or_an_uncovered_car() -> None:
    assert mileage_parts(D(0), annual_km_before=D(0), fiscal_cv=5, rates=RATES) == []
    assert mileage_parts(D(-5), annual_km_before=D(0), fiscal_cv=5, rates=RATES) == []
    assert mileage_parts(D(10), annual_km_before=D(0), fiscal_cv=0, rates=RATES[1:]) == []


@settings(max_examples=300, deadline=None)
@given(km=st.integers(1, 30000), before=st.integers(0, 30000), cv=st.integers(1, 15))
def test_each_part_is_priced_at_the_band_it_lies_in(km: int, before: int, cv: int) -> None:
    position = before
    for part in mileage_parts(D(km), annual_km_before=D(before), fiscal_cv=cv, rates=RATES):
        # the part's first and last km fall in the same band, the one of its rate
        first, last = position + 1, position + int(part.km)
        assert mileage_rate(RATES, fiscal_cv=cv, annual_km=first) == part.euros_per_km
        assert mileage_rate(RATES, fiscal_cv=cv, annual_km=last) == part.euros_per_km
        position = last
    assert position == before + km


@settings(max_examples=300, deadline=None)
@given(km=st.integers(1, 30000), more=st.integers(1, 5000), before=st.integers(0, 30000),
       cv=st.integers(1, 15))
def test_more_km_never_pays_less_and_never_beyond_the_top_rate(km: int, more: int, before: int,
                                                               cv: int) -> None:
    assert euros(km + more, before, cv) > euros(km, before, cv)
    top = max(r for rate in RATES if rate.min_cv <= cv <= (rate.max_cv or 99)
              for _, r in rate.bands)
    assert euros(km, before, cv) <= km * top


def test_the_check_agrees_with_a_split_price() -> None:
    # 5 CV, 1,800 km before, 500 km priced 184 € by the server: no MILEAGE_AMOUNT finding;
    # priced at one rate (160 € at 0.32) it is flagged with the band-by-band figure.
    trip = LineFacts(line_id="l1", category="mileage", spent_on=date(2026, 3, 2),
                     amount_cents=18400, km=D(500), fiscal_cv=5, agent_annual_km=1800)
    assert [f.code for f in check_line(trip, STATE_DEFAULTS[1], today=date(2026, 3, 3))] == []
    [finding] = check_line(replace(trip, amount_cents=16000), STATE_DEFAULTS[1],
                           today=date(2026, 3, 3))
    assert finding.code == "MILEAGE_AMOUNT" and finding.figures["expected_cents"] == 18400
    assert "200 km × 0,32 + 300 km × 0,40" in finding.message_fr
