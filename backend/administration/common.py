"""What every administration service needs: the admin's organisation and the audit entry."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import msgspec

from backend.administration import codes as _codes  # noqa: F401 - registers the error codes
from backend.audit.schemas import AuditDetails
from backend.audit.services import record
from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.ratelimit import get_store
from kernel.settings import get_settings

__all__ = ("COMMAND_LINE_DEVICE", "audit", "count_public_request", "organisation_of")

_WINDOW_SECONDS = 15 * 60

# The device of an administration action taken on the command line (none: recorded as null).
COMMAND_LINE_DEVICE = UUID(int=0)


def organisation_of(actor: Actor) -> UUID:
    """The organisation an admin administers (an admin outside any is FORBIDDEN)."""
    if actor.role != "admin" or actor.organisation_id is None:
        raise DomainError("FORBIDDEN", {"required_roles": ["admin"]})
    return actor.organisation_id


async def audit(actor: Actor, document_type: str, document_id: UUID, action: str,
                details: AuditDetails | msgspec.Struct | None = None) -> None:
    """Append the audit entry of an administration action (inside its transaction)."""
    await record(organisation_id=organisation_of(actor), document_type=document_type,
                 document_id=document_id, action=action, server_time=datetime.now(UTC),
                 actor_id=actor.user_id, actor_role=actor.role,
                 device_id=None if actor.device_id == COMMAND_LINE_DEVICE else actor.device_id,
                 details=details)


async def count_public_request(kind: str, client_address: str) -> None:
    """Public onboarding routes (registrations, invitations): at most the sign-in attempts'
    limit per client address and 15 minutes, then RATE_LIMITED."""
    settings = get_settings()
    store = get_store(settings.redis_url)
    key = f"{kind}:address:{client_address}"
    window = await store.peek(key)
    if window.count >= settings.login_attempts_per_15min:
        raise DomainError("RATE_LIMITED", {"retry_after": window.retry_after},
                          headers={"Retry-After": str(window.retry_after)})
    await store.hit(key, _WINDOW_SECONDS)
