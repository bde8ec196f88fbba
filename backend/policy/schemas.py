"""Wire types of the policy check preview."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from backend.policy.checks import Figure
from backend.policy.rules import RuleSet

__all__ = ("FindingOut", "LineCheckIn", "LineCheckOut", "RuleSetsOut")

CityClass = Annotated[str, msgspec.Meta(pattern="^(base|large_city|grand_paris|paris)$")]
Cents = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]


class LineCheckIn(msgspec.Struct, frozen=True, kw_only=True):
    """An expense line as entered (amount incl. VAT, in the line's currency)."""

    category: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    date: date
    amount_cents: Cents
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")] = "EUR"
    fx_rate: Annotated[str, msgspec.Meta(pattern=r"^\d{1,8}(\.\d{1,10})?$")] | None = None
    merchant: Annotated[str, msgspec.Meta(max_length=200)] = ""
    vat_rate_bp: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | None = None
    vat_cents: Cents | None = None
    ht_cents: Cents | None = None
    receipts: Annotated[list[Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]],
                        msgspec.Meta(max_length=20)] = []
    km: Annotated[int, msgspec.Meta(ge=0, le=100_000)] | None = None
    fiscal_hp: Annotated[int, msgspec.Meta(ge=1, le=50)] | None = None
    nights: Annotated[int, msgspec.Meta(ge=1, le=60)] = 1
    meals: Annotated[int, msgspec.Meta(ge=1, le=10)] = 1
    city_class: CityClass | None = None
    disabled_agent: bool = False
    mission_id: UUID | None = None
    line_id: UUID | None = None


class FindingOut(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    severity: str
    message_fr: str
    message_en: str
    figures: dict[str, Figure]


class LineCheckOut(msgspec.Struct, frozen=True, kw_only=True):
    rule_set: str | None
    amount_eur_cents: int
    blocking: bool
    findings: list[FindingOut]


class RuleSetsOut(msgspec.Struct, frozen=True, kw_only=True):
    """The organisation's dated rule sets, oldest first, as the phone checks lines offline
    with them (the one in force on a mission's first day applies); and the home country: a
    mission to any other is abroad (``backend.policy.allowances.is_abroad``), which the phone's
    mission form asks before the server computed anything."""

    rule_sets: list[RuleSet]
    home_country: Annotated[str, msgspec.Meta(pattern="^[A-Z]{2}$")]
