"""Expense-line queries and the visibility rule (the only code touching the table)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from piccolo.columns.combination import Where

from backend import approvals
from backend.accounts.actor import Actor
from backend.coerce import as_uuid, json_value
from backend.expenses.tables import ExpenseLine
from sync.blobs import holds_blob
from sync.prebuilt import row_query

__all__ = ("ENTITY", "MONEY_FIELDS", "expense_line_to_wire", "get_line", "owner_holds_receipt",
           "owners_visible_to", "visible_lines")

#: The synced entity (and blob-reference) name of expense lines.
ENTITY = "expense_line"
MONEY_FIELDS = ("amount_cents", "currency", "vat_rate_bp", "vat_cents")
WIRE_FIELDS = ("id", "owner", "claim_id", "date", "category", "merchant", "description",
               "amount_cents", "currency", "vat_rate_bp", "vat_cents", "fx_rate", "km",
               "fiscal_hp", "receipts", "field_versions", "field_sources", "ocr", "row_version")


async def owners_visible_to(actor: Actor, now: datetime | None = None) -> set[UUID] | None:
    """Owners whose expense lines (and their receipts) the actor sees; ``None`` for roles
    that see none.

    The owner themselves; a manager also the people they decide for now
    (:func:`backend.approvals.approvees_of`: the hierarchy walked up to the first unit with a
    manager, delegations included), the same rule as missions and claims. The organisation
    chart is read once per request, whichever entity asks first.
    """
    if actor.role == "supplier":
        return None
    owners = {actor.user_id}
    if actor.role != "manager":
        return owners
    return owners | set(await approvals.approvees_of(actor.user_id, now or datetime.now(UTC)))


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
    return await holds_blob(as_uuid(row["organisation"]), sha256, as_uuid(row["owner"]))


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
    out["receipts"] = (json_value(receipts) if receipts else None) or []
    out["field_versions"] = json_value(out["field_versions"] or "{}") or {}
    out["field_sources"] = json_value(out["field_sources"] or "{}") or {}
    out["ocr"] = json_value(out["ocr"] or "{}") or {}
    return out
