"""Expense-line queries and the visibility rule (the only code touching the table)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

import msgspec
from piccolo.columns.combination import Where

from backend import approvals
from backend.expenses.rows import ExpenseLineRecord
from backend.expenses.schemas import ExpenseLineRow
from backend.expenses.tables import ExpenseLine
from kernel.actor import Actor
from kernel.coerce import as_uuid, json_value
from sync.blobs import holds_blob
from sync.prebuilt import row_query

__all__ = ("ENTITY", "MONEY_FIELDS", "expense_line_to_wire", "get_line", "owner_holds_receipt",
           "owners_visible_to", "visible_lines")

#: The synced entity (and blob-reference) name of expense lines.
ENTITY = "expense_line"
MONEY_FIELDS = ("amount_cents", "currency", "vat_rate_bp", "vat_cents")


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
    return owners | set(await approvals.approvees_of(actor.user_id, now or datetime.now(UTC),
                                                       kind="claim"))


async def visible_lines(actor: Actor) -> Where | None:
    """Visibility clause of expense lines: the owner and the owner's approvers (no suppliers)."""
    owners = await owners_visible_to(actor)
    if owners is None:
        return None
    return ExpenseLine.owner.is_in(sorted(owners, key=str))


async def get_line(line_id: UUID, *, for_update: bool = False) -> ExpenseLineRecord | None:
    """The row (also when deleted), or None; ``for_update`` locks it until commit
    (PostgreSQL; SQLite's write transactions are already serialised)."""
    rows = await row_query(ExpenseLine, line_id, for_update=for_update)
    return cast(ExpenseLineRecord, rows[0]) if rows else None


async def owner_holds_receipt(row: ExpenseLineRecord, sha256: str) -> bool:
    """Whether a receipt attached to the line ``row`` counts: its owner uploaded it themselves
    (``sync.blobs.holds_blob``). Until then the line shows no image, gets no reading, grants
    no download and cannot be submitted: knowing a colleague's receipt hash opens nothing."""
    return await holds_blob(as_uuid(row["organisation"]), sha256, as_uuid(row["owner"]))


def expense_line_to_wire(row: dict[str, Any]) -> ExpenseLineRow:
    """The wire form of a row, its JSON columns decoded.

    Called once per row on every pull (10,000 rows on a first sync): one conversion.
    """
    return msgspec.convert({
        **row, "receipts": json_value(row["receipts"] or "[]") or [],
        "field_versions": json_value(row["field_versions"] or "{}") or {},
        "field_sources": json_value(row["field_sources"] or "{}") or {},
        "ocr": json_value(row["ocr"] or "{}") or {},
        "mileage": json_value(row["mileage"] or "{}") or {}}, ExpenseLineRow)
