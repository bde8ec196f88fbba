"""Wire types of the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

__all__ = ("AuditEntryOut", "AuditTrail")


class AuditEntryOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    document_type: str
    document_id: UUID
    action: str
    actor_id: UUID | None
    actor_role: str
    device_id: UUID | None
    client_time: datetime | None
    server_time: datetime
    content_hash: str
    details: dict[str, Any]


class AuditTrail(msgspec.Struct, frozen=True, kw_only=True):
    document_type: str
    document_id: UUID
    entries: list[AuditEntryOut]
