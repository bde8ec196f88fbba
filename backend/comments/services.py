"""Comments: adding one, who sees them, how a row goes on the wire (the only code querying the
``document_comment`` table)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from backend import accounts, approvals, notification_flows
from backend.accounts.acting import Acting
from backend.audit.services import record_intent
from backend.comments.documents import visible_document
from backend.comments.rules import CLOSED_STATES, checked_body
from backend.comments.schemas import CommentAddArgs, CommentRow
from backend.comments.tables import DocumentComment
from kernel.actor import Actor
from sync import Noop, Rejected

__all__ = ("ENTITY", "add", "to_wire", "visible")

ENTITY = "comment"


async def visible(actor: Actor) -> Any:
    """Who sees a comment is who sees its document: the requester, whoever decides for them
    now (delegations included), back-office and admin in their organisation; suppliers none."""
    if actor.organisation_id is None:
        return None
    mine = DocumentComment.organisation == actor.organisation_id
    if actor.role in ("back_office", "admin"):
        return mine
    if actor.role == "agent":
        return mine & (DocumentComment.agent == actor.user_id)
    if actor.role == "manager":
        people = await approvals.approvees_of(actor.user_id, datetime.now().astimezone())
        return mine & DocumentComment.agent.is_in([actor.user_id, *people])
    return None


def to_wire(row: dict[str, Any]) -> CommentRow:
    """A comment row as pull sends it."""
    return msgspec.convert(row, CommentRow)


async def _same_comment(args: CommentAddArgs, author: UUID, body: str) -> bool | None:
    """Whether a comment with this id exists and says the same (None: no such comment)."""
    row = (
        await DocumentComment.select(
            DocumentComment.author,
            DocumentComment.document_id,
            DocumentComment.body,
        )
        .where(DocumentComment.id == args.id)
        .first()
    )
    if row is None:
        return None
    return bool(
        row["author"] == author and row["document_id"] == args.document_id and row["body"] == body
    )


async def _askers(document_id: UUID, agent: UUID) -> list[UUID]:
    """Who already wrote on the document besides its requester (answers go to them)."""
    rows = await DocumentComment.select(DocumentComment.author).where(
        (DocumentComment.document_id == document_id) & (DocumentComment.author != agent)
    )
    return sorted({row["author"] for row in rows})


async def add(ctx: Acting, args: CommentAddArgs) -> Noop | None:
    """The requester or one who decides for them writes on a document they see (not closed);
    recorded in the document's audit trail and the other side notified, with the comment (in
    the write's unit of work: the push goes after commit)."""
    actor = ctx.actor
    body = checked_body(args.body)
    document = await visible_document(
        actor, args.document_type, args.document_id, now=ctx.server_time
    )
    if document is None or actor.organisation_id is None:
        raise Rejected(
            "NOT_FOUND", {"document_type": args.document_type, "id": str(args.document_id)}
        )
    if actor.user_id != document.agent and not await approvals.can_approve_for(
        actor, document.agent, ctx.server_time
    ):
        raise Rejected("FORBIDDEN", {"reason": "not_a_party"})
    same = await _same_comment(args, actor.user_id, body)
    if same:  # the phone sent it again under another intent id
        return Noop("ALREADY_DONE", {"id": str(args.id)})
    if same is False:
        raise Rejected("ROW_EXISTS", {"id": str(args.id)})
    if document.state in CLOSED_STATES:
        raise Rejected("DOCUMENT_CLOSED", {"state": document.state})
    askers = await _askers(args.document_id, document.agent)
    author_name = await accounts.full_name_of(actor.user_id)
    ctx.unit_of_work.insert(
        DocumentComment(
            id=args.id,
            organisation=actor.organisation_id,
            document_type=args.document_type,
            document_id=args.document_id,
            agent=document.agent,
            author=actor.user_id,
            author_name=author_name,
            body=body,
            created_at=ctx.server_time,
        ),
        organisation=actor.organisation_id,
        exists=Rejected("ROW_EXISTS", {"id": str(args.id)}),
    )
    await record_intent(
        ctx,
        organisation_id=actor.organisation_id,
        document_type=args.document_type,
        document_id=args.document_id,
        action="comment",
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        details={"comment_id": str(args.id), "body": body},
    )
    await notification_flows.comment_added(
        ctx,
        kind=document.kind,
        document_id=args.document_id,
        agent=document.agent,
        label=document.label,
        author_name=author_name,
        body=body,
        askers=askers,
    )
    return None
