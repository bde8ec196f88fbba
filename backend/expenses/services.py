"""Expense-line queries and the visibility rule (the only code touching the table)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns.combination import Where

from backend.accounts.actor import Actor
from backend.accounts.tables import User
from backend.expenses.tables import ExpenseLine
from sync.blobs import holds_blob
from sync.prebuilt import row_query
from sync.storage import uuid_param

__all__ = ("MONEY_FIELDS", "expense_line_to_wire", "get_line", "owner_holds_receipt",
           "owners_visible_to", "visible_lines")

MONEY_FIELDS = ("amount_cents", "currency", "vat_rate_bp", "vat_cents")
WIRE_FIELDS = ("id", "owner", "claim_id", "date", "category", "merchant", "description",
               "amount_cents", "currency", "vat_rate_bp", "vat_cents", "fx_rate", "km",
               "fiscal_hp", "receipts", "field_versions", "field_sources", "ocr", "row_version")


# The units whose people a manager decides on besides their own: those of the managers who
# delegate to them now (the delegator's unit, whatever their role or state, as before).
_DELEGATED_UNITS = (
    "SELECT u.unit FROM delegation d JOIN app_user u ON u.id = d.delegator "
    "WHERE d.delegate = {} AND d.starts_at <= {} AND d.ends_at > {} AND d.revoked_at IS NULL")


async def _managed_owners(manager_id: UUID, unit_id: UUID | None, now: datetime) -> set[UUID]:
    """People whose requests the manager decides, in one statement: the agents of their unit
    and of their delegators' units, and the managers of those units' child units (a manager's
    own requests go to the parent unit's managers). Raw SQL: Piccolo's sub-select cost more
    CPU than the round trips it saved.

    Swap for ``backend.accounts`` ``approvers_for``/``units_managed_by`` once merged.
    """
    unit = None if unit_id is None else uuid_param(unit_id)
    delegated = [uuid_param(manager_id), now, now]
    rows = await User.raw(
        f"SELECT id FROM app_user WHERE (role = 'agent' AND (unit = {{}} "  # noqa: S608
        f"OR unit IN ({_DELEGATED_UNITS}))) OR (role = 'manager' AND unit IN "
        f"(SELECT id FROM unit WHERE parent = {{}} OR parent IN ({_DELEGATED_UNITS})))",
        unit, *delegated, unit, *delegated,
    )
    return {r["id"] if isinstance(r["id"], UUID) else UUID(str(r["id"])) for r in rows}


async def owners_visible_to(actor: Actor, now: datetime | None = None) -> set[UUID] | None:
    """Owners whose expense lines the actor sees; ``None`` for roles that see none.

    A manager sees those of their unit and of the units of the managers who delegate to them
    now: one statement, whatever the number of delegations.
    """
    if actor.role == "supplier":
        return None
    owners = {actor.user_id}
    if actor.role != "manager":
        return owners
    return owners | await _managed_owners(actor.user_id, actor.unit_id, now or datetime.now(UTC))


async def visible_lines(actor: Actor) -> Where | None:
    """Visibility clause of expense lines: the owner and the owner's approvers (no suppliers)."""
    owners = await owners_visible_to(actor)
    if owners is None:
        return None
    return ExpenseLine.owner.is_in(sorted(owners, key=str))


async def get_line(line_id: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
    """The row (also when deleted), or None; ``for_update`` locks it until commit
    (PostgreSQL; SQLite's write transactions are already serialised)."""
    rows = await row_query(ExpenseLine, line_id, for_update=for_update)
    return rows[0] if rows else None


async def owner_holds_receipt(row: dict[str, Any], sha256: str) -> bool:
    """Whether a receipt attached to the line ``row`` counts: its owner uploaded it themselves
    (``sync.blobs.holds_blob``). Until then the line shows no image, gets no reading, grants
    no download and cannot be submitted: knowing a colleague's receipt hash opens nothing."""
    return await holds_blob(_as_uuid(row["organisation"]), sha256, _as_uuid(row["owner"]))


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


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
