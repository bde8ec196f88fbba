"""Who makes a write, when, and through which unit of work: what domain services need of a
write, whatever brought it (a sync intent's ``sync.MutationContext`` is one; so is any object
with these attributes)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from kernel.actor import Actor
from kernel.unit_of_work import UnitOfWork

__all__ = ("Acting",)


class Acting(Protocol):
    """A write in progress: its actor, device and times (audit, notifications, deadlines),
    its id (idempotency keys) and its unit of work (rows, stamps, effects after commit)."""

    actor: Actor
    server_time: datetime
    client_time: datetime | None
    device_id: UUID
    mutation_id: UUID
    unit_of_work: UnitOfWork

