"""Policy checks on a claim's expense lines: the rule set in force on the mission's first day
(else the line's date), the mission, the person's other lines.

Asked when a claim is submitted (:mod:`backend.claims.services`) and by the preview of a line
as it is entered (:func:`backend.flows.preview_line`). Claims reads the lines of expenses and
the rules of policy; neither of them asks claims.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict
from uuid import UUID

from backend.expenses import claim_lines
from backend.missions.rows import MissionRecord
from backend.policy import services as policy
from backend.policy.checks import Finding, check_line
from backend.policy.cities import city_class_of
from backend.policy.rules import rule_set_at
from backend.policy.services import CheckedLine

__all__ = ("LineOverrides", "check_lines")


class LineOverrides(TypedDict, total=False):
    """What a check knows better than the stored line: the mission's city class, nights and
    meals (from its allowance), the amount before VAT, an agent with a disability."""

    city_class: str | None
    nights: int
    meals: int
    ht_cents: int | None
    disabled_agent: bool


def _km_before(line: CheckedLine, everything: list[CheckedLine]) -> int:
    """The agent's km of the year before a mileage line: as the server priced it (stored with
    the line), else their other mileage lines of the year."""
    if line.annual_km_before is not None:
        return line.annual_km_before
    return policy.annual_km(everything, year=line.spent_on.year, excluding=line.id)


async def check_lines(organisation_id: UUID, owner_id: UUID, lines: list[CheckedLine], *,
                      mission: MissionRecord | None, today: date,
                      overrides: LineOverrides | None = None) -> dict[str, list[Finding]]:
    """Policy findings per line id, under the rule set in force on the mission's first day
    (else the line's date), against every other line of the same person."""
    extra: LineOverrides = overrides or {}
    rule_sets = await policy.rule_sets_for(organisation_id)
    everything = await claim_lines.lines_of_owner(owner_id)
    city = extra.get("city_class") or city_class_of(mission["destination"] if mission else "")
    days = (mission["starts_on"], mission["ends_on"]) if mission else None
    found: dict[str, list[Finding]] = {}
    for line in lines:
        day = mission["starts_on"] if mission else line.spent_on
        facts = policy.line_facts(
            line, mission=days, city_class=city,
            annual_km=_km_before(line, everything),
            disabled_agent=bool(extra.get("disabled_agent", False)),
            nights=int(extra.get("nights", 1)), meals=int(extra.get("meals", 1)),
            ht_cents=extra.get("ht_cents"))
        others = [policy.other_line(o) for o in everything if o.id != line.id]
        found[line.id] = check_line(facts, rule_set_at(rule_sets, day), today=today,
                                    others=others)
    return found
