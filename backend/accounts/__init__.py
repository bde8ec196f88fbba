"""Accounts: organisations, units, supplier companies, users, delegations, devices and sessions.

Other domains use these public names (never the tables):

* :func:`managers_of` — the managers of a unit;
* :func:`approvers_for` — who may approve a person's requests at a given time (unit managers,
  the parent unit's managers for a manager, and their active delegates);
* :func:`can_approve_for` — whether an actor may decide for a person at a given time;
* :func:`units_managed_by` — the units a person manages, delegated ones included;
* :func:`approvees_of` — the people whose requests a person may approve (an approval inbox);
* :func:`full_name_of` — a person's name, stamped on their requests for the approvers' phones.
"""

from backend.accounts.services import (
    approvees_of,
    approvers_for,
    can_approve_for,
    full_name_of,
    managers_of,
    units_managed_by,
)
from kernel.actor import ROLES, Actor, Role

__all__ = (
    "ROLES",
    "Actor",
    "Role",
    "approvees_of",
    "approvers_for",
    "can_approve_for",
    "full_name_of",
    "managers_of",
    "units_managed_by",
)
