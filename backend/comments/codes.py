"""Refusal codes of comments, with their FR/EN messages."""

from __future__ import annotations

from backend.comments.rules import MAX_LENGTH
from kernel.errors import Problem, register_codes

__all__ = ("COMMENT_CODES",)

_MAX = f"{MAX_LENGTH:,}"
COMMENT_CODES = {
    "COMMENT_EMPTY": Problem(400, "Le message est vide.", "The message is empty."),
    "COMMENT_TOO_LONG": Problem(
        400,
        f"Message trop long ({_MAX.replace(',', ' ')} caractères au plus).",
        f"Message too long ({_MAX} characters at most).",
    ),
    "DOCUMENT_CLOSED": Problem(
        409,
        "Ce document est clos (payé ou annulé) : plus de question possible.",
        "This document is closed (paid or cancelled): no more questions.",
    ),
}

register_codes(COMMENT_CODES)
