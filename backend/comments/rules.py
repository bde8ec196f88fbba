"""What a comment may be (pure: no I/O)."""

from __future__ import annotations

from typing import Literal

from sync.outcomes import Rejected

__all__ = ("CLOSED_STATES", "MAX_LENGTH", "CommentedDocument", "checked_body")

#: The documents one may comment on, by their audit names.
CommentedDocument = Literal["mission", "expense_claim"]
#: Characters of a comment, at most (what fits a question and its answer on a phone).
MAX_LENGTH = 2000
#: States after which nobody needs to ask anything: paid claims, cancelled missions.
CLOSED_STATES = frozenset({"paid", "cancelled"})


def checked_body(body: str) -> str:
    """The comment's text without surrounding blanks; COMMENT_EMPTY or COMMENT_TOO_LONG."""
    text = body.strip()
    if not text:
        raise Rejected("COMMENT_EMPTY", {})
    if len(text) > MAX_LENGTH:
        raise Rejected("COMMENT_TOO_LONG", {"length": len(text), "max_length": MAX_LENGTH})
    return text
