"""Mission allowances from the mission's times: the texts' figures and their properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.policy.allowances import (
    HOME_COUNTRY,
    Meal,
    abroad_allowance_cents,
    advance_cents,
    is_abroad,
    lodging_cents,
    meal_allowance_cents,
    meals_on_mission,
    mileage_parts,
    nights_on_mission,
)
from backend.policy.rules import STATE_DEFAULTS, AllowanceRules

RULES = AllowanceRules()
STATE_2023 = STATE_DEFAULTS[1]
D = Decimal


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute)


def test_a_three_day_mission_lists_its_meals_and_nights() -> None:
    # Monday 08:00 to Wednesday 20:00: lunch and dinner Monday and Tuesday, lunch Wednesday
    # (dinner needs the agent on mission until 21:00); the nights ending Tuesday and Wednesday.
    meals = meals_on_mission(at(2, 8), at(4, 20), RULES)
    assert meals == [Meal(date(2026, 3, 2), 0), Meal(date(2026, 3, 2), 1),
                     Meal(date(2026, 3, 3), 0), Meal(date(2026, 3, 3), 1),
                     Meal(date(2026, 3, 4), 0)]
    assert nights_on_mission(at(2, 8), at(4, 20), RULES) == [date(2026, 3, 3), date(2026, 3, 4)]
    # 5 meals at the State's flat 20 €, one of them at an administrative restaurant (10 €),
    # one provided free: 3 × 20 + 10 = 70 €.
    assert meal_allowance_cents(meals, meal_cents=STATE_2023.meal_cap_cents, rules=RULES,
                                provided={meals[1]}, administrative_restaurant={meals[2]}) == 7000


def test_a_window_must_be_covered_whole() -> None:
    assert meals_on_mission(at(2, 12, 1), at(2, 22), RULES) == [Meal(date(2026, 3, 2), 1)]
    assert meals_on_mission(at(2, 7), at(2, 13, 59), RULES) == []
    assert nights_on_mission(at(2, 18), at(3, 4, 59), RULES) == []
    assert nights_on_mission(at(2, 18), at(3, 5), RULES) == [date(2026, 3, 3)]


def test_ministry_windows_are_data() -> None:
    early = AllowanceRules(meal_windows=(("11:00", "14:00"), ("18:00", "21:00")))
    assert meals_on_mission(at(2, 11, 30), at(2, 21), early) == [Meal(date(2026, 3, 2), 1)]
    assert meals_on_mission(at(2, 11, 30), at(2, 21), RULES) == [
        Meal(date(2026, 3, 2), 0), Meal(date(2026, 3, 2), 1)]


def test_half_allowance_is_rounded_down_to_the_cent() -> None:
    meal = [Meal(date(2026, 3, 2), 0)]
    # Before 2023-09-22 a meal was 17.50 €: 8.75 € at an administrative restaurant.
    assert meal_allowance_cents(meal, meal_cents=1750, rules=RULES,
                                administrative_restaurant=meal) == 875
    assert meal_allowance_cents(meal, meal_cents=1751, rules=RULES,
                                administrative_restaurant=meal) == 875


def test_lodging_on_proof_up_to_the_city_cap() -> None:
    paris = STATE_2023.lodging_caps_cents["paris"]  # 140 €
    assert lodging_cents([15990, 12000, 0], cap_cents=paris) == 14000 + 12000


def test_abroad_daily_allowance_is_split_65_and_17_5_percent() -> None:
    # A country at 120 € a day: night 78 €, meal 21 €; two nights and four meals: 240 €.
    assert abroad_allowance_cents(daily_cents=12000, nights=2, meals=4, rules=RULES) == 24000
    # 75 % advance of the expected allowance, rounded down: 180 €.
    assert advance_cents(24000, RULES) == 18000
    assert advance_cents(13333, RULES) == 9999


def test_mileage_split_across_the_2000_km_band() -> None:
    # 5 CV car, 1,800 km already this year, a 500 km line: 200 km at 0.32 and 300 at 0.40.
    parts = mileage_parts(D(500), annual_km_before=D(1800), fiscal_cv=5,
                          rates=STATE_2023.mileage_rates)
    assert [(p.km, p.euros_per_km) for p in parts] == [(D(200), D("0.32")), (D(300), D("0.40"))]
    assert sum(p.cents for p in parts) == 6400 + 12000
    # Crossing both bands at once (8 CV): 100 at 0.45, 8,000 at 0.55, 900 at 0.32.
    parts = mileage_parts(D(9000), annual_km_before=D(1900), fiscal_cv=8,
                          rates=STATE_2023.mileage_rates)
    assert [(p.km, p.euros_per_km) for p in parts] == [
        (D(100), D("0.45")), (D(8000), D("0.55")), (D(900), D("0.32"))]
    assert mileage_parts(D(10), annual_km_before=D(0), fiscal_cv=5, rates=()) == []


times = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31))


@settings(max_examples=300, deadline=None)
@given(departure=times, hours=st.integers(0, 24 * 20), more=st.integers(0, 24 * 3))
def test_a_longer_mission_never_pays_fewer_meals_or_nights(
        departure: datetime, hours: int, more: int) -> None:
    short = departure + timedelta(hours=hours)
    long = short + timedelta(hours=more)
    assert set(meals_on_mission(departure, short, RULES)) <= set(
        meals_on_mission(departure, long, RULES))
    assert set(nights_on_mission(departure, short, RULES)) <= set(
        nights_on_mission(departure, long, RULES))


@settings(max_examples=300, deadline=None)
@given(departure=times, hours=st.integers(0, 24 * 20))
def test_counts_match_whole_days(departure: datetime, hours: int) -> None:
    return_at = departure + timedelta(hours=hours)
    meals = meals_on_mission(departure, return_at, RULES)
    nights = nights_on_mission(departure, return_at, RULES)
    # at most two meals a day and one night a day; one night per 24 h at most, plus one
    days = (return_at.date() - departure.date()).days + 1
    assert len(meals) <= 2 * days and len(nights) <= days
    assert len(nights) <= hours // 24 + 1
    # every midnight-to-5 stretch wholly inside the mission is a night
    assert len(nights) >= max(0, hours // 24 - 1)
    assert meal_allowance_cents(meals, meal_cents=2000, rules=RULES) == 2000 * len(meals)


@settings(max_examples=300, deadline=None)
@given(km=st.integers(1, 30000), before=st.integers(0, 30000), cv=st.integers(1, 12))
def test_mileage_parts_add_up_and_follow_the_bands(km: int, before: int, cv: int) -> None:
    parts = mileage_parts(D(km), annual_km_before=D(before), fiscal_cv=cv,
                          rates=STATE_2023.mileage_rates)
    assert sum(p.km for p in parts) == km
    # the same kilometres, split in two lines, cost the same
    first = mileage_parts(D(km // 2), annual_km_before=D(before), fiscal_cv=cv,
                          rates=STATE_2023.mileage_rates)
    second = mileage_parts(D(km - km // 2), annual_km_before=D(before + km // 2), fiscal_cv=cv,
                           rates=STATE_2023.mileage_rates)
    assert sum(p.cents for p in first + second) == sum(p.cents for p in parts)


def test_expected_allowance_in_france_and_abroad() -> None:
    from backend.policy.allowances import expected_allowance

    # Lyon (large city, 120 € cap), Monday 08:00 to Wednesday 20:00: 5 meals × 20 € and
    # 2 nights up to 120 €: 340 € at most; no advance in France.
    lyon = expected_allowance(at(2, 8), at(4, 20), rules=STATE_2023, city_class="large_city",
                              country="FR", advance_requested=True)
    assert (lyon.meals, lyon.nights, lyon.meals_cents, lyon.lodging_cap_cents) == (5, 2, 10000,
                                                                                   24000)
    assert (lyon.expected_cents, lyon.advance_cents) == (34000, 0)
    # Abroad at a daily rate of 120 €: 2 nights × 78 € + 5 meals × 21 € = 261 €, advance 75 %.
    with_rate = msgspec.structs.replace(STATE_2023, abroad_daily_cents={"DE": 12000})
    berlin = expected_allowance(at(2, 8), at(4, 20), rules=with_rate, city_class="base",
                                country="de", advance_requested=True)
    assert (berlin.abroad_cents, berlin.advance_cents) == (26100, 19575)
    assert berlin.abroad_nights_cents == 2 * 7800  # the part paid on proof of lodging
    unknown = expected_allowance(at(2, 8), at(4, 20), rules=with_rate, city_class="base",
                                 country="JP", advance_requested=True)
    assert unknown.rate_missing and unknown.expected_cents == 0


def test_abroad_is_any_country_but_the_home_country() -> None:
    assert HOME_COUNTRY == "FR"
    assert not is_abroad("FR") and not is_abroad("fr")
    assert is_abroad("DE") and is_abroad("be")


meal_lists = st.lists(st.builds(Meal, st.dates(date(2026, 1, 1), date(2026, 12, 31)),
                                st.integers(0, 1)), max_size=30, unique=True)


@settings(max_examples=300, deadline=None)
@given(meals=meal_lists, meal_cents=st.integers(0, 5000), data=st.data())
def test_each_meal_pays_whole_half_or_nothing(meals: list[Meal], meal_cents: int,
                                              data: st.DataObject) -> None:
    """Provided meals pay nothing, administrative-restaurant meals half (rounded down), the
    others the flat rate: the total is exactly that sum, never more than every meal whole."""
    provided = data.draw(st.lists(st.sampled_from(meals), unique=True) if meals else st.just([]))
    canteen = [m for m in data.draw(st.lists(st.sampled_from(meals), unique=True)
                                    if meals else st.just([])) if m not in provided]
    paid = meal_allowance_cents(meals, meal_cents=meal_cents, rules=RULES, provided=provided,
                                administrative_restaurant=canteen)
    whole = len(meals) - len(provided) - len(canteen)
    assert paid == whole * meal_cents + len(canteen) * (meal_cents // 2)
    assert 0 <= paid <= len(meals) * meal_cents


@settings(max_examples=300, deadline=None)
@given(paid=st.lists(st.integers(-1000, 50000), max_size=20), cap=st.integers(0, 20000))
def test_lodging_never_exceeds_the_cap_per_night(paid: list[int], cap: int) -> None:
    refunded = lodging_cents(paid, cap_cents=cap)
    assert 0 <= refunded <= len(paid) * cap
    assert refunded <= sum(max(p, 0) for p in paid)


@settings(max_examples=300, deadline=None)
@given(daily=st.integers(0, 100000), nights=st.integers(0, 60), meals=st.integers(0, 120))
def test_abroad_shares_and_the_advance_follow_the_rates(daily: int, nights: int,
                                                        meals: int) -> None:
    """65 % of the daily rate per night and 17.5 % per meal, each rounded to the cent; the
    advance is 75 % of it, rounded down, so never more than what is expected."""
    total = abroad_allowance_cents(daily_cents=daily, nights=nights, meals=meals, rules=RULES)
    night = int((D(daily) * D("0.65")).quantize(D(1), rounding="ROUND_HALF_UP"))
    meal = int((D(daily) * D("0.175")).quantize(D(1), rounding="ROUND_HALF_UP"))
    assert total == nights * night + meals * meal
    advance = advance_cents(total, RULES)
    assert advance == (total * 75) // 100 and 0 <= advance <= total
