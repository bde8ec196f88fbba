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
from decimal import Decimal
from enum import StrEnum

from backend.missions.rules import allowance_covers
from backend.missions.schemas import MissionAllowance
from backend.policy.checks import StoredFinding
from backend.policy.currency import to_eur_cents
from backend.workflow import Circuit, Transition

__all__ = (
    "CAPS_PAID_ABROAD",
    "CLAIM_CIRCUIT",
    "EDITABLE_STATES",
    "AllowanceShare",
    "ClaimFinding",
    "ClaimState",
    "ClaimTotals",
    "LineAmount",
    "allowance_share",
    "claim_totals",
    "covered_finding",
    "on_line",
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


@dataclass(frozen=True)
class AllowanceShare:
    """What the mission's computed allowances (``mission.allowance``) mean for its claim:
    the allowance added to the total, the advance to deduct, the line categories the
    allowance already pays (their receipts are proofs, not added), and the counts the checks
    use. ``computed`` is False for a mission without times (every line counts as before)."""

    computed: bool
    abroad: bool = False
    allowance_cents: int = 0
    advance_cents: int = 0
    covers: frozenset[str] = frozenset()
    nights: int = 1
    meals: int = 1


#: Findings against the French meal and lodging caps: abroad the daily allowance pays meals and
#: lodging (their receipts are proofs, not refunded at cost), so they are dropped there.
CAPS_PAID_ABROAD = frozenset({"MEAL_OVER_CAP", "LODGING_OVER_CAP"})


class ClaimFinding(StoredFinding):
    """A finding on one of a claim's lines, as the submitted claim keeps it."""

    line_id: str


def on_line(line_id: str, finding: StoredFinding) -> ClaimFinding:
    """``finding`` said of the line ``line_id``."""
    return ClaimFinding(line_id=line_id, code=finding["code"], severity=finding["severity"],
                        message_fr=finding["message_fr"], message_en=finding["message_en"],
                        figures=finding["figures"])


def allowance_share(allowance: MissionAllowance, *, lodging_proven: bool = True
                    ) -> AllowanceShare:
    """In France the flat meal allowance replaces meal receipts (lodging stays at cost up to the
    cap); abroad the daily allowance pays the meals, and the nights on proof of lodging: a claim
    without a lodging receipt (``lodging_proven`` False) gets the meals' share only. No rate
    abroad: nothing is computed and the lines count as entered. What it pays is the mission's
    ``covers`` (:func:`~backend.missions.rules.allowance_covers`, the fact the phone is sent)."""
    covers = allowance_covers(allowance)
    if not covers:
        return AllowanceShare(computed=False)
    abroad = int(allowance.get("abroad_cents") or 0)
    nights_unproven = 0 if lodging_proven else int(allowance.get("abroad_nights_cents") or 0)
    meals_cents = int(allowance.get("meals_cents") or 0)
    return AllowanceShare(
        computed=True, abroad=abroad > 0,
        allowance_cents=abroad - nights_unproven if abroad else meals_cents,
        advance_cents=int(allowance.get("advance_cents") or 0),
        covers=frozenset(covers),
        nights=int(allowance["nights"]), meals=int(allowance["meals"]))


def covered_finding(line_id: str, category: str, share: AllowanceShare) -> ClaimFinding:
    """The note on a line the mission's allowance already pays (its amount is not added)."""
    euros = f"{Decimal(share.allowance_cents) / 100:.2f}"
    what_fr = "repas" if category == "meal" else "nuitées"
    what_en = "meals" if category == "meal" else "nights"
    return ClaimFinding(
        line_id=line_id, code="PAID_BY_ALLOWANCE", severity="warning",
        message_fr=f"Les {what_fr} sont payés par l'indemnité de la mission "
                   f"({euros.replace('.', ',')} €, calculée sur vos horaires) : ce "
                   "justificatif n'est pas ajouté au total.",
        message_en=f"The {what_en} are paid by the mission's allowance (€{euros}, "
                   "computed from your times): this receipt is not added to the total.",
        figures={"allowance_cents": share.allowance_cents, "category": category})
