"""ECB main refinancing operations rate, as dated data (taux des opérations principales de
refinancement de la BCE).

Each entry: the day a rate decision took effect and the rate (percent) in force from that day
until the next entry. Late-payment interest uses the rate in force on the first day of the
half-year in which the interest started to run (R.2192-31). Append each new ECB decision here
(source: ECB "Key ECB interest rates", fixed rate of the main refinancing operations); a
half-year after the last entry uses the last rate, which is right as long as this list is
kept up to date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

__all__ = ("MAIN_REFINANCING_RATES",)

MAIN_REFINANCING_RATES: tuple[tuple[date, Decimal], ...] = (
    (date(2016, 3, 16), Decimal("0.00")),
    (date(2022, 7, 27), Decimal("0.50")),
    (date(2022, 9, 14), Decimal("1.25")),
    (date(2022, 11, 2), Decimal("2.00")),
    (date(2022, 12, 21), Decimal("2.50")),
    (date(2023, 2, 8), Decimal("3.00")),
    (date(2023, 3, 22), Decimal("3.50")),
    (date(2023, 5, 10), Decimal("3.75")),
    (date(2023, 6, 21), Decimal("4.00")),
    (date(2023, 8, 2), Decimal("4.25")),
    (date(2023, 9, 20), Decimal("4.50")),
    (date(2024, 6, 12), Decimal("4.25")),
    (date(2024, 9, 18), Decimal("3.65")),
    (date(2024, 10, 23), Decimal("3.40")),
    (date(2024, 12, 18), Decimal("3.15")),
    (date(2025, 2, 5), Decimal("2.90")),
    (date(2025, 3, 12), Decimal("2.65")),
    (date(2025, 4, 23), Decimal("2.40")),
    (date(2025, 6, 11), Decimal("2.15")),
)
