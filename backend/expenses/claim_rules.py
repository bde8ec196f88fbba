"""What expenses asks of the claim a line belongs to, through a port.

Claims reads the lines (:mod:`backend.expenses.claim_lines`), so expenses imports nothing of
claims: the composition root (:func:`backend.composition.bootstrap`) installs claims' answers
here at start-up, the same in every process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from kernel.actor import Actor

__all__ = ("ClaimRules", "claim_rules", "install_claim_rules")


@dataclass(frozen=True, kw_only=True)
class ClaimRules:
    """The claims domain's rules on the lines of a claim."""

    # Whether lines of this claim may change (draft or returned), and its state.
    lines_editable: Callable[[UUID], Awaitable[tuple[bool, str | None]]]
    # A line goes only into its owner's own open claim; raises the refusal otherwise.
    check_line_may_join: Callable[[Actor, UUID], Awaitable[None]]
    # The mission a claim is for (its dates bound the receipts').
    mission_of: Callable[[UUID], Awaitable[UUID | None]]
    # Whether the actor sees the claim (and so its lines' receipts).
    is_visible: Callable[[Actor, UUID], Awaitable[bool]]


_installed: ClaimRules | None = None


def install_claim_rules(rules: ClaimRules) -> None:
    """The claims domain's answers (start-up, once per process)."""
    global _installed
    _installed = rules


def claim_rules() -> ClaimRules:
    """The installed rules; refused before start-up installed them."""
    if _installed is None:
        raise RuntimeError("backend.expenses.claim_rules is not installed: "
                           "backend.composition.bootstrap() installs claims' rules at start-up")
    return _installed
