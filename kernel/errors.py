"""One error shape for every failure: a stable code and a message in French and English.

Each domain raises :class:`DomainError` with a code from :data:`CATALOGUE` (domains register
their own codes with :func:`register_codes`). The exception handlers in ``backend.app`` turn
any failure, including Litestar's own, into::

    {"code": "NOT_FOUND", "message": {"fr": "...", "en": "..."}, "details": {...}}

``details`` is what a code adds (a limit, the field at fault, both money groups…): its keys
depend on the code, its values are JSON (:data:`JsonValue`), since they are sent to phones as
they are. Sync refusals (``sync.outcomes``) and acks carry details of the same type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import msgspec

__all__ = (
    "CATALOGUE",
    "DomainError",
    "ErrorBody",
    "ErrorDetails",
    "ErrorMessage",
    "JsonValue",
    "Problem",
    "error_body",
    "register_codes",
)

if TYPE_CHECKING:
    #: A JSON value: what msgspec encodes and decodes without a hook. Arrays and objects are read
    #: as ``Sequence``/``Mapping`` so that a ``list[str]`` or a ``dict[str, int]`` is one.
    JsonValue: TypeAlias = (
        str | int | float | bool | Sequence["JsonValue"] | Mapping[str, "JsonValue"] | None
    )
else:
    # Only for msgspec and Litestar, which read Struct fields at run time and cannot follow a
    # recursive alias (decoding a field, describing it in the JSON and OpenAPI schemas fail):
    # to them it is "any value", the same set here (msgspec decodes JSON into these types
    # only) with the same schema, {} (any JSON). mypy reads the alias above.
    JsonValue = Any
#: The details of an error, a sync refusal or an ack: JSON values under the code's own keys.
ErrorDetails: TypeAlias = dict[str, JsonValue]


class Problem(msgspec.Struct, frozen=True):
    """A catalogued error: HTTP status and the human message in both languages."""

    status: int
    fr: str
    en: str


CATALOGUE: dict[str, Problem] = {
    "BAD_REQUEST": Problem(400, "Requête invalide.", "Bad request."),
    "VALIDATION_FAILED": Problem(
        400, "Certaines données sont invalides.", "Some of the data is invalid."
    ),
    "PAYLOAD_TOO_LARGE": Problem(413, "Envoi trop volumineux.", "Payload too large."),
    "AUTH_REQUIRED": Problem(
        401, "Connexion requise.", "You need to sign in."
    ),
    "TOKEN_EXPIRED": Problem(
        401, "Votre session a expiré, reconnectez-vous.", "Your session expired, sign in again."
    ),
    "FORBIDDEN": Problem(
        403, "Vous n'avez pas le droit de faire cela.", "You are not allowed to do that."
    ),
    "NOT_FOUND": Problem(404, "Introuvable.", "Not found."),
    "METHOD_NOT_ALLOWED": Problem(405, "Méthode non autorisée.", "Method not allowed."),
    "CONFLICT": Problem(409, "Conflit avec l'état actuel.", "Conflict with the current state."),
    "RATE_LIMITED": Problem(
        429,
        "Trop de tentatives, réessayez plus tard.",
        "Too many attempts, try again later.",
    ),
    "SERVICE_UNAVAILABLE": Problem(
        503,
        "Service momentanément indisponible, réessayez.",
        "Service temporarily unavailable, try again.",
    ),
    "INTERNAL_ERROR": Problem(
        500,
        "Erreur interne ; rien de ce que vous avez enregistré n'est perdu.",
        "Internal error; nothing you saved is lost.",
    ),
}


def register_codes(codes: dict[str, Problem]) -> None:
    """Add a domain's error codes to the catalogue (a code may be registered once)."""
    for code, problem in codes.items():
        existing = CATALOGUE.get(code)
        if existing is not None and existing != problem:
            raise ValueError(f"error code {code} registered twice with different meanings")
        CATALOGUE[code] = problem


class ErrorMessage(msgspec.Struct, frozen=True):
    """A human message in both languages."""

    fr: str
    en: str


class ErrorBody(msgspec.Struct, frozen=True):
    """The wire shape of every error response."""

    code: str
    message: ErrorMessage
    details: ErrorDetails = msgspec.field(default_factory=dict)


class DomainError(Exception):
    """A refusal with a stable code and the code's JSON ``details``."""

    def __init__(
        self,
        code: str,
        details: Mapping[str, JsonValue] | None = None,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if code not in CATALOGUE:
            raise KeyError(f"unknown error code {code}: register it in the catalogue")
        super().__init__(code)
        self.code = code
        self.details: ErrorDetails = dict(details or {})
        self.status = status or CATALOGUE[code].status
        self.headers = headers or {}

    @property
    def problem(self) -> Problem:
        return CATALOGUE[self.code]


def error_body(code: str, details: Mapping[str, JsonValue] | None = None) -> ErrorBody:
    """The response body for a catalogued code."""
    problem = CATALOGUE[code]
    return ErrorBody(
        code=code, message=ErrorMessage(fr=problem.fr, en=problem.en), details=dict(details or {})
    )
