"""A mileage line priced by the server (indemnités kilométriques): the agent gives only the km;
the car's fiscal horsepower comes from their vehicle profile and the euros per km from the
organisation's rule set in force on the line's date, band by band
(:func:`backend.policy.allowances.mileage_parts`).

The agent's km of the year before the line are the km declared on the profile for that year
plus the km of their other mileage lines of the year: a running counter in the order the lines
are entered, so a line keeps its price when later lines come.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from backend.expenses.claim_lines import lines_of_owner
from backend.expenses.rows import MileagePart, MileagePrice
from backend.expenses.vehicles import profile_of
from backend.policy.allowances import mileage_parts
from backend.policy.rules import rule_set_at
from backend.policy.services import annual_km, rule_sets_for
from kernel.errors import Problem, register_codes
from sync import Rejected

__all__ = ("MILEAGE_CODES", "Priced", "price_mileage")

MILEAGE_CODES = {
    "VEHICLE_PROFILE_MISSING": Problem(
        422, "Renseignez d'abord votre véhicule (puissance fiscale) dans vos réglages : le "
        "montant des indemnités kilométriques en dépend.",
        "Enter your car (fiscal horsepower) in your settings first: the mileage allowance "
        "depends on it."),
    "MILEAGE_KM_INVALID": Problem(
        422, "Indiquez une distance en kilomètres supérieure à zéro.",
        "Enter a distance in km greater than zero."),
    "MILEAGE_NO_RATE": Problem(
        422, "Aucun barème kilométrique en vigueur à cette date pour ce véhicule.",
        "No mileage rate in force on that date for this car."),
}
register_codes(MILEAGE_CODES)

#: A mileage line's amount in cents and its price (parts per band, km before, CV, rule set).
Priced = tuple[int, MileagePrice]


async def price_mileage(*, owner: UUID, organisation: UUID, line_id: UUID, km: Any,
                        day: date) -> Priced:
    """The line's amount in cents and its split (parts per band, km before, CV, rule set).

    Raises ``Rejected`` MILEAGE_KM_INVALID (no km, or 0), VEHICLE_PROFILE_MISSING,
    MILEAGE_NO_RATE (no rule set that day, or no rate for the car's CV)."""
    if not isinstance(km, int) or km <= 0:
        raise Rejected("MILEAGE_KM_INVALID", {"km": km})
    profile = await profile_of(owner)
    if profile is None:
        raise Rejected("VEHICLE_PROFILE_MISSING", {})
    cv = int(profile["fiscal_cv"])
    declared = int(profile["declared_km"]) if int(profile["year"]) == day.year else 0
    others = await lines_of_owner(owner, since=date(day.year, 1, 1))
    before = declared + annual_km(others, year=day.year, excluding=str(line_id))
    rules = rule_set_at(await rule_sets_for(organisation), day)
    parts = mileage_parts(Decimal(km), annual_km_before=Decimal(before), fiscal_cv=cv,
                          rates=rules.mileage_rates if rules else ())
    if rules is None or not parts:
        raise Rejected("MILEAGE_NO_RATE", {"date": day.isoformat(), "fiscal_cv": cv})
    cents = [int(p.cents.quantize(Decimal(1), rounding=ROUND_HALF_UP)) for p in parts]
    split = [MileagePart(km=int(p.km), euros_per_km=str(p.euros_per_km), cents=c)
             for p, c in zip(parts, cents, strict=True)]
    return sum(cents), MileagePrice(parts=split, annual_km_before=before, fiscal_cv=cv,
                                    rule_set=rules.name)
