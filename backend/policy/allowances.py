"""Mission allowances computed from the mission's times and the rule set, never typed by the agent
(pure: no web or database import).

Meals are a flat allowance (indemnité de repas), due for each meal window (12:00–14:00 and
19:00–21:00 by default; some ministries use 11–14 and 18–21) that the agent spends wholly on
mission; halved, rounded down to the cent, when an administrative restaurant is available; none
when the meal is provided. A night is due when the agent is on mission during the whole of
00:00–05:00, on proof of payment of the lodging, up to the city class's cap. Abroad, a daily
allowance per country is split 65 % for the night and 17.5 % per meal (local time). Mileage is
paid per km at the rate of the agent's annual distance band, a line that crosses a band being
split across it. Times are the wall-clock times of the place (``datetime`` without zone).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from backend.policy.rules import AllowanceRules, MileageRate, RuleSet

__all__ = (
    "HOME_COUNTRY",
    "ExpectedAllowance",
    "Meal",
    "MileagePart",
    "abroad_allowance_cents",
    "advance_cents",
    "expected_allowance",
    "is_abroad",
    "lodging_cents",
    "meal_allowance_cents",
    "meals_on_mission",
    "mileage_parts",
    "nights_on_mission",
)


@dataclass(frozen=True, order=True)
class Meal:
    """One meal window spent on mission: its day and which window (0 = midday, 1 = evening)."""

    day: date
    window: int


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _days(departure: datetime, return_at: datetime) -> Iterator[date]:
    day = departure.date()
    while day <= return_at.date():
        yield day
        day += timedelta(days=1)


def meals_on_mission(departure: datetime, return_at: datetime,
                     rules: AllowanceRules) -> list[Meal]:
    """The meal windows the agent spends wholly on mission, in order."""
    meals = []
    for day in _days(departure, return_at):
        for index, (start, end) in enumerate(rules.meal_windows):
            opens = datetime.combine(day, _clock(start))
            closes = datetime.combine(day, _clock(end))
            if departure <= opens and closes <= return_at:
                meals.append(Meal(day, index))
    return meals


def nights_on_mission(departure: datetime, return_at: datetime,
                      rules: AllowanceRules) -> list[date]:
    """The nights (named by the day they end on) spent wholly on mission during the night
    window (00:00–05:00)."""
    start, end = (_clock(t) for t in rules.night_window)
    return [day for day in _days(departure, return_at)
            if departure <= datetime.combine(day, start)
            and datetime.combine(day, end) <= return_at]


def _share(cents: int, share: Decimal, rounding: str) -> int:
    return int((Decimal(cents) * share).quantize(Decimal(1), rounding=rounding))


def meal_allowance_cents(meals: Collection[Meal], *, meal_cents: int, rules: AllowanceRules,
                         provided: Collection[Meal] = (),
                         administrative_restaurant: Collection[Meal] = ()) -> int:
    """Flat meal allowances: ``meal_cents`` per meal, halved (rounded down to the cent) where an
    administrative restaurant was available, nothing for a meal provided free."""
    half = _share(meal_cents, rules.administrative_restaurant_share, ROUND_DOWN)
    return sum(0 if meal in provided else half if meal in administrative_restaurant
               else meal_cents for meal in meals)


def lodging_cents(paid_per_night_cents: Sequence[int], *, cap_cents: int) -> int:
    """Lodging refunded: each night's proven payment up to the cap (a night without proof,
    0, gets nothing)."""
    return sum(min(max(paid, 0), cap_cents) for paid in paid_per_night_cents)


def abroad_allowance_cents(*, daily_cents: int, nights: int, meals: int,
                           rules: AllowanceRules) -> int:
    """Abroad: 65 % of the country's daily allowance per night (on proof of lodging) and
    17.5 % per meal, each share rounded to the cent."""
    return (nights * _share(daily_cents, rules.abroad_night_share, ROUND_HALF_UP)
            + meals * _share(daily_cents, rules.abroad_meal_share, ROUND_HALF_UP))


def advance_cents(expected_cents: int, rules: AllowanceRules) -> int:
    """The advance paid before departure: 75 % of the expected allowance, rounded down."""
    return _share(expected_cents, rules.advance_share, ROUND_DOWN)


@dataclass(frozen=True)
class MileagePart:
    """Kilometres of one line priced at one band's rate."""

    km: Decimal
    euros_per_km: Decimal

    @property
    def cents(self) -> Decimal:
        return self.km * self.euros_per_km * 100


def mileage_parts(km: Decimal, *, annual_km_before: Decimal, fiscal_cv: int,
                  rates: Sequence[MileageRate]) -> list[MileagePart]:
    """A mileage line priced band by band: the kilometres that fall below a band's upper bound
    (counting the agent's kilometres of the year before this line) at that band's rate, the rest
    at the next. Empty when no rate covers ``fiscal_cv``."""
    rate = next((r for r in rates if fiscal_cv >= r.min_cv
                 and (r.max_cv is None or fiscal_cv <= r.max_cv)), None)
    if rate is None or km <= 0:
        return []
    parts, position, left = [], max(annual_km_before, Decimal(0)), km
    for upper, euros in rate.bands:
        room = left if upper is None else max(Decimal(upper) - position, Decimal(0))
        taken = min(room, left)
        if taken > 0:
            parts.append(MileagePart(taken, euros))
            position, left = position + taken, left - taken
        if left <= 0:
            break
    return parts


@dataclass(frozen=True)
class ExpectedAllowance:
    """What a mission is expected to pay in allowances, from its times and the rule set.

    In France: flat meals and nights up to the city's lodging cap (paid on proof, so an upper
    bound). Abroad: the country's daily allowance split per night and meal, of which
    ``abroad_nights_cents`` is the nights' share (paid on proof of lodging); ``rate_missing``
    when the rule set has no rate for the country. ``advance_cents``: 75 % of it, when asked
    for a mission abroad."""

    meals: int
    nights: int
    meals_cents: int
    lodging_cap_cents: int
    abroad_cents: int
    expected_cents: int
    advance_cents: int
    rate_missing: bool = False
    abroad_nights_cents: int = 0


#: The country whose missions are not abroad (ISO 3166 alpha-2); the phone receives it with the
#: rule sets (``RuleSetsOut.home_country``) rather than a copy of its own.
HOME_COUNTRY = "FR"


def is_abroad(country: str) -> bool:
    """Whether a mission to ``country`` (ISO 3166 alpha-2) is paid by a daily allowance abroad."""
    return country.upper() != HOME_COUNTRY


def expected_allowance(departure: datetime, return_at: datetime, *, rules: RuleSet,
                       city_class: str, country: str, advance_requested: bool
                       ) -> ExpectedAllowance:
    """The allowances of a mission from ``departure`` to ``return_at`` (local wall clock)."""
    terms = rules.allowances
    meals = meals_on_mission(departure, return_at, terms)
    nights = nights_on_mission(departure, return_at, terms)
    if is_abroad(country):
        daily = rules.abroad_daily_cents.get(country.upper())
        abroad = 0 if daily is None else abroad_allowance_cents(
            daily_cents=daily, nights=len(nights), meals=len(meals), rules=terms)
        advance = advance_cents(abroad, terms) if advance_requested else 0
        night_part = 0 if daily is None else abroad_allowance_cents(
            daily_cents=daily, nights=len(nights), meals=0, rules=terms)
        return ExpectedAllowance(len(meals), len(nights), 0, 0, abroad, abroad, advance,
                                 rate_missing=daily is None, abroad_nights_cents=night_part)
    meals_cents = meal_allowance_cents(meals, meal_cents=rules.meal_cap_cents, rules=terms)
    cap = rules.lodging_caps_cents.get(city_class, rules.lodging_caps_cents.get("base", 0))
    lodging = cap * len(nights)
    return ExpectedAllowance(len(meals), len(nights), meals_cents, lodging, 0,
                             meals_cents + lodging, 0)
