"""Euro value of a foreign currency amount, in integer cents (pure: no web or database import).

A foreign currency line keeps its original amount and currency plus a rate (euros per unit of
that currency); its euro value is rounded half up to the cent. The claim totals
(:mod:`backend.claims.rules`) and the policy checks (:mod:`backend.policy.services`) both ask
this function.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ("to_eur_cents",)


def to_eur_cents(amount_cents: int, currency: str, rate: Decimal | None) -> int:
    """The euro value in cents of an amount in ``currency`` (``rate`` euros per unit)."""
    if currency.upper() == "EUR":
        return amount_cents
    if rate is None or rate <= 0:
        raise ValueError("a foreign currency amount needs a positive rate")
    return int((Decimal(amount_cents) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
