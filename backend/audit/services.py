"""Writing and reading the audit trail (the only code touching its table).

There is no update nor delete here: the trail is append-only by construction.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import msgspec

from backend.accounts.acting import Acting
from backend.audit.schemas import AuditDetails, AuditEntryOut
from backend.audit.tables import AuditEntry
from kernel.actor import Actor
from kernel.declarations import declare, of_type

__all__ = ("DocumentDeclaration", "build_documents", "document_visible", "entries_for",
           "install_documents", "installed_documents", "record", "record_intent",
           "register_document", "registered_documents")

VisibleCheck = Callable[[Actor, UUID], Awaitable[bool]]


@dataclass(frozen=True)
class DocumentDeclaration:
    """An audited document type and how to tell whether an actor may see one."""

    document_type: str
    check: VisibleCheck


_DOCUMENTS: dict[str, VisibleCheck] = {}


def register_document(document_type: str, check: VisibleCheck) -> None:
    """A domain declares how to tell whether an actor may see one of its documents (in its
    module's declarations; installed when the server builds its registries)."""
    declare(DocumentDeclaration(document_type, check))


def build_documents(declarations: list[object]) -> dict[str, VisibleCheck]:
    """Document type → visibility check of the declared documents."""
    return {d.document_type: d.check for d in of_type(declarations, DocumentDeclaration)}


def install_documents(documents: Mapping[str, VisibleCheck]) -> None:
    """Make ``documents`` the audited documents this process serves (start-up, once)."""
    global _DOCUMENTS
    _DOCUMENTS = dict(documents)


def installed_documents() -> dict[str, VisibleCheck]:
    """Document type → visibility check, as installed in this process."""
    return dict(_DOCUMENTS)


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
    details: AuditDetails | msgspec.Struct | None = None,
) -> None:
    """Append one entry (call inside the transaction of the action it records); ``details``
    a Struct: its fields set (omit_defaults), as an object."""
    written = (msgspec.to_builtins(details) if isinstance(details, msgspec.Struct)
               else dict(details or {}))
    await AuditEntry.insert(AuditEntry(
        organisation=organisation_id, document_type=document_type, document_id=document_id,
        action=action, actor=actor_id, actor_role=actor_role, device=device_id,
        client_time=client_time, server_time=server_time, content_hash=content_hash,
        details=json.dumps(written, default=str),
    ))


async def record_intent(ctx: Acting, *, organisation_id: UUID, document_type: str,
                        document_id: UUID, action: str, content_hash: str = "",
                        details: AuditDetails | msgspec.Struct | None = None) -> None:
    """Append the entry of a write (a sync intent): its actor, device, client and server
    times."""
    await record(organisation_id=organisation_id, document_type=document_type,
                 document_id=document_id, action=action, server_time=ctx.server_time,
                 actor_id=ctx.actor.user_id, actor_role=ctx.actor.role, device_id=ctx.device_id,
                 client_time=ctx.client_time, content_hash=content_hash, details=details)


def _details(stored: object) -> dict[str, msgspec.Raw]:
    """The stored details (decoded JSON: an object, else nothing) with each value as is."""
    if not isinstance(stored, dict):
        return {}
    return {str(key): msgspec.Raw(msgspec.json.encode(value)) for key, value in stored.items()}


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
                      details=_details(r["details"]))
        for r in rows
    ]
