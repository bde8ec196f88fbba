"""Piccolo storage of the organisations' expense rule sets (dated data, not code)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Date, Varchar
from piccolo.table import Table

__all__ = ("PolicyRuleSet",)


class PolicyRuleSet(Table, tablename="policy_rule_set"):
    """One organisation's rule set in force from ``valid_from`` (``rules``: a RuleSet as JSON)."""

    id = UUID(primary_key=True)
    organisation = UUID(index=True)
    name = Varchar(length=64)
    name_key = Varchar(length=120, unique=True)  # "<organisation>:<name>"
    valid_from = Date()
    valid_until = Date(null=True, default=None)
    rules = JSON(default="{}")
