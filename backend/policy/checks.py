"""Policy checks run on one expense line as it is entered (pure: no web or database import).

Each check yields a :class:`Finding` with a stable code, a severity (``blocking`` only where the
organisation's rule set says so), a message in French and English, and the figures behind it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, Protocol, TypedDict

import msgspec

from backend.policy.allowances import mileage_parts
from backend.policy.rules import RuleSet

__all__ = (
    "CHECK_CODES",
    "Figure",
    "Finding",
    "LineFacts",
    "OtherLine",
    "StoredFinding",
    "check_line",
    "has_blocking",
)

Severity = Literal["warning", "blocking"]

CHECK_CODES = (
    "MEAL_OVER_CAP", "LODGING_OVER_CAP", "MILEAGE_AMOUNT", "MILEAGE_DATA_MISSING",
    "DATE_OUTSIDE_MISSION", "DATE_IN_FUTURE", "VAT_RATE_IMPLAUSIBLE", "VAT_SUM_MISMATCH",
    "DUPLICATE_RECEIPT", "NO_RULES",
)


#: What a finding quotes, by name: amounts in cents, dates and codes as text, flags, texts.
Figure = str | int | bool | list[str | None] | None


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One policy observation on a line."""

    code: str
    severity: Severity
    message_fr: str
    message_en: str
    figures: dict[str, Figure] = msgspec.field(default_factory=dict)


class StoredFinding(TypedDict):
    """A finding as JSON (a :class:`Finding`, or one on a line's receipts), as stored on an
    expense line's reading and on a submitted claim."""

    code: str
    severity: str
    message_fr: str
    message_en: str
    figures: dict[str, Figure]


class _Add(Protocol):
    def __call__(self, code: str, fr: str, en: str, /, **figures: Figure) -> None: ...


@dataclass(frozen=True)
class LineFacts:
    """What the checks read from a line, its mission and its agent. Amounts in EUR cents
    (already converted for foreign lines)."""

    line_id: str
    category: str
    spent_on: date
    amount_cents: int
    merchant: str = ""
    ht_cents: int | None = None
    vat_cents: int | None = None
    vat_rates: tuple[Decimal, ...] = ()
    receipt_hashes: tuple[str, ...] = ()
    nights: int = 1
    meals: int = 1
    city_class: str = "base"
    km: Decimal | None = None
    fiscal_cv: int | None = None
    mission_start: date | None = None
    mission_end: date | None = None
    agent_disabled: bool = False
    # The agent's km of the year before this line (the band the line starts in).
    agent_annual_km: int = 0


@dataclass(frozen=True)
class OtherLine:
    """Another line of the same agent (any claim), for the duplicate check."""

    line_id: str
    spent_on: date
    amount_cents: int
    merchant: str
    receipt_hashes: tuple[str, ...] = field(default_factory=tuple)


def _euros(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _fr_euros(cents: int) -> str:
    return _euros(cents).replace(".", ",") + " €"


def _percent(rate: Decimal, *, french: bool) -> str:
    """A rate as people write it, never in scientific notation: 20 %, 5,5 % / 5.5 %."""
    text = format(rate, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (text.replace(".", ",") if french else text) + " %"


def _normal(text: str) -> str:
    stripped = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(stripped.lower().split())


def check_line(
    line: LineFacts,
    rules: RuleSet | None,
    *,
    today: date,
    others: Sequence[OtherLine] = (),
) -> list[Finding]:
    """Every finding on ``line`` under ``rules`` (None: no rule set in force that day)."""
    found: list[tuple[str, str, str, dict[str, Figure]]] = []

    def add(code: str, fr: str, en: str, /, **figures: Figure) -> None:
        found.append((code, fr, en, figures))

    if rules is None:
        add("NO_RULES", "Aucun barème en vigueur à cette date.",
            "No expense rules in force on that date.", date=line.spent_on.isoformat())
    else:
        _caps(line, rules, add)
        _vat_rate(line, rules, add)
    _dates(line, today, add)
    _vat_sum(line, rules.vat_tolerance_cents if rules else 1, add)
    _duplicates(line, others, add)
    blocking = rules.blocking if rules else frozenset()
    return [
        Finding(code=code, severity="blocking" if code in blocking else "warning",
                message_fr=fr, message_en=en, figures=figures)
        for code, fr, en, figures in found
    ]


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "blocking" for f in findings)


def _caps(line: LineFacts, rules: RuleSet, add: _Add) -> None:
    if line.category == "meal":
        cap = rules.meal_cap_cents * max(line.meals, 1)
        if line.amount_cents > cap:
            add("MEAL_OVER_CAP",
                f"Repas de {_fr_euros(line.amount_cents)} au-delà du plafond de {_fr_euros(cap)}.",
                f"Meal of €{_euros(line.amount_cents)} above the €{_euros(cap)} cap.",
                amount_cents=line.amount_cents, cap_cents=cap, rule_set=rules.name)
    elif line.category == "lodging":
        per_night = rules.lodging_caps_cents.get(
            line.city_class, rules.lodging_caps_cents.get("base", 0))
        if line.agent_disabled and rules.disabled_lodging_cap_cents is not None:
            per_night = max(per_night, rules.disabled_lodging_cap_cents)
        nights = max(line.nights, 1)
        cap = per_night * nights
        if line.amount_cents > cap:
            add("LODGING_OVER_CAP",
                f"Hébergement de {_fr_euros(line.amount_cents)} pour {nights} nuit(s) au-delà "
                f"du plafond de {_fr_euros(per_night)} par nuit.",
                f"Lodging of €{_euros(line.amount_cents)} for {nights} night(s) above the "
                f"€{_euros(per_night)} per night cap.",
                amount_cents=line.amount_cents, cap_per_night_cents=per_night, nights=nights,
                city_class=line.city_class, rule_set=rules.name)
    elif line.category == "mileage":
        if line.km is None or line.fiscal_cv is None:
            add("MILEAGE_DATA_MISSING",
                "Indiquez les kilomètres et la puissance fiscale du véhicule.",
                "Enter the distance in km and the car's fiscal horsepower.")
            return
        parts = mileage_parts(line.km, annual_km_before=Decimal(line.agent_annual_km),
                              fiscal_cv=line.fiscal_cv, rates=rules.mileage_rates)
        if not parts:
            return
        total = sum((p.cents for p in parts), Decimal(0))
        expected = int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        rates = " + ".join(f"{p.km} km × {p.euros_per_km}" for p in parts)
        if line.amount_cents != expected:
            add("MILEAGE_AMOUNT",
                f"Le barème donne {_fr_euros(expected)} pour {line.km} km "
                f"({line.fiscal_cv} CV, {rates.replace('.', ',')} €/km), "
                f"et non {_fr_euros(line.amount_cents)}.",
                f"The rate table gives €{_euros(expected)} for {line.km} km "
                f"({line.fiscal_cv} CV, {rates} €/km), not €{_euros(line.amount_cents)}.",
                amount_cents=line.amount_cents, expected_cents=expected, km=str(line.km),
                fiscal_cv=line.fiscal_cv, rate_per_km=[str(p.euros_per_km) for p in parts],
                annual_km=line.agent_annual_km, rule_set=rules.name)


def _dates(line: LineFacts, today: date, add: _Add) -> None:
    if line.spent_on > today:
        add("DATE_IN_FUTURE", "La date de la dépense est dans le futur.",
            "The expense date is in the future.", date=line.spent_on.isoformat(),
            today=today.isoformat())
    start, end = line.mission_start, line.mission_end
    if start is not None and end is not None and not start <= line.spent_on <= end:
        add("DATE_OUTSIDE_MISSION",
            f"Dépense du {line.spent_on:%d/%m/%Y} hors des dates de la mission "
            f"({start:%d/%m/%Y} – {end:%d/%m/%Y}).",
            f"Expense dated {line.spent_on.isoformat()} outside the mission dates "
            f"({start.isoformat()} – {end.isoformat()}).",
            date=line.spent_on.isoformat(), mission_start=start.isoformat(),
            mission_end=end.isoformat())


def _vat_rate(line: LineFacts, rules: RuleSet, add: _Add) -> None:
    plausible = rules.plausible_vat_rates.get(line.category, rules.legal_vat_rates)
    odd = [r for r in line.vat_rates if r not in rules.legal_vat_rates or r not in plausible]
    if odd:
        shown_fr = " ; ".join(_percent(r, french=True) for r in odd)
        shown_en = ", ".join(_percent(r, french=False) for r in odd)
        add("VAT_RATE_IMPLAUSIBLE",
            f"Taux de TVA inhabituel pour cette catégorie : {shown_fr}.",
            f"Unusual VAT rate for this category: {shown_en}.",
            rates=[format(r, "f") for r in odd], plausible=[format(r, "f") for r in plausible],
            category=line.category)


def _vat_sum(line: LineFacts, tolerance: int, add: _Add) -> None:
    if line.ht_cents is None or line.vat_cents is None:
        return
    rates = max(len(line.vat_rates), 1)
    gap = line.ht_cents + line.vat_cents - line.amount_cents
    if abs(gap) > tolerance * rates:
        add("VAT_SUM_MISMATCH",
            f"HT + TVA ({_fr_euros(line.ht_cents)} + {_fr_euros(line.vat_cents)}) "
            f"≠ TTC ({_fr_euros(line.amount_cents)}).",
            f"Net + VAT (€{_euros(line.ht_cents)} + €{_euros(line.vat_cents)}) "
            f"≠ total (€{_euros(line.amount_cents)}).",
            ht_cents=line.ht_cents, vat_cents=line.vat_cents, ttc_cents=line.amount_cents,
            gap_cents=gap)


def _duplicates(line: LineFacts, others: Sequence[OtherLine], add: _Add) -> None:
    mine = set(line.receipt_hashes)
    merchant = _normal(line.merchant)
    for other in others:
        if other.line_id == line.line_id:
            continue
        same_image = bool(mine & set(other.receipt_hashes))
        same_facts = (bool(merchant) and merchant == _normal(other.merchant)
                      and other.spent_on == line.spent_on
                      and other.amount_cents == line.amount_cents)
        if same_image or same_facts:
            add("DUPLICATE_RECEIPT",
                "Ce justificatif semble déjà présenté dans une autre dépense.",
                "This receipt seems to be already claimed on another expense.",
                other_line_id=other.line_id,
                reason="same_image" if same_image else "same_merchant_date_amount")
            return
