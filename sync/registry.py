"""The registry that domain packages plug their intents and synced tables into.

Mutations (intents)::

    class EditArgs(msgspec.Struct):
        id: UUID
        base_version: int
        merchant: str | None = None

    @mutation("expense_line.edit", 1, EditArgs)
    async def edit(ctx: MutationContext, args: EditArgs) -> Outcome | None:
        ...                         # query/update tables (inside the intent's transaction)
        await ctx.touch("expense_line", args.id)
        return None                 # applied

Synced tables declare the :class:`SyncedColumns` mixin and register with
:func:`synced_entity` so that pull can send their rows.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from piccolo.columns import UUID as UUIDColumn
from piccolo.columns import BigInt, Integer, Timestamptz
from piccolo.columns.combination import And, Or, Where, WhereRaw
from piccolo.querystring import QueryString
from piccolo.table import Table

from backend.accounts.actor import Actor
from sync.conflicts import FieldConflict
from sync.outcomes import Noop, Outcome, Rejected, Transient

__all__ = (
    "SYNCED_COLUMNS",
    "EntitySpec",
    "MutationContext",
    "MutationSpec",
    "Noop",
    "Outcome",
    "PendingInsert",
    "PendingUpdate",
    "Rejected",
    "SyncedColumns",
    "Transient",
    "entities",
    "get_entity",
    "get_mutation",
    "is_unique_violation",
    "mutation",
    "mutations",
    "organisation_scope",
    "synced_entity",
    "visible_organisations",
)

ArgsT = TypeVar("ArgsT", bound=msgspec.Struct)
Handler = Callable[["MutationContext", Any], Awaitable[Outcome | None]]
Upcast = Callable[[dict[str, Any]], dict[str, Any]]
WhereClause = Where | And | Or | WhereRaw
Visible = Callable[[Actor], WhereClause | Awaitable[WhereClause | None] | None]
ToWire = Callable[[dict[str, Any]], dict[str, Any]]

SYNCED_COLUMNS = ("organisation", "row_version", "sync_version", "deleted_at")


class SyncedColumns:
    """Columns every synced table declares (mix in before ``Table``).

    * ``organisation`` — the owning organisation (the pull cursor is per organisation);
    * ``row_version`` — +1 per transaction that changes the row (preconditions, base_version);
    * ``sync_version`` — the organisation's commit-ordered version at the last change;
    * ``deleted_at`` — tombstone: deleted rows stay until the tombstone horizon passes them.

    Handlers never write ``row_version``/``sync_version``: :meth:`MutationContext.touch` does.
    A synced table's app adds ONE index on ``(organisation, sync_version)`` in a migration
    (``CREATE INDEX <table>_organisation_sync_version …``; Piccolo columns declare
    single-column indexes only): pull pages walk it, and it serves lookups by organisation.
    """

    organisation = UUIDColumn()
    row_version = Integer(default=0)
    sync_version = BigInt(default=0)
    deleted_at = Timestamptz(null=True, default=None)


@dataclass(frozen=True)
class MutationSpec:
    """A registered intent: its name, current version, argument type and upcasters."""

    name: str
    v: int
    args: type[msgspec.Struct]
    handler: Handler
    upcast: dict[int, Upcast] = field(default_factory=dict)


_MUTATIONS: dict[str, MutationSpec] = {}


def mutation(
    name: str,
    v: int,
    args: type[ArgsT],
    upcast: dict[int, Upcast] | None = None,
) -> Callable[[Callable[[MutationContext, ArgsT], Awaitable[Outcome | None]]],
              Callable[[MutationContext, ArgsT], Awaitable[Outcome | None]]]:
    """Register the handler of intent ``name`` at version ``v``.

    ``upcast[k]`` turns the args of version ``k`` into those of version ``k + 1``; an intent
    sent at an older version is upcast step by step to ``v``.
    """

    def register(fn: Callable[[MutationContext, ArgsT], Awaitable[Outcome | None]]
                 ) -> Callable[[MutationContext, ArgsT], Awaitable[Outcome | None]]:
        existing = _MUTATIONS.get(name)
        if existing is not None and existing.handler is not fn:
            raise ValueError(f"mutation {name} registered twice")
        for old in upcast or {}:
            if not 1 <= old < v:
                raise ValueError(f"mutation {name}: upcast from v{old} must be below v{v}")
        _MUTATIONS[name] = MutationSpec(name, v, args, fn, dict(upcast or {}))
        return fn

    return register


def get_mutation(name: str) -> MutationSpec | None:
    """The registered intent called ``name``."""
    return _MUTATIONS.get(name)


def mutations() -> dict[str, MutationSpec]:
    """Every registered intent by name."""
    return dict(_MUTATIONS)


@dataclass(frozen=True)
class PendingInsert:
    """A row :meth:`MutationContext.insert` leaves to the intent's last statement."""

    organisation: UUID
    entity: str
    row: Table
    exists: Rejected | None


@dataclass(frozen=True)
class PendingUpdate:
    """An update :meth:`MutationContext.update` leaves to the intent's last statement."""

    organisation: UUID
    entity: str
    row_id: Any
    values: dict[Any, Any]


def is_unique_violation(exc: BaseException, table: str | None = None) -> bool:
    """Whether ``exc`` is a unique-key violation (on ``table`` when given), on either engine."""
    name = type(exc).__name__
    if name == "UniqueViolationError":  # asyncpg
        return table is None or getattr(exc, "table_name", None) == table
    if name == "IntegrityError":  # sqlite3: "UNIQUE constraint failed: <table>.<column>"
        text = str(exc)
        return "UNIQUE constraint failed" in text and (table is None or f" {table}." in text)
    return False


class MutationContext:
    """What a handler knows about the intent it runs, and how it reports its effects."""

    def __init__(
        self,
        *,
        actor: Actor,
        mutation_id: UUID,
        client_time: datetime | None,
        server_time: datetime,
        device_id: UUID,
        client_id: UUID,
        seq: int,
    ) -> None:
        self.actor = actor
        self.organisation_id: UUID | None = actor.organisation_id
        self.mutation_id = mutation_id
        self.client_time = client_time
        self.server_time = server_time
        self.device_id = device_id
        self.client_id = client_id
        self.seq = seq
        self.touched: dict[UUID, dict[str, set[Any]]] = {}
        self.inserts: list[PendingInsert] = []
        self.updates: list[PendingUpdate] = []
        self.defer_inserts = False  # push: new rows and updates go in with the last statement
        self.conflicts: list[FieldConflict] = []
        self.after_commit_calls: list[Callable[[], Awaitable[Any]]] = []

    async def touch(self, entity: str, row_id: Any, *, organisation_id: UUID | None = None) -> None:
        """Mark a changed row: at commit it gets the new ``sync_version`` and ``row_version + 1``.

        A row touched several times in one intent is stamped once.
        """
        org = organisation_id or self.organisation_id
        if org is None:
            raise ValueError("touch needs an organisation for actors without one")
        if entity not in _ENTITIES:
            raise KeyError(f"unknown synced entity {entity}")
        self.touched.setdefault(org, {}).setdefault(entity, set()).add(row_id)

    async def insert(self, entity: str, row: Table, *, exists: Rejected | None = None) -> None:
        """Insert ``row``, a new row of the synced ``entity``, stamped as a touched row is.

        If a row with its primary key exists, the intent's outcome is ``exists`` (else the
        database error stands). In a push the row is written by the intent's last statement,
        with the new ``sync_version`` (one round trip less on PostgreSQL, no second write to
        stamp it): do not read it back in the same intent.
        """
        if entity not in _ENTITIES:
            raise KeyError(f"unknown synced entity {entity}")
        org = getattr(row, "organisation", None) or self.organisation_id
        if org is None:
            raise ValueError("insert needs the row's organisation")
        row_id = getattr(row, row._meta.primary_key._meta.name)
        if self.defer_inserts:
            self.inserts.append(PendingInsert(org, entity, row, exists))
        else:
            try:
                await type(row).insert(row)
            except Exception as exc:
                if exists is not None and is_unique_violation(exc):
                    raise exists from exc
                raise
        await self.touch(entity, row_id, organisation_id=org)

    async def update(self, entity: str, row_id: Any, values: dict[Any, Any], *,
                     organisation_id: UUID | None = None) -> None:
        """Set ``values`` (column → plain value) on row ``row_id`` of the synced ``entity``
        and stamp it as a touched row is.

        In a push the update is made by the intent's last statement, together with the stamp
        (one round trip and one row version less): do not read the row back in the same
        intent. Use ``Table.update`` and :meth:`touch` for anything but plain values.
        """
        org = organisation_id or self.organisation_id
        if org is None:
            raise ValueError("update needs an organisation for actors without one")
        table = get_entity(entity).table
        if self.defer_inserts:
            self.updates.append(PendingUpdate(org, entity, row_id, dict(values)))
        else:
            await table.update(values).where(table._meta.primary_key == row_id)
        await self.touch(entity, row_id, organisation_id=org)

    def conflict(self, field_name: str, lost_value: Any, kept_value: Any) -> None:
        """Report a text conflict (the value overwritten and the one kept) in the ack."""
        self.conflicts.append(FieldConflict(field_name, lost_value, kept_value))

    def after_commit(self, coro_fn: Callable[[], Awaitable[Any]]) -> None:
        """Run ``coro_fn()`` after the intent committed (enqueue a job…); not on rollback."""
        self.after_commit_calls.append(coro_fn)


@dataclass(frozen=True)
class EntitySpec:
    """A synced table: how pull selects what an actor may see and how a row goes on the wire."""

    name: str
    table: type[Table]
    visible: Visible
    to_wire: ToWire

    async def where(self, actor: Actor) -> WhereClause | None:
        """The actor's visibility clause (``None``: sees nothing of this entity)."""
        clause = self.visible(actor)
        if inspect.isawaitable(clause):
            clause = await clause
        return clause


_ENTITIES: dict[str, EntitySpec] = {}


def synced_entity(name: str, table: type[Table], *, visible: Visible,
                  to_wire: ToWire) -> EntitySpec:
    """Register ``table`` as the synced entity ``name`` (checks it declares the synced columns)."""
    missing = [c for c in SYNCED_COLUMNS if not hasattr(table, c)]
    if missing:
        raise TypeError(f"synced entity {name}: table {table.__name__} lacks columns {missing}")
    spec = EntitySpec(name, table, visible, to_wire)
    existing = _ENTITIES.get(name)
    if existing is not None and existing.table is not table:
        raise ValueError(f"synced entity {name} registered twice")
    _ENTITIES[name] = spec
    return spec


def get_entity(name: str) -> EntitySpec:
    """The synced entity called ``name``."""
    return _ENTITIES[name]


def entities() -> dict[str, EntitySpec]:
    """Every synced entity, in registration order."""
    return dict(_ENTITIES)


OrganisationScope = Callable[[Actor], Awaitable[set[UUID]]]
_ORG_SCOPES: list[OrganisationScope] = []


def organisation_scope(fn: OrganisationScope) -> OrganisationScope:
    """Register a source of extra organisations an actor syncs (e.g. a supplier's customers)."""
    if fn not in _ORG_SCOPES:
        _ORG_SCOPES.append(fn)
    return fn


async def visible_organisations(actor: Actor) -> list[UUID]:
    """The organisations whose data the actor pulls: their own plus registered scopes."""
    orgs: set[UUID] = {actor.organisation_id} if actor.organisation_id else set()
    for scope in _ORG_SCOPES:
        orgs |= await scope(actor)
    return sorted(orgs)


def clause_fingerprint(clause: WhereClause | QueryString | None) -> str:
    """A short hash of a visibility clause (or of its compiled querystring) with its values:
    it changes when the view changes."""
    if clause is None:
        text = "none"
    else:
        text = str(clause if isinstance(clause, QueryString) else clause.querystring)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
