"""Wire types of comments."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from backend.comments.rules import CommentedDocument
from sync.wire import SyncedRow

__all__ = ("CommentAddArgs", "CommentRow")


class CommentAddArgs(msgspec.Struct, frozen=True, kw_only=True):
    """`comment.add` v1: a message on a mission or an expense claim (its id made by the phone)."""

    id: UUID
    document_type: CommentedDocument
    document_id: UUID
    body: str


class CommentRow(SyncedRow, kw_only=True):
    """A comment as pull sends it: its columns (``agent``: the document's requester)."""

    organisation: UUID
    row_version: int
    sync_version: int
    deleted_at: datetime | None
    id: UUID
    document_type: str
    document_id: UUID
    agent: UUID
    author: UUID
    author_name: str
    body: str
    created_at: datetime
