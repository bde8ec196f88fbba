"""What domain services need of a write of synced rows, whatever brought it (a sync intent's
``sync.MutationContext`` is one): the services depend on this protocol, not on the sync
protocol's type."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from piccolo.table import Table

from backend.accounts.acting import Acting
from sync.outcomes import Rejected

__all__ = ("Writing",)


class Writing(Acting, Protocol):
    """A write of synced rows, as domain services make it: :class:`Acting` plus the rows it
    changes, named by synced entity (new rows and plain-value updates are written, and every
    touched row stamped, by the unit of work at its end). A sync intent's
    ``sync.MutationContext`` is one."""

    organisation_id: UUID | None

    async def touch(self, entity: str, row_id: Any, *,
                    organisation_id: UUID | None = None) -> None:
        """Mark a changed row of ``entity`` (stamped once at the end of the write)."""

    async def insert(self, entity: str, row: Table, *, exists: Rejected | None = None) -> None:
        """Insert a new row of ``entity`` (written stamped at the end; ``exists``: the outcome
        if its key is taken)."""

    async def update(self, entity: str, row_id: Any, values: dict[Any, Any], *,
                     organisation_id: UUID | None = None) -> None:
        """Set plain ``values`` on a row of ``entity`` (written with its stamp at the end)."""
