"""Conflict rules, as pure functions (no I/O): the server runs them inside each intent.

Drafts: every row keeps ``field_versions`` — for each field, the ``row_version`` at which it
last changed. An edit carries ``base_version``, the row_version the client last saw. A field
whose version is greater than ``base_version`` was changed concurrently:

* money group (amount, currency, VAT rate, VAT amount) — changes as one unit; a concurrent
  change with different values is rejected ``MONEY_CONFLICT`` with both values;
* any other field (text, date, category…) — later arrival wins; the overwritten value is
  reported as a conflict ``{field, lost, kept}`` (and kept in the conflict log);
* delete beats edit: an edit to a deleted row is ``Noop("ROW_DELETED")``.

Workflow: state changes carry ``expected_state`` (``STATE_CHANGED``); decisions carry the
hash of what the approver saw (``CONTENT_CHANGED``, ``ALREADY_DECIDED``, ``FORBIDDEN``);
service done is monotonic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from sync.outcomes import Noop, Rejected

__all__ = (
    "FieldConflict",
    "MergeResult",
    "check_decision",
    "check_expected_state",
    "check_not_deleted",
    "content_hash",
    "merge_draft",
    "merge_service_done",
)


@dataclass(frozen=True)
class FieldConflict:
    """A concurrent change lost by the server value (``lost``) to the arriving one (``kept``)."""

    field: str
    lost: Any
    kept: Any


@dataclass
class MergeResult:
    """What an edit writes: changed values, the new field versions and the reported conflicts."""

    values: dict[str, Any] = field(default_factory=dict)
    field_versions: dict[str, int] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)


def check_not_deleted(deleted_at: datetime | None) -> Noop | None:
    """Delete beats edit: any change to a deleted row is a no-op with code ROW_DELETED."""
    return Noop("ROW_DELETED") if deleted_at is not None else None


def merge_draft(
    *,
    current: Mapping[str, Any],
    field_versions: Mapping[str, int],
    base_version: int,
    changes: Mapping[str, Any],
    new_version: int,
    money_fields: Iterable[str] = (),
) -> MergeResult:
    """Merge ``changes`` made on top of ``base_version`` into the ``current`` row.

    ``new_version`` is the row_version the row will have after this edit (current + 1).
    Raises :class:`Rejected` ``MONEY_CONFLICT`` when the money group changed concurrently to
    different values; the details carry ``server`` and ``client`` groups so the user chooses.
    """
    money = tuple(money_fields)
    result = MergeResult(field_versions=dict(field_versions))
    effective = {k: v for k, v in changes.items() if current.get(k) != v}
    if any(name in changes for name in money):
        concurrent = any(field_versions.get(name, 0) > base_version for name in money)
        client_group = {name: changes.get(name, current.get(name)) for name in money}
        server_group = {name: current.get(name) for name in money}
        if concurrent and client_group != server_group:
            raise Rejected(
                "MONEY_CONFLICT",
                {"server": _plain(server_group), "client": _plain(client_group),
                 "fields": list(money)},
            )
    for name, value in effective.items():
        if name not in money and field_versions.get(name, 0) > base_version:
            result.conflicts.append(FieldConflict(name, current.get(name), value))
        result.values[name] = value
        result.field_versions[name] = new_version
    return result


def merge_service_done(*, done_at: datetime | None, requested_done: bool) -> Noop | Rejected | None:
    """Service done (service fait) is monotonic.

    Certifying again is a no-op (ALREADY_DONE); a stale device asking to undo a certification
    is refused (SERVICE_DONE_IRREVERSIBLE: revocation is a separate, explicit command).
    ``None`` means: apply the certification.
    """
    if done_at is not None:
        return Noop("ALREADY_DONE") if requested_done else Rejected(
            "SERVICE_DONE_IRREVERSIBLE", {"done_at": done_at.isoformat()}
        )
    return None if requested_done else Noop("NOT_DONE")


def check_expected_state(*, current: str, expected: str) -> Rejected | None:
    """A state change only from the state the user saw (STATE_CHANGED otherwise)."""
    if current != expected:
        return Rejected("STATE_CHANGED", {"expected": expected, "current": current})
    return None


def content_hash(content: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``content``: keys sorted, no spaces, UTF-8.

    Decimals, UUIDs and datetimes encode as strings, so both ends can compute the same hash.
    """
    return hashlib.sha256(msgspec.json.encode(content, order="sorted")).hexdigest()


def check_decision(
    *,
    allowed: bool,
    existing_decision: str | None,
    requested_decision: str,
    seen_hash: str,
    current_hash: str,
) -> Noop | Rejected | None:
    """A decision (approve, refuse…) on content the approver saw.

    Order: FORBIDDEN (lost the right, e.g. delegation ended) → an earlier decision
    (same decision: ``Noop("ALREADY_DECIDED")``; another: ``Rejected("ALREADY_DECIDED")``)
    → CONTENT_CHANGED when the content hash differs from what was seen. ``None``: apply.
    """
    if not allowed:
        return Rejected("FORBIDDEN", {"reason": "not_an_approver"})
    if existing_decision is not None:
        if existing_decision == requested_decision:
            return Noop("ALREADY_DECIDED", {"decision": existing_decision})
        return Rejected("ALREADY_DECIDED", {"decision": existing_decision})
    if seen_hash != current_hash:
        return Rejected("CONTENT_CHANGED", {"seen": seen_hash, "current": current_hash})
    return None


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if v is not None and not isinstance(v, int | str | bool | float) else v)
            for k, v in values.items()}
