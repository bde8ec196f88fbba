"""Helpers shared by the workflows' sync intents (run inside the intent's transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from piccolo.table import Table

import backend.workflow_codes  # noqa: F401 - registers the codes
from backend.workflow import WorkflowRefusal
from sync import Rejected, Transient

__all__ = ("compare_and_set", "load", "refusals")


@contextmanager
def refusals() -> Iterator[None]:
    """Turn a pure rule's refusal into the sync protocol's permanent rejection."""
    try:
        yield
    except WorkflowRefusal as refused:
        raise Rejected(refused.code, refused.details) from None


async def load(table: type[Table], row_id: UUID, organisation_id: UUID | None) -> dict[str, Any]:
    """The live row ``row_id`` of the actor's organisation, or NOT_FOUND (never another org's)."""
    query = table.select().where(
        (table._meta.primary_key == row_id) & (table.organisation == organisation_id)  # type: ignore[attr-defined]
    ).output(load_json=True).first()
    row: dict[str, Any] | None = await query
    if row is None or row.get("deleted_at") is not None:
        raise Rejected("NOT_FOUND", {"id": str(row_id)})
    return row


async def compare_and_set(table: type[Table], row: dict[str, Any], values: dict[Any, Any]) -> None:
    """Update ``row`` only if nobody changed it since it was read (same ``row_version``).

    In PostgreSQL a concurrent intent waits on the row lock, then finds the version moved and
    is retried by the client (first decision wins); the retry sees the new state.
    """
    pk = table._meta.primary_key
    changed = await table.update(values).where(
        (pk == row[pk._meta.name])
        & (table.row_version == row["row_version"])  # type: ignore[attr-defined]
    ).returning(pk)
    if not changed:
        raise Transient("CONCURRENT_UPDATE", retry_after=1)
