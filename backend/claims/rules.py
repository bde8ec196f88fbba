"""The expense claim circuit and its totals in integer cents (pure: no web or database import).

draft → submitted → approved | refused | returned → paid. A returned claim is edited and
submitted again; the agent may withdraw a submitted claim before a decision (back to draft).
Totals are computed by the server: a foreign currency line keeps its original amount and
currency plus a rate (euros per unit of that currency); its euro value is rounded half up to the
cent, line by line, and the claim total is the sum of the rounded lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from backend.workflow import Circuit, Transition

__all__ = (
    "CLAIM_CIRCUIT",
    "EDITABLE_STATES",
    "ClaimState",
    "ClaimTotals",
    "LineAmount",
    "claim_totals",
    "to_eur_cents",
)


class ClaimState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REFUSED = "refused"
    RETURNED = "returned"
    PAID = "paid"


S = ClaimState
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})

CLAIM_CIRCUIT = Circuit(
    name="claim",
    transitions=(
        Transition("submit", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
        Transition("withdraw", frozenset({S.SUBMITTED}), S.DRAFT),
        Transition("approve", frozenset({S.SUBMITTED}), S.APPROVED, decision=True),
        Transition("refuse", frozenset({S.SUBMITTED}), S.REFUSED, decision=True),
        Transition("return", frozenset({S.SUBMITTED}), S.RETURNED, decision=True),
        Transition("mark_paid", frozenset({S.APPROVED}), S.PAID),
    ),
    decided=frozenset({S.APPROVED, S.REFUSED, S.PAID}),
)


def to_eur_cents(amount_cents: int, currency: str, rate: Decimal | None) -> int:
    """The euro value in cents of an amount in ``currency`` (``rate`` euros per unit)."""
    if currency.upper() == "EUR":
        return amount_cents
    if rate is None or rate <= 0:
        raise ValueError("a foreign currency amount needs a positive rate")
    return int((Decimal(amount_cents) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class LineAmount:
    """What the totals need from a line: original amount and currency, rate, VAT in EUR."""

    amount_cents: int
    currency: str = "EUR"
    rate: Decimal | None = None
    vat_cents: int = 0


@dataclass(frozen=True)
class ClaimTotals:
    total_cents: int
    vat_cents: int
    line_count: int
    foreign_line_count: int


def claim_totals(lines: Iterable[LineAmount]) -> ClaimTotals:
    """Sum of the lines in euro cents (each line converted and rounded first)."""
    total = vat = count = foreign = 0
    for line in lines:
        total += to_eur_cents(line.amount_cents, line.currency, line.rate)
        vat += to_eur_cents(line.vat_cents, line.currency, line.rate)
        count += 1
        foreign += line.currency.upper() != "EUR"
    return ClaimTotals(total, vat, count, foreign)
