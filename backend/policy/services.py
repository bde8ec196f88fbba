"""Expense rule sets per organisation (the only code querying ``policy_rule_set``) and the
translation of stored expense lines into the pure checks' facts."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID, uuid4

import msgspec

from backend.policy.checks import LineFacts, OtherLine
from backend.policy.currency import to_eur_cents
from backend.policy.rules import STATE_DEFAULTS, RuleSet
from backend.policy.tables import CurrencyRate, PolicyRuleSet

__all__ = ("RATE_VALIDITY", "CheckedLine", "RateRow", "add_rule_set", "annual_km", "eur_cents_of",
           "line_facts", "load_rates", "other_line", "parse_rates", "rate_on",
           "rule_set_name_taken", "rule_sets_for", "seed_state_defaults", "stored_rule_sets")


async def rule_sets_for(organisation_id: UUID | None) -> list[RuleSet]:
    """The organisation's rule sets; the State's defaults when it has none of its own."""
    if organisation_id is None:
        return list(STATE_DEFAULTS)
    rows = await PolicyRuleSet.select(PolicyRuleSet.rules).where(
        PolicyRuleSet.organisation == organisation_id)
    if not rows:
        return list(STATE_DEFAULTS)
    return [msgspec.json.decode(r["rules"] if isinstance(r["rules"], str | bytes)
                                else msgspec.json.encode(r["rules"]), type=RuleSet)
            for r in rows]


async def stored_rule_sets(organisation_id: UUID) -> list[RuleSet]:
    """The organisation's own stored rule sets (none: it follows the State's defaults)."""
    rows = await PolicyRuleSet.select(PolicyRuleSet.rules).where(
        PolicyRuleSet.organisation == organisation_id).order_by(PolicyRuleSet.valid_from)
    return [msgspec.json.decode(r["rules"] if isinstance(r["rules"], str | bytes)
                                else msgspec.json.encode(r["rules"]), type=RuleSet)
            for r in rows]


async def rule_set_name_taken(organisation_id: UUID, name: str) -> bool:
    return bool(await PolicyRuleSet.exists().where(
        PolicyRuleSet.name_key == f"{organisation_id}:{name}"))


async def add_rule_set(organisation_id: UUID, rules: RuleSet) -> None:
    """Store one more dated version (the checks take, on a day, the latest one started)."""
    await PolicyRuleSet.insert(PolicyRuleSet(
        id=uuid4(), organisation=organisation_id, name=rules.name,
        name_key=f"{organisation_id}:{rules.name}", valid_from=rules.valid_from,
        valid_until=rules.valid_until, rules=msgspec.json.encode(rules).decode()))


async def seed_state_defaults(organisation_id: UUID) -> int:
    """Store the State's dated rule sets (2019 and 2023 caps) for the organisation; idempotent."""
    added = 0
    for rules in STATE_DEFAULTS:
        key = f"{organisation_id}:{rules.name}"
        if await PolicyRuleSet.exists().where(PolicyRuleSet.name_key == key):
            continue
        await PolicyRuleSet.insert(PolicyRuleSet(
            id=uuid4(), organisation=organisation_id, name=rules.name, name_key=key,
            valid_from=rules.valid_from, valid_until=rules.valid_until,
            rules=msgspec.json.encode(rules).decode()))
        added += 1
    return added


def eur_cents_of(amount_cents: int, currency: str, fx_rate: str | None) -> int:
    """The euro value of a line (a foreign line without a rate counts as 0 until it has one)."""
    try:
        return to_eur_cents(amount_cents, currency, Decimal(fx_rate) if fx_rate else None)
    except ValueError:
        return 0


def _rates(vat_rate_bp: int | None) -> tuple[Decimal, ...]:
    if vat_rate_bp is None:
        return ()
    return (Decimal(vat_rate_bp) / 100,)  # 2000 → 20 (normalize() gave 2E+1)


@dataclass(frozen=True)
class CheckedLine:
    """An expense line as the checks read it, stored or being entered (``id``: "" for a line
    not stored yet; amounts in the line's currency; ``annual_km_before``: the agent's km of the
    year before a mileage line as the server priced it, None when it was not)."""

    id: str
    category: str
    spent_on: date
    amount_cents: int
    currency: str = "EUR"
    fx_rate: str | None = None
    merchant: str = ""
    vat_rate_bp: int | None = None
    vat_cents: int | None = None
    receipts: tuple[str, ...] = ()
    km: int | None = None
    fiscal_hp: int | None = None
    annual_km_before: int | None = None


def line_facts(line: CheckedLine, *, mission: tuple[date, date] | None, annual_km: int,
               city_class: str, disabled_agent: bool = False, nights: int = 1,
               meals: int = 1, ht_cents: int | None = None) -> LineFacts:
    """The pure checks' view of a stored (or previewed) expense line; ``mission``: its first
    and last day."""
    currency = line.currency or "EUR"
    fx_rate = line.fx_rate
    return LineFacts(
        line_id=line.id,
        category=line.category or "other",
        spent_on=line.spent_on,
        amount_cents=eur_cents_of(line.amount_cents, currency, fx_rate),
        merchant=line.merchant or "",
        ht_cents=None if ht_cents is None else eur_cents_of(ht_cents, currency, fx_rate),
        vat_cents=(None if line.vat_cents is None
                   else eur_cents_of(line.vat_cents, currency, fx_rate)),
        vat_rates=_rates(line.vat_rate_bp),
        receipt_hashes=line.receipts,
        nights=nights, meals=meals, city_class=city_class,
        km=Decimal(line.km) if line.km is not None else None,
        fiscal_cv=line.fiscal_hp,
        mission_start=mission[0] if mission else None,
        mission_end=mission[1] if mission else None,
        agent_disabled=disabled_agent, agent_annual_km=annual_km,
    )


def other_line(line: CheckedLine) -> OtherLine:
    return OtherLine(
        line_id=line.id, spent_on=line.spent_on,
        amount_cents=eur_cents_of(line.amount_cents, line.currency or "EUR", line.fx_rate),
        merchant=line.merchant or "", receipt_hashes=line.receipts)


def annual_km(lines: Iterable[CheckedLine], *, year: int, excluding: str = "") -> int:
    """Kilometres of the person's mileage lines in ``year`` (the band of the rate table)."""
    return sum(line.km or 0 for line in lines
               if line.category == "mileage" and line.spent_on.year == year
               and line.id != excluding)


# --- currency rates (dated data) --------------------------------------------------------------

#: How old the latest published rate may be for an expense's date (weekends, holidays).
RATE_VALIDITY = timedelta(days=10)


@dataclass(frozen=True)
class RateRow:
    currency: str
    day: date
    eur_per_unit: Decimal


def parse_rates(lines: Iterable[str]) -> list[RateRow]:
    """Rows of a rates CSV (``currency,day,eur_per_unit``, a header line first). Raises
    ValueError naming the line for a bad currency, date or rate (0 or negative included)."""
    rows = []
    reader = csv.DictReader(lines)
    missing = {"currency", "day", "eur_per_unit"} - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"missing columns: {', '.join(sorted(missing))}")
    for number, item in enumerate(reader, start=2):
        currency = (item["currency"] or "").strip().upper()
        try:
            day = date.fromisoformat((item["day"] or "").strip())
            rate = Decimal((item["eur_per_unit"] or "").strip())
        except (ValueError, InvalidOperation) as exc:
            raise ValueError(f"line {number}: {exc}") from None
        if len(currency) != 3 or not currency.isalpha() or currency == "EUR":
            raise ValueError(f"line {number}: currency {currency!r} is not a foreign ISO code")
        if not rate.is_finite() or rate <= 0:
            raise ValueError(f"line {number}: the rate must be a positive number")
        rows.append(RateRow(currency, day, rate))
    return rows


async def load_rates(rows: Iterable[RateRow], *, source: str, now: datetime) -> int:
    """Store (or replace) each currency's rate of the day; returns how many were written."""
    written = 0
    for row in rows:
        key = f"{row.currency}:{row.day.isoformat()}"
        values: dict[Any, Any] = {CurrencyRate.eur_per_unit: str(row.eur_per_unit),
                  CurrencyRate.source: source, CurrencyRate.loaded_at: now}
        if await CurrencyRate.exists().where(CurrencyRate.day_key == key):
            await CurrencyRate.update(values).where(CurrencyRate.day_key == key)
        else:
            await CurrencyRate.insert(CurrencyRate(
                currency=row.currency, day=row.day, day_key=key,
                eur_per_unit=str(row.eur_per_unit), source=source, loaded_at=now))
        written += 1
    return written


async def rate_on(currency: str, day: date) -> Decimal | None:
    """Euros per unit of ``currency`` on ``day``: the latest rate published on or before it,
    at most :data:`RATE_VALIDITY` old (None when there is none)."""
    row = await CurrencyRate.select(CurrencyRate.eur_per_unit).where(
        (CurrencyRate.currency == currency.upper()) & (CurrencyRate.day <= day)
        & (CurrencyRate.day >= day - RATE_VALIDITY)).order_by(
        CurrencyRate.day, ascending=False).first()
    return Decimal(row["eur_per_unit"]) if row else None
