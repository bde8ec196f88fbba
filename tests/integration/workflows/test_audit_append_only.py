"""The audit trail cannot be rewritten, even by code that bypasses the services."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from backend.audit.tables import AuditEntry


async def test_audit_entries_cannot_be_updated_nor_deleted(client: Any) -> None:
    document_id = uuid.uuid4()
    await AuditEntry.insert(AuditEntry(organisation=uuid.uuid4(), document_type="mission",
                                       document_id=document_id, action="approve",
                                       details={"reason": "OK"}))
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.update({AuditEntry.action: "refuse"}).where(
            AuditEntry.document_id == document_id)
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.delete().where(AuditEntry.document_id == document_id)
    rows = await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.document_id == document_id)
    assert rows == [{"action": "approve"}]
