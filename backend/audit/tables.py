"""Piccolo storage of the audit trail (rows are inserted, never updated nor deleted)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ("AuditEntry",)


class AuditEntry(Table, tablename="audit_entry"):
    """One recorded action on a document: who, from which device, when, on which content."""

    id = Serial(primary_key=True)
    organisation = UUID(index=True)
    document_type = Varchar(length=32)
    document_id = UUID(index=True)
    action = Varchar(length=48)
    actor = UUID(null=True, default=None)
    actor_role = Varchar(length=16, default="")
    device = UUID(null=True, default=None)
    client_time = Timestamptz(null=True, default=None)
    server_time = Timestamptz(default=TimestamptzNow())
    content_hash = Varchar(length=64, default="")
    details = JSON(default="{}")
