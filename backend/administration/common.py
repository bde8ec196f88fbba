"""What every administration service needs: the admin's organisation and the audit entry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from backend.accounts.actor import Actor
from backend.administration import codes as _codes  # noqa: F401 - registers the error codes
from backend.audit.services import record
from backend.errors import DomainError

__all__ = ("COMMAND_LINE_DEVICE", "audit", "organisation_of")

# The device of an administration action taken on the command line (none: recorded as null).
COMMAND_LINE_DEVICE = UUID(int=0)


def organisation_of(actor: Actor) -> UUID:
    """The organisation an admin administers (an admin outside any is FORBIDDEN)."""
    if actor.role != "admin" or actor.organisation_id is None:
        raise DomainError("FORBIDDEN", {"required_roles": ["admin"]})
    return actor.organisation_id


async def audit(actor: Actor, document_type: str, document_id: UUID, action: str,
                details: dict[str, Any] | None = None) -> None:
    """Append the audit entry of an administration action (inside its transaction)."""
    await record(organisation_id=organisation_of(actor), document_type=document_type,
                 document_id=document_id, action=action, server_time=datetime.now(UTC),
                 actor_id=actor.user_id, actor_role=actor.role,
                 device_id=None if actor.device_id == COMMAND_LINE_DEVICE else actor.device_id,
                 details=details)
