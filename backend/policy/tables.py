"""Piccolo storage of the organisations' expense rule sets (dated data, not code)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Date, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ("CurrencyRate", "PolicyRuleSet")


class PolicyRuleSet(Table, tablename="policy_rule_set"):
    """One organisation's rule set in force from ``valid_from`` (``rules``: a RuleSet as JSON)."""

    id = UUID(primary_key=True)
    organisation = UUID(index=True)
    name = Varchar(length=64)
    name_key = Varchar(length=120, unique=True)  # "<organisation>:<name>"
    valid_from = Date()
    valid_until = Date(null=True, default=None)
    rules = JSON(default="{}")


class CurrencyRate(Table, tablename="currency_rate"):
    """Euros per unit of ``currency`` on ``day`` (the chancellery rate of the day), loaded by
    ``nomade load-rates``: a foreign-currency expense without its own rate takes the latest rate
    published on or before its date."""

    currency = Varchar(length=3, index=True)
    day = Date(index=True)
    day_key = Varchar(length=16, unique=True)  # "<currency>:<day>"
    eur_per_unit = Varchar(length=24)  # a decimal, kept exact as text
    source = Varchar(length=64, default="")
    loaded_at = Timestamptz()
