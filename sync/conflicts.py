"""Conflict rules, as pure functions (no I/O): the server runs them inside each intent.

Drafts: every row keeps ``field_versions`` — for each field, the ``row_version`` at which it
last changed. An edit carries ``base_version``, the row_version the client last saw. A field
whose version is greater than ``base_version`` was changed concurrently:

* money group (amount, currency, VAT rate, VAT amount) — changes as one unit; a concurrent
  change with different values is rejected ``MONEY_CONFLICT`` with both values;
* any other field (text, date, category…) — later arrival wins; the overwritten value is
  reported as a conflict ``{field, lost, kept}`` (and kept in the conflict log);
* delete beats edit: an edit to a deleted row is ``Noop("ROW_DELETED")``.

A change the sender made itself is never concurrent with its own later edit: a phone edits on
top of its optimistic view, which already holds its earlier intents, while ``base_version``
can only be the row_version it last pulled. Fields whose last change came from the sender's
client (``own_fields``) are therefore merged as if unchanged since ``base_version``.

Workflow rules (expected state, decisions on the content hash the approver saw, service done)
live in :mod:`backend.workflow`, the one place every workflow intent asks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sync.outcomes import Noop, Rejected

# The value type of the merged row's fields (each entity's own: its row type's values).
V = TypeVar("V")

__all__ = (
    "FieldConflict",
    "MergeResult",
    "check_not_deleted",
    "merge_draft",
)


@dataclass(frozen=True)
class FieldConflict:
    """A concurrent change lost by the server value (``lost``) to the arriving one (``kept``);
    both any field's value, as :class:`sync.wire.ConflictReport` carries them."""

    field: str
    lost: Any
    kept: Any


@dataclass
class MergeResult(Generic[V]):
    """What an edit writes: changed values, the new field versions and the reported conflicts."""

    values: dict[str, V] = field(default_factory=dict)
    field_versions: dict[str, int] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)


def check_not_deleted(deleted_at: datetime | None) -> Noop | None:
    """Delete beats edit: any change to a deleted row is a no-op with code ROW_DELETED."""
    return Noop("ROW_DELETED") if deleted_at is not None else None


def merge_draft(
    *,
    current: Mapping[str, V],
    field_versions: Mapping[str, int],
    base_version: int,
    changes: Mapping[str, V],
    new_version: int,
    money_fields: Iterable[str] = (),
    own_fields: Collection[str] = frozenset(),
) -> MergeResult[V]:
    """Merge ``changes`` made on top of ``base_version`` into the ``current`` row.

    ``new_version`` is the row_version the row will have after this edit (current + 1).
    Raises :class:`Rejected` ``MONEY_CONFLICT`` when the money group changed concurrently to
    different values; the details carry ``server`` and ``client`` groups so the user chooses.
    """
    money = tuple(money_fields)
    result: MergeResult[V] = MergeResult(field_versions=dict(field_versions))

    def changed_since_base(name: str) -> bool:
        return name not in own_fields and field_versions.get(name, 0) > base_version

    effective = {k: v for k, v in changes.items() if current.get(k) != v}
    if any(name in changes for name in money):
        concurrent = any(changed_since_base(name) for name in money)
        client_group = {name: changes.get(name, current.get(name)) for name in money}
        server_group = {name: current.get(name) for name in money}
        if concurrent and client_group != server_group:
            raise Rejected(
                "MONEY_CONFLICT",
                {"server": _plain(server_group), "client": _plain(client_group),
                 "fields": list(money)},
            )
    for name, value in effective.items():
        if name not in money and changed_since_base(name):
            result.conflicts.append(FieldConflict(name, current.get(name), value))
        result.values[name] = value
        result.field_versions[name] = new_version
    return result


def _plain(values: Mapping[str, V | None]) -> dict[str, int | str | bool | float | None]:
    return {k: (str(v) if v is not None and not isinstance(v, int | str | bool | float) else v)
            for k, v in values.items()}
