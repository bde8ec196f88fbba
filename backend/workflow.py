"""Pure rules shared by every document circuit: commands, expected states and decisions.

A document changes state only through a named command that carries the state the sender saw
(``expected_state``); decisions also carry the hash of the content the decider saw. The
server re-checks each command against the stored document, in this order:

1. the document is already in the state this command leads to → ``noop`` (a retry, or the same
   decision taken twice);
2. a decision arrives on a document already decided → ``ALREADY_DECIDED``;
3. the stored state differs from ``expected_state`` → ``STATE_CHANGED``;
4. the command is not allowed from the stored state → ``INVALID_TRANSITION``;
5. a decision on content that changed since it was seen → ``CONTENT_CHANGED``.

No web or database import here: tested without I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

import msgspec

__all__ = (
    "Circuit",
    "CommandOutcome",
    "RefusalDetail",
    "Transition",
    "WorkflowRefusal",
    "content_hash",
)


#: What a refusal's details name: states, commands, hashes, quantities as text, line numbers.
RefusalDetail = str | int | list[str] | list[int]


class WorkflowRefusal(Exception):
    """A command the rules refuse, with a stable code and details (sent as JSON)."""

    def __init__(self, code: str, details: dict[str, RefusalDetail] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.details = details or {}


@dataclass(frozen=True)
class Transition:
    """``command`` moves a document from any of ``sources`` to ``target``."""

    command: str
    sources: frozenset[str]
    target: str
    decision: bool = False


@dataclass(frozen=True)
class CommandOutcome:
    """What the server does with a command: apply it (moving to ``target``) or ignore it."""

    kind: Literal["apply", "noop"]
    target: str


@dataclass(frozen=True)
class Circuit:
    """A document circuit: its transitions and the states that count as decided."""

    name: str
    transitions: tuple[Transition, ...]
    decided: frozenset[str]
    _by_command: dict[str, Transition] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for transition in self.transitions:
            self._by_command[transition.command] = transition

    @property
    def commands(self) -> tuple[str, ...]:
        return tuple(self._by_command)

    def transition(self, command: str) -> Transition:
        try:
            return self._by_command[command]
        except KeyError:
            raise WorkflowRefusal("INVALID_TRANSITION", {"command": command}) from None

    def allowed_from(self, state: str) -> tuple[str, ...]:
        """Commands allowed from ``state`` (for the UI and the tests)."""
        return tuple(t.command for t in self.transitions if state in t.sources)

    def check(
        self,
        command: str,
        *,
        current: str,
        expected: str,
        seen_hash: str | None = None,
        current_hash: str | None = None,
    ) -> CommandOutcome:
        """Decide what ``command`` does to a document now in ``current``; raise on refusal."""
        transition = self.transition(command)
        if current == transition.target:
            return CommandOutcome("noop", current)
        if transition.decision and current in self.decided:
            raise WorkflowRefusal("ALREADY_DECIDED", {"state": current, "command": command})
        if current != expected:
            if current in self.decided and not transition.decision:
                raise WorkflowRefusal("ALREADY_DECIDED", {"state": current, "command": command})
            raise WorkflowRefusal(
                "STATE_CHANGED", {"state": current, "expected_state": expected}
            )
        if current not in transition.sources:
            raise WorkflowRefusal(
                "INVALID_TRANSITION",
                {"state": current, "command": command,
                 "allowed": list(self.allowed_from(current))},
            )
        if transition.decision:
            if not seen_hash:
                raise WorkflowRefusal("CONTENT_HASH_REQUIRED", {"command": command})
            if current_hash is not None and seen_hash != current_hash:
                raise WorkflowRefusal(
                    "CONTENT_CHANGED", {"seen_hash": seen_hash, "current_hash": current_hash}
                )
        return CommandOutcome("apply", transition.target)


def content_hash(content: msgspec.Struct) -> str:
    """SHA-256 of a document's content in a canonical JSON form (sorted keys).

    Callers pass only what a decider reads (not the state, versions or timestamps), declared
    as a Struct (its fields the JSON object's keys), so the same content always gives the same
    hash on the client and on the server.
    """
    # Sorted keys, no spaces, UTF-8; Decimals, UUIDs and datetimes as strings: a client
    # reproduces it (docs/sync-protocol.md). The only content hash of the project.
    return hashlib.sha256(msgspec.json.encode(content, order="sorted")).hexdigest()
