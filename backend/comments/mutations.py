"""Sync intents of comments."""

from __future__ import annotations

from backend.comments import codes as _codes  # noqa: F401 - registers the refusal codes
from backend.comments import services
from backend.comments.schemas import CommentAddArgs, CommentRow
from backend.comments.tables import DocumentComment
from sync import MutationContext, Outcome, mutation, synced_entity

__all__ = ("add",)

synced_entity(services.ENTITY, DocumentComment, visible=services.visible, wire=CommentRow,
              to_wire=services.to_wire)


@mutation("comment.add", 1, CommentAddArgs)
async def add(ctx: MutationContext, args: CommentAddArgs) -> Outcome | None:
    """A question or an answer on a mission or an expense claim, without changing its state."""
    return await services.add(ctx, args)
