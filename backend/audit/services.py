"""Writing and reading the audit trail (the only code touching its table).

There is no update nor delete here: the trail is append-only by construction.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from backend.accounts.actor import Actor
from backend.audit.schemas import AuditEntryOut
from backend.audit.tables import AuditEntry
from sync import MutationContext

__all__ = ("document_visible", "entries_for", "record", "record_intent", "register_document",
           "registered_documents")

VisibleCheck = Callable[[Actor, UUID], Awaitable[bool]]
_DOCUMENTS: dict[str, VisibleCheck] = {}


def register_document(document_type: str, check: VisibleCheck) -> None:
    """A domain declares how to tell whether an actor may see one of its documents."""
    _DOCUMENTS[document_type] = check


def registered_documents() -> tuple[str, ...]:
    """The document types whose audit trail can be read."""
    return tuple(_DOCUMENTS)


async def document_visible(actor: Actor, document_type: str, document_id: UUID) -> bool:
    """Whether ``actor`` sees the document (unknown types: no)."""
    check = _DOCUMENTS.get(document_type)
    return check is not None and await check(actor, document_id)


async def record(
    *,
    organisation_id: UUID,
    document_type: str,
    document_id: UUID,
    action: str,
    server_time: datetime,
    actor_id: UUID | None = None,
    actor_role: str = "",
    device_id: UUID | None = None,
    client_time: datetime | None = None,
    content_hash: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry (call inside the transaction of the action it records)."""
    await AuditEntry.insert(AuditEntry(
        organisation=organisation_id, document_type=document_type, document_id=document_id,
        action=action, actor=actor_id, actor_role=actor_role, device=device_id,
        client_time=client_time, server_time=server_time, content_hash=content_hash,
        details=json.dumps(details or {}, default=str),
    ))


async def record_intent(ctx: MutationContext, *, organisation_id: UUID, document_type: str,
                        document_id: UUID, action: str, content_hash: str = "",
                        details: dict[str, Any] | None = None) -> None:
    """Append the entry of a sync intent: its actor, device, client and server times."""
    await record(organisation_id=organisation_id, document_type=document_type,
                 document_id=document_id, action=action, server_time=ctx.server_time,
                 actor_id=ctx.actor.user_id, actor_role=ctx.actor.role, device_id=ctx.device_id,
                 client_time=ctx.client_time, content_hash=content_hash, details=details)


async def entries_for(document_type: str, document_id: UUID) -> list[AuditEntryOut]:
    """Every entry of one document, oldest first (callers check the document is visible)."""
    rows = await AuditEntry.select().where(
        (AuditEntry.document_type == document_type) & (AuditEntry.document_id == document_id)
    ).order_by(AuditEntry.id).output(load_json=True)
    return [
        AuditEntryOut(id=r["id"], document_type=r["document_type"], document_id=r["document_id"],
                      action=r["action"], actor_id=r["actor"], actor_role=r["actor_role"],
                      device_id=r["device"], client_time=r["client_time"],
                      server_time=r["server_time"], content_hash=r["content_hash"],
                      details=r["details"] if isinstance(r["details"], dict) else {})
        for r in rows
    ]
