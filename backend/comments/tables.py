"""Piccolo storage of comments on documents (rows are inserted, never edited)."""

from __future__ import annotations

from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sync import SyncedColumns

__all__ = ("DocumentComment",)


class DocumentComment(SyncedColumns, Table, tablename="document_comment"):
    """One message on a document (commentaire) by its requester or one who decides for them.

    ``agent`` is the document's requester: who sees the comment follows from it, exactly as
    who sees the document does.
    """

    id = UUID(primary_key=True)
    document_type = Varchar(length=32)
    document_id = UUID(index=True)
    agent = UUID(index=True)
    author = UUID()
    author_name = Varchar(length=200, default="")
    body = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
