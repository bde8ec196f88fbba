"""Expense rule sets as dated data of the admin's organisation: view, add a version.

A version takes effect from its date and is open-ended: on a given day the checks take the
latest version started (:func:`backend.policy.rules.rule_set_at`), so adding one never changes
what applied before its date, and nothing stored is rewritten. The State's rules (2019 and 2023)
are the organisation's first versions, stored when it adds its own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec

from backend.administration.common import audit, organisation_of
from backend.administration.schemas import RuleSetOut
from backend.policy import services as policy
from backend.policy.rules import RuleSet, rule_set_at
from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.unit_of_work import UnitOfWork

__all__ = ("add_version", "list_versions")


def _today() -> date:
    return datetime.now(UTC).date()


async def list_versions(*, actor: Actor) -> list[RuleSetOut]:
    """Every version the organisation's checks use, oldest first."""
    versions = await policy.rule_sets_for(organisation_of(actor))
    current = rule_set_at(versions, _today())
    return [RuleSetOut(name=v.name, valid_from=v.valid_from, valid_until=v.valid_until,
                       in_force_today=v is current, rules=v)
            for v in sorted(versions, key=lambda v: v.valid_from)]


async def add_version(*, actor: Actor, rules: RuleSet) -> list[RuleSetOut]:
    """A new version from ``rules.valid_from`` (today or later: RULE_SET_IN_PAST otherwise)."""
    organisation_id = organisation_of(actor)
    if rules.valid_from < _today():
        raise DomainError("RULE_SET_IN_PAST", {"valid_from": rules.valid_from.isoformat(),
                                               "today": _today().isoformat()})
    version = msgspec.structs.replace(rules, valid_until=None)
    async with UnitOfWork():
        await policy.seed_state_defaults(organisation_id)
        if await policy.rule_set_name_taken(organisation_id, version.name):
            raise DomainError("RULE_SET_NAME_TAKEN", {"name": version.name})
        await policy.add_rule_set(organisation_id, version)
        await audit(actor, "rule_set", organisation_id, "rule_set.added",
                    {"name": version.name, "valid_from": version.valid_from})
    return await list_versions(actor=actor)
