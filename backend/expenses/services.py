"""Expense-line queries and the visibility rule (the only code touching the table)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns.combination import Where

from backend.accounts.actor import Actor
from backend.accounts.tables import Delegation, User
from backend.expenses.tables import ExpenseLine
from sync.storage import uuid_param

__all__ = ("MONEY_FIELDS", "expense_line_to_wire", "get_line", "owners_visible_to",
           "visible_lines")

MONEY_FIELDS = ("amount_cents", "currency", "vat_rate_bp", "vat_cents")
WIRE_FIELDS = ("id", "owner", "claim_id", "date", "category", "merchant", "description",
               "amount_cents", "currency", "vat_rate_bp", "vat_cents", "fx_rate", "km",
               "fiscal_hp", "receipts", "field_versions", "field_sources", "ocr", "row_version")


async def _managed_owners(unit_ids: set[UUID]) -> set[UUID]:
    """People whose requests the managers of ``unit_ids`` decide, in one statement: the agents
    of those units and the managers of their child units (a manager's own requests go to the
    parent unit's managers). Raw SQL: Piccolo's sub-select cost more CPU than the round trips
    it saved.

    Swap for ``backend.accounts`` ``approvers_for``/``units_managed_by`` once merged.
    """
    if not unit_ids:
        return set()
    units = [uuid_param(u) for u in sorted(unit_ids, key=str)]
    marks = ", ".join("{}" for _ in units)
    rows = await User.raw(
        f"SELECT id FROM app_user WHERE (role = 'agent' AND unit IN ({marks})) "  # noqa: S608
        f"OR (role = 'manager' AND unit IN (SELECT id FROM unit WHERE parent IN ({marks})))",
        *units, *units,
    )
    return {r["id"] if isinstance(r["id"], UUID) else UUID(str(r["id"])) for r in rows}


async def owners_visible_to(actor: Actor, now: datetime | None = None) -> set[UUID] | None:
    """Owners whose expense lines the actor sees; ``None`` for roles that see none.

    A manager sees those of their unit and of the units of the managers who delegate to them
    now: two statements without delegations (three with), whatever their number.
    """
    if actor.role == "supplier":
        return None
    owners = {actor.user_id}
    if actor.role != "manager":
        return owners
    now = now or datetime.now(UTC)
    delegations = await Delegation.select(Delegation.delegator).where(
        Delegation.delegate == actor.user_id, Delegation.starts_at <= now,
        Delegation.ends_at > now, Delegation.revoked_at.is_null())
    units = {actor.unit_id}
    if delegations:
        delegators = await User.select(User.unit).where(
            User.id.is_in([row["delegator"] for row in delegations]))
        units |= {row["unit"] for row in delegators}
    return owners | await _managed_owners({u for u in units if u is not None})


async def visible_lines(actor: Actor) -> Where | None:
    """Visibility clause of expense lines: the owner and the owner's approvers (no suppliers)."""
    owners = await owners_visible_to(actor)
    if owners is None:
        return None
    return ExpenseLine.owner.is_in(sorted(owners, key=str))


async def get_line(line_id: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
    """The row (also when deleted), or None; ``for_update`` locks it until commit
    (PostgreSQL; SQLite's write transactions are already serialised)."""
    query = ExpenseLine.select().where(ExpenseLine.id == line_id)
    if for_update and ExpenseLine._meta.db.engine_type == "postgres":
        query = query.lock_rows()
    return await query.first()


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def expense_line_to_wire(row: dict[str, Any]) -> dict[str, Any]:
    """The wire form of a row: UUIDs and dates as strings, JSON columns decoded.

    Called once per row on every pull (10,000 rows on a first sync): kept straight-line.
    """
    out = {name: row.get(name) for name in WIRE_FIELDS}
    for name in ("id", "owner", "claim_id"):
        value = out[name]
        if value is not None and not isinstance(value, str):
            out[name] = str(value)
    day = out["date"]
    if day is not None and not isinstance(day, str):
        out["date"] = day.isoformat()
    receipts = out["receipts"]
    out["receipts"] = (_json(receipts) if receipts else None) or []
    out["field_versions"] = _json(out["field_versions"] or "{}") or {}
    out["field_sources"] = _json(out["field_sources"] or "{}") or {}
    out["ocr"] = _json(out["ocr"] or "{}") or {}
    return out
