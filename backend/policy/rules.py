"""Expense rule sets as data: caps, mileage rates, plausible VAT rates, valid between dates.

An organisation holds several rule sets; the one in force on the mission's first day applies
(the arrêté du 20 septembre 2023 caps apply to missions from 2023-09-22). Rule sets travel as
JSON (stored per organisation, seeded from :data:`STATE_DEFAULTS`), never as code constants in
the checks. Pure module: no web or database import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

import msgspec

__all__ = (
    "CATEGORIES",
    "CITY_CLASSES",
    "STATE_DEFAULTS",
    "AllowanceRules",
    "MileageRate",
    "RuleSet",
    "mileage_rate",
    "rule_set_at",
)

CATEGORIES = (
    "train", "plane", "taxi", "public_transport", "fuel", "tolls", "parking", "mileage",
    "meal", "lodging", "other",
)
# Lodging city classes of the arrêté: base, large city (≥ 200,000 inhabitants), Grand Paris
# commune, Paris. A disabled agent with reduced mobility has a cap of their own ("disabled").
CITY_CLASSES = ("base", "large_city", "grand_paris", "paris")


class MileageRate(msgspec.Struct, frozen=True, kw_only=True):
    """Euros per km for cars of ``min_cv``..``max_cv`` fiscal horsepower, by annual km band."""

    min_cv: int
    max_cv: int | None
    # (upper bound of the band in km or None for "above", euros per km)
    bands: tuple[tuple[int | None, Decimal], ...]


class AllowanceRules(msgspec.Struct, frozen=True, kw_only=True):
    """The allowance part of a rule set (defaults: the State's rules for metropolitan France,
    arrêté du 3 juillet 2006 as amended on 20 September 2023)."""

    # (start, end) of each meal window, "HH:MM"; the agent must be on mission for all of it.
    meal_windows: tuple[tuple[str, str], ...] = (("12:00", "14:00"), ("19:00", "21:00"))
    night_window: tuple[str, str] = ("00:00", "05:00")
    # Share of the meal allowance when an administrative restaurant is available.
    administrative_restaurant_share: Decimal = Decimal("0.5")
    # Allowance for breakfast when the lodging excludes it (None: not paid in this ministry).
    breakfast_cents: int | None = None
    # Abroad: shares of the country's daily allowance, and the advance paid before departure.
    abroad_night_share: Decimal = Decimal("0.65")
    abroad_meal_share: Decimal = Decimal("0.175")
    advance_share: Decimal = Decimal("0.75")


class RuleSet(msgspec.Struct, frozen=True, kw_only=True):
    """One organisation's expense rules, in force from ``valid_from`` until ``valid_until``
    (excluded; None = open)."""

    name: str
    valid_from: date
    valid_until: date | None = None
    source: str = ""
    meal_cap_cents: int
    lodging_caps_cents: dict[str, int]
    disabled_lodging_cap_cents: int | None = None
    mileage_rates: tuple[MileageRate, ...] = ()
    # Plausible VAT rates (percent) per category; a category absent means "any legal rate".
    legal_vat_rates: tuple[Decimal, ...] = (
        Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"), Decimal("0"),
    )
    plausible_vat_rates: dict[str, tuple[Decimal, ...]] = msgspec.field(default_factory=dict)
    # Cents of tolerance on HT + VAT = TTC (rounding per VAT rate on a receipt).
    vat_tolerance_cents: int = 1
    # Check codes that block submission in this organisation (others are warnings).
    blocking: frozenset[str] = frozenset()
    # Meal windows, night window, shares abroad, advance (see backend.policy.allowances).
    allowances: AllowanceRules = msgspec.field(default_factory=AllowanceRules)

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


def rule_set_at(rule_sets: Iterable[RuleSet], day: date) -> RuleSet | None:
    """The rule set in force on ``day`` (the latest starting one if several overlap)."""
    candidates = [r for r in rule_sets if r.in_force(day)]
    return max(candidates, key=lambda r: r.valid_from) if candidates else None


def mileage_rate(rates: Sequence[MileageRate], *, fiscal_cv: int, annual_km: int) -> Decimal | None:
    """Euros per km for a car of ``fiscal_cv`` when the agent's annual distance is ``annual_km``."""
    for rate in rates:
        if fiscal_cv >= rate.min_cv and (rate.max_cv is None or fiscal_cv <= rate.max_cv):
            for upper, euros in rate.bands:
                if upper is None or annual_km <= upper:
                    return euros
    return None


def _bands(low: str, mid: str, high: str) -> tuple[tuple[int | None, Decimal], ...]:
    return ((2000, Decimal(low)), (10000, Decimal(mid)), (None, Decimal(high)))


# Arrêté du 14 mars 2022 (indemnités kilométriques).
_MILEAGE_2022 = (
    MileageRate(min_cv=0, max_cv=5, bands=_bands("0.32", "0.40", "0.23")),
    MileageRate(min_cv=6, max_cv=7, bands=_bands("0.41", "0.51", "0.30")),
    MileageRate(min_cv=8, max_cv=None, bands=_bands("0.45", "0.55", "0.32")),
)

_PLAUSIBLE_VAT = {
    "meal": (Decimal("10"), Decimal("20"), Decimal("5.5")),
    "lodging": (Decimal("10"), Decimal("5.5")),
    "train": (Decimal("10"), Decimal("0")),
    "plane": (Decimal("10"), Decimal("0")),
    "taxi": (Decimal("10"),),
    "public_transport": (Decimal("10"), Decimal("5.5")),
    "fuel": (Decimal("20"),),
    "tolls": (Decimal("20"),),
    "parking": (Decimal("20"),),
    "mileage": (Decimal("0"),),
}

# The State's rules for metropolitan France: before and after the arrêté du 20 septembre 2023.
STATE_DEFAULTS: tuple[RuleSet, ...] = (
    RuleSet(
        name="state-2019",
        valid_from=date(2019, 3, 1),
        valid_until=date(2023, 9, 22),
        source="arrêté du 26 février 2019 (caps before 2023-09-22); arrêté du 14 mars 2022",
        meal_cap_cents=1750,
        lodging_caps_cents={"base": 7000, "large_city": 9000, "grand_paris": 9000,
                            "paris": 11000},
        mileage_rates=_MILEAGE_2022,
        plausible_vat_rates=_PLAUSIBLE_VAT,
    ),
    RuleSet(
        name="state-2023",
        valid_from=date(2023, 9, 22),
        source="arrêté du 20 septembre 2023; arrêté du 14 mars 2022",
        meal_cap_cents=2000,
        lodging_caps_cents={"base": 9000, "large_city": 12000, "grand_paris": 12000,
                            "paris": 14000},
        disabled_lodging_cap_cents=15000,
        mileage_rates=_MILEAGE_2022,
        plausible_vat_rates=_PLAUSIBLE_VAT,
    ),
)
