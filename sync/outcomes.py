"""What a mutation handler can answer besides "applied" (pure: no web or database imports).

* :class:`Rejected` — permanent refusal (validation, precondition, forbidden). The handler's
  effects are rolled back, the ack ``rejected{code, details}`` is stored and ``seq`` advances.
  A handler may ``raise`` it or ``return`` it.
* :class:`Noop` — nothing to do (e.g. an edit to a deleted row). Effects are rolled back, the
  ack ``noop{code}`` is stored and ``seq`` advances. Returned.
* :class:`Transient` — try again later (database down, blob not uploaded yet). Everything is
  rolled back, ``seq`` does not advance, the batch stops, the client gets 503 + Retry-After.

Their ``details`` are an error's (``kernel.errors.ErrorDetails``): JSON values under keys of
the code's own, which the ack carries as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

from kernel.errors import ErrorDetails, JsonValue

__all__ = ("Noop", "Outcome", "Rejected", "Transient")


class Rejected(Exception):
    """A permanent refusal with a stable code (registered in the error catalogue)."""

    def __init__(self, code: str, details: Mapping[str, JsonValue] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.details: ErrorDetails = dict(details or {})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rejected) and (self.code, self.details) == (
            other.code, other.details)

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"Rejected({self.code!r}, {self.details!r})"


class Transient(Exception):
    """A temporary failure: the batch stops and the client retries after ``retry_after`` s."""

    def __init__(self, code: str, retry_after: int = 2,
                 details: Mapping[str, JsonValue] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after
        self.details: ErrorDetails = dict(details or {})


class Noop:
    """The intent was valid but changed nothing; ``code`` says why."""

    __slots__ = ("code", "details")

    def __init__(self, code: str, details: Mapping[str, JsonValue] | None = None) -> None:
        self.code = code
        self.details: ErrorDetails = dict(details or {})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Noop) and (self.code, self.details) == (other.code, other.details)

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"Noop({self.code!r}, {self.details!r})"


Outcome = Noop | Rejected
