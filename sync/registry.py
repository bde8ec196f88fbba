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

Synced tables declare the :class:`SyncedColumns` mixin and are declared with
:func:`synced_entity` so that pull can send their rows, each as its entity's row Struct::

    class VehicleProfileRow(SyncedRow, kw_only=True):   # in the domain's schemas
        id: UUID
        fiscal_cv: int

    synced_entity("vehicle_profile", VehicleProfile, visible=visible,
                  wire=VehicleProfileRow, to_wire=to_wire)   # to_wire(row) -> VehicleProfileRow

Declaring changes no registry: ``mutation``, ``synced_entity`` and ``organisation_scope`` leave
a declaration in the declaring module (``kernel.declarations``); ``backend.composition``
builds a :class:`SyncRegistry` from the modules it lists and :func:`install` s it at start-up.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Awaitable, Callable, Iterable
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

from kernel.actor import Actor
from kernel.db import is_unique_violation
from kernel.declarations import declare, of_type
from kernel.unit_of_work import PendingInsert, PendingUpdate, UnitOfWork
from sync.conflicts import FieldConflict
from sync.outcomes import Noop, Outcome, Rejected, Transient
from sync.wire import SyncedRow

__all__ = (
    "SYNCED_COLUMNS",
    "EntitySpec",
    "MutationContext",
    "MutationSpec",
    "Noop",
    "OrganisationScopeSpec",
    "Outcome",
    "PendingInsert",
    "PendingUpdate",
    "Rejected",
    "SyncRegistry",
    "SyncedColumns",
    "Transient",
    "entities",
    "get_entity",
    "get_mutation",
    "install",
    "installed",
    "is_unique_violation",
    "mutation",
    "mutations",
    "organisation_scope",
    "synced_entity",
    "touch_rows",
    "visible_organisations",
)

ArgsT = TypeVar("ArgsT", bound=msgspec.Struct)
RowT = TypeVar("RowT", bound=SyncedRow)
Handler = Callable[["MutationContext", Any], Awaitable[Outcome | None]]
Upcast = Callable[[dict[str, Any]], dict[str, Any]]
WhereClause = Where | And | Or | WhereRaw
Visible = Callable[[Actor], WhereClause | Awaitable[WhereClause | None] | None]
#: A selected row (column name → value, as the database driver returns it) to its wire Struct.
ToWire = Callable[[dict[str, Any]], SyncedRow]

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
    """A declared intent: its name, current version, argument type and upcasters."""

    name: str
    v: int
    args: type[msgspec.Struct]
    handler: Handler
    upcast: dict[int, Upcast] = field(default_factory=dict)


def mutation(
    name: str,
    v: int,
    args: type[ArgsT],
    upcast: dict[int, Upcast] | None = None,
) -> Callable[[Callable[[MutationContext, ArgsT], Awaitable[Outcome | None]]],
              Callable[[MutationContext, ArgsT], Awaitable[Outcome | None]]]:
    """Declare ``fn`` the handler of intent ``name`` at version ``v`` (in its module's
    declarations; registered when the server builds its registries).

    ``upcast[k]`` turns the args of version ``k`` into those of version ``k + 1``; an intent
    sent at an older version is upcast step by step to ``v``.
    """
    for old in upcast or {}:
        if not 1 <= old < v:
            raise ValueError(f"mutation {name}: upcast from v{old} must be below v{v}")

    def register(fn: Callable[[MutationContext, ArgsT], Awaitable[Outcome | None]]
                 ) -> Callable[[MutationContext, ArgsT], Awaitable[Outcome | None]]:
        declare(MutationSpec(name, v, args, fn, dict(upcast or {})))
        return fn

    return register


def get_mutation(name: str) -> MutationSpec | None:
    """The intent called ``name`` in the installed registry."""
    return _installed.mutations.get(name)


def mutations() -> dict[str, MutationSpec]:
    """Every intent of the installed registry, by name."""
    return dict(_installed.mutations)


class MutationContext:
    """What a handler knows about the intent it runs; its writes go to the intent's
    :class:`~kernel.unit_of_work.UnitOfWork` (a thin adapter: entity names to tables)."""

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
        unit_of_work: UnitOfWork | None = None,
    ) -> None:
        self.actor = actor
        self.organisation_id: UUID | None = actor.organisation_id
        self.mutation_id = mutation_id
        self.client_time = client_time
        self.server_time = server_time
        self.device_id = device_id
        self.client_id = client_id
        self.seq = seq
        #: the write's unit of work: stamps, new rows, updates and effects (a push gives each
        #: intent its own and writes them in the intent's last statement)
        self.unit_of_work = unit_of_work or UnitOfWork()
        #: organisation → entity → ids of the rows changed (the conflict log names them)
        self.touched: dict[UUID, dict[str, set[Any]]] = {}
        self.conflicts: list[FieldConflict] = []

    def _organisation(self, organisation_id: UUID | None, what: str) -> UUID:
        org = organisation_id or self.organisation_id
        if org is None:
            raise ValueError(f"{what} needs an organisation for actors without one")
        return org

    def _table(self, entity: str) -> type[Table]:
        spec = _installed.entities.get(entity)
        if spec is None:
            raise KeyError(f"unknown synced entity {entity}")
        return spec.table

    async def touch(self, entity: str, row_id: Any, *, organisation_id: UUID | None = None) -> None:
        """Mark a changed row: at commit it gets the new ``sync_version`` and ``row_version + 1``.

        A row touched several times in one intent is stamped once.
        """
        org = self._organisation(organisation_id, "touch")
        self.unit_of_work.touch(self._table(entity), row_id, organisation=org)
        self.touched.setdefault(org, {}).setdefault(entity, set()).add(row_id)

    async def insert(self, entity: str, row: Table, *, exists: Rejected | None = None) -> None:
        """Insert ``row``, a new row of the synced ``entity``, stamped as a touched row is.

        The row is written by the unit of work's last statement, with the new
        ``sync_version`` (in a push: one round trip less on PostgreSQL, no second write to
        stamp it): do not read it back in the same intent. If a row with its primary key
        exists, the intent's outcome is ``exists`` (else the database error stands).
        """
        table = self._table(entity)
        org = self._organisation(getattr(row, "organisation", None), "insert")
        self.unit_of_work.insert(row, organisation=org, exists=exists)
        row_id = getattr(row, table._meta.primary_key._meta.name)
        self.touched.setdefault(org, {}).setdefault(entity, set()).add(row_id)

    async def update(self, entity: str, row_id: Any, values: dict[Any, Any], *,
                     organisation_id: UUID | None = None) -> None:
        """Set ``values`` (column → plain value) on row ``row_id`` of the synced ``entity``
        and stamp it as a touched row is.

        The update is made by the unit of work's last statement, together with the stamp (one
        round trip and one row version less): do not read the row back in the same intent.
        Use ``Table.update`` and :meth:`touch` for anything but plain values.
        """
        org = self._organisation(organisation_id, "update")
        self.unit_of_work.update(self._table(entity), row_id, values, organisation=org)
        self.touched.setdefault(org, {}).setdefault(entity, set()).add(row_id)

    def conflict(self, field_name: str, lost_value: Any, kept_value: Any) -> None:
        """Report a text conflict (the value overwritten and the one kept) in the ack."""
        self.conflicts.append(FieldConflict(field_name, lost_value, kept_value))


def touch_rows(unit_of_work: UnitOfWork, entity: str, row_ids: Iterable[Any], *,
               organisation: UUID) -> None:
    """Mark rows of the synced ``entity`` changed by a write that is not a sync intent
    (integration API, OCR job, escalation, seeders): its unit of work stamps them at commit
    and pokes the organisation."""
    table = get_entity(entity).table
    for row_id in row_ids:
        unit_of_work.touch(table, row_id, organisation=organisation)


@dataclass(frozen=True)
class EntitySpec:
    """A synced table: how pull selects what an actor may see and how a row goes on the wire
    (``wire``: the row Struct ``to_wire`` returns, described in the phone's contract)."""

    name: str
    table: type[Table]
    visible: Visible
    wire: type[SyncedRow]
    to_wire: ToWire

    async def where(self, actor: Actor) -> WhereClause | None:
        """The actor's visibility clause (``None``: sees nothing of this entity)."""
        clause = self.visible(actor)
        if inspect.isawaitable(clause):
            clause = await clause
        return clause


def synced_entity(name: str, table: type[Table], *, visible: Visible, wire: type[RowT],
                  to_wire: Callable[[dict[str, Any]], RowT]) -> EntitySpec:
    """Declare ``table`` the synced entity ``name``, its rows sent as ``wire`` Structs made by
    ``to_wire`` (checks the table declares the synced columns)."""
    missing = [c for c in SYNCED_COLUMNS if not hasattr(table, c)]
    if missing:
        raise TypeError(f"synced entity {name}: table {table.__name__} lacks columns {missing}")
    return declare(EntitySpec(name, table, visible, wire, to_wire))


def get_entity(name: str) -> EntitySpec:
    """The synced entity called ``name`` in the installed registry."""
    return _installed.entities[name]


def entities() -> dict[str, EntitySpec]:
    """Every synced entity of the installed registry, in declaration order."""
    return dict(_installed.entities)


OrganisationScope = Callable[[Actor], Awaitable[set[UUID]]]


@dataclass(frozen=True)
class OrganisationScopeSpec:
    """A declared source of extra organisations an actor syncs."""

    fn: OrganisationScope


def organisation_scope(fn: OrganisationScope) -> OrganisationScope:
    """Declare a source of extra organisations an actor syncs (e.g. a supplier's customers)."""
    declare(OrganisationScopeSpec(fn))
    return fn


async def visible_organisations(actor: Actor) -> list[UUID]:
    """The organisations whose data the actor pulls: their own plus the installed scopes."""
    orgs: set[UUID] = {actor.organisation_id} if actor.organisation_id else set()
    for scope in _installed.scopes:
        orgs |= await scope(actor)
    return sorted(orgs)


@dataclass(frozen=True)
class SyncRegistry:
    """The intents, synced entities and organisation scopes one process serves."""

    entities: dict[str, EntitySpec] = field(default_factory=dict)
    mutations: dict[str, MutationSpec] = field(default_factory=dict)
    scopes: tuple[OrganisationScope, ...] = ()

    @classmethod
    def build(cls, declarations: list[object]) -> SyncRegistry:
        """The registry of these declarations; a name declared twice is refused."""
        entities: dict[str, EntitySpec] = {}
        for entity in of_type(declarations, EntitySpec):
            existing = entities.get(entity.name)
            if existing is not None and existing.table is not entity.table:
                raise ValueError(f"synced entity {entity.name} registered twice")
            entities[entity.name] = entity
        mutations: dict[str, MutationSpec] = {}
        for intent in of_type(declarations, MutationSpec):
            known = mutations.get(intent.name)
            if known is not None and known.handler is not intent.handler:
                raise ValueError(f"mutation {intent.name} registered twice")
            mutations[intent.name] = intent
        scopes = dict.fromkeys(s.fn for s in of_type(declarations, OrganisationScopeSpec))
        return cls(entities, mutations, tuple(scopes))


_installed = SyncRegistry()


def install(registry: SyncRegistry) -> None:
    """Make ``registry`` the one this process serves (start-up, once)."""
    global _installed
    _installed = registry


def installed() -> SyncRegistry:
    """The registry this process serves (empty before start-up)."""
    return _installed


def clause_fingerprint(clause: WhereClause | QueryString | None) -> str:
    """A short hash of a visibility clause (or of its compiled querystring) with its values:
    it changes when the view changes."""
    if clause is None:
        text = "none"
    else:
        text = str(clause if isinstance(clause, QueryString) else clause.querystring)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
