"""The unit of work: every write's transaction, what it changed, and what follows its commit.

::

    async with UnitOfWork() as uow:
        uow.insert(Line(id=line_id, organisation=org, ...), organisation=org)
        uow.update(Claim, claim_id, {Claim.title: "Lyon"}, organisation=org)
        await Claim.update({Claim.total: Claim.total + 5}).where(Claim.id == claim_id)
        uow.touch(Claim, claim_id, organisation=org)  # stamped at commit: pull sends it
        uow.enqueue("push.deliver")                   # a job, once committed

At the end of the block, in the same transaction: each touched organisation's version is
bumped, the new rows and plain-value updates left to the unit of work are written with it,
the other touched rows get it as ``sync_version`` (with ``row_version + 1``), and one outbox
row per effect is written (a poke per organisation, each job). After commit ONE trigger
runs those effects (``kernel.outbox.delivery.deliver``) and deletes their rows; on rollback
nothing happens. A crash between commit and delivery loses nothing: ``sweep_outbox`` (the
worker's loop) runs the rows left behind. Effects run at least once: jobs are idempotent,
pokes are content-free.

A sync push runs its intents in its own transaction variant (one statement per intent) and
writes the same outbox rows there (``sync.push``); everything else opens a ``UnitOfWork``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any
from uuid import UUID

import msgspec
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

from kernel.db import is_postgres, is_unique_violation, write_transaction
from kernel.last_statement import Lead, OrganisationWrites, OutboxWrites, run_last_statement
from kernel.outbox.delivery import (
    GRACE,
    deliver,
    start_outbox_sweeper,
    stop_outbox_sweeper,
    sweep_outbox,
)
from kernel.outbox.effects import JobEffect, OutboxEntry, PokeEffect
from kernel.outbox.tables import Outbox

__all__ = (
    "GRACE",
    "JobEffect",
    "OutboxEntry",
    "PendingInsert",
    "PendingUpdate",
    "PokeEffect",
    "UnitOfWork",
    "bump_version",
    "current_unit_of_work",
    "deliver",
    "insert_refused",
    "start_outbox_sweeper",
    "stop_outbox_sweeper",
    "sweep_outbox",
    "writes_of",
)

log = logging.getLogger("nomade.unit_of_work")

_current: ContextVar[UnitOfWork | None] = ContextVar("nomade_unit_of_work", default=None)


@dataclass(frozen=True)
class PendingInsert:
    """A new row the unit of work writes with its last statements (``exists``: raised
    instead of the database error when a row with its primary key exists)."""

    organisation: UUID
    row: Table
    exists: Exception | None

    def key(self) -> tuple[type[Table], str]:
        """(table, primary key as text) of the row."""
        return type(self.row), str(getattr(self.row, self.row._meta.primary_key._meta.name))


@dataclass(frozen=True)
class PendingUpdate:
    """Plain values the unit of work sets on a row with its last statements (and stamps)."""

    organisation: UUID
    table: type[Table]
    row_id: Any
    values: dict[Any, Any]


def current_unit_of_work() -> UnitOfWork | None:
    """The unit of work whose block runs now (in this task), if any."""
    return _current.get()


# The organisation's commit-ordered version: the table is declared by the sync app
# (``sync.tables.OrganisationVersion``, its migrations); every writer bumps it here.
_BUMP = (
    "INSERT INTO organisation_version (organisation, version, horizon) VALUES ({}, 1, 0) "
    "ON CONFLICT (organisation) DO UPDATE SET version = organisation_version.version + 1 "
    "RETURNING version"
)


def _param(value: UUID) -> Any:
    """A UUID as a raw-SQL parameter (asyncpg wants UUID objects, SQLite text)."""
    return value if is_postgres() else str(value)


async def bump_version(organisation_id: UUID) -> int:
    """Increment the organisation's version (just before commit) and return it.

    The row lock this takes orders the commits of an organisation, so the pull cursor never
    skips a transaction that commits later with a smaller version.
    """
    rows = await Outbox.raw(_BUMP, _param(organisation_id))
    return int(rows[0]["version"])


class UnitOfWork:
    """One write: its transaction (either engine), the rows it touched, its effects."""

    def __init__(self, *, collect: list[OutboxEntry] | None = None) -> None:
        """``collect``: leave the committed outbox rows there instead of running them (a
        batch of writes runs its effects once, with :func:`deliver`, after the last one)."""
        self.collect = collect
        self.touched: dict[UUID, dict[type[Table], set[Any]]] = {}
        self.inserts: list[PendingInsert] = []
        self.updates: list[PendingUpdate] = []
        self.jobs: list[JobEffect] = []
        #: each stamped organisation's new version (after the block)
        self.versions: dict[UUID, int] = {}
        #: the outbox rows written at the end of the block (delivered after commit)
        self.written: list[OutboxEntry] = []
        self._transaction: Any = None
        self._joined = False
        self._token: Token[UnitOfWork | None] | None = None

    def touch(self, table: type[Table], row_id: Any, *, organisation: UUID) -> None:
        """Mark a changed synced row: at commit it gets its organisation's new version as
        ``sync_version`` and ``row_version + 1`` (once, however often it is touched)."""
        self.touched.setdefault(organisation, {}).setdefault(table, set()).add(row_id)

    def insert(self, row: Table, *, organisation: UUID, exists: Exception | None = None) -> None:
        """Write ``row``, a new synced row, with the last statements, stamped (its
        ``row_version`` + 1, the new ``sync_version``): do not read it back in the block."""
        pending = PendingInsert(organisation, row, exists)
        self.inserts.append(pending)
        self.touch(type(row), getattr(row, row._meta.primary_key._meta.name),
                   organisation=organisation)

    def update(self, table: type[Table], row_id: Any, values: dict[Any, Any], *,
               organisation: UUID) -> None:
        """Set plain ``values`` on a synced row with the last statements, in the statement
        that stamps it: do not read it back in the block."""
        self.updates.append(PendingUpdate(organisation, table, row_id, dict(values)))
        self.touch(table, row_id, organisation=organisation)

    def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> None:
        """Enqueue job ``name`` once this write committed (the same job and key once)."""
        effect = JobEffect(name, key, kwargs)
        if effect not in self.jobs:
            self.jobs.append(effect)

    @contextmanager
    def running(self) -> Iterator[UnitOfWork]:
        """Make this the unit of work of the code in the block, in a transaction the caller
        opened itself (a sync push's intent: its own transaction variant, which stamps and
        writes :meth:`effects` in its last statement and delivers after commit)."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    async def __aenter__(self) -> UnitOfWork:
        outer = _current.get()
        if outer is not None:
            # A write made inside another (a service that opens its own, called from a sync
            # intent) joins it: one transaction, stamped and delivered once, after the outer
            # commit. It does not roll back alone: an error inside rolls back the outer one.
            self._joined = True
            return outer
        self._transaction = write_transaction()
        await self._transaction.__aenter__()
        self._token = _current.set(self)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> bool:
        if self._joined:
            return False
        if self._token is not None:
            _current.reset(self._token)
            self._token = None
        if exc is None:
            try:
                await self.finish()
            except BaseException as error:
                await self._transaction.__aexit__(type(error), error, error.__traceback__)
                raise
        suppressed = bool(await self._transaction.__aexit__(exc_type, exc, tb))
        if exc is None:
            if self.collect is not None:
                self.collect.extend(self.written)
            else:
                await deliver(self.written)
        return suppressed

    async def finish(self, lead: Lead | None = None) -> None:
        """The block's last statement (after ``lead``, if given: a sync push's ack): bump
        versions, write new rows and updates, stamp the other touched rows, write the outbox.

        A new row whose key exists raises its ``exists`` error (else the database's)."""
        writes = writes_of(self)
        jobs = [OutboxEntry(uuid.uuid4(), job) for job in self.jobs]
        outbox = OutboxWrites(pokes=[uuid.uuid4() for _ in writes], jobs=[
            (e.id, e.effect.name, e.effect.key, msgspec.json.encode(e.effect.kwargs).decode())
            for e in jobs if isinstance(e.effect, JobEffect)])
        try:
            versions = await run_last_statement(lead, writes, outbox)
        except Exception as exc:
            refused = insert_refused(self.inserts, exc)
            if refused is None:
                raise
            raise refused from exc
        self.versions = {w.organisation: v for w, v in zip(writes, versions, strict=True)}
        self.written = [OutboxEntry(poke_id, PokeEffect(w.organisation, version))
                        for poke_id, w, version in zip(outbox.pokes, writes, versions,
                                                       strict=True)] + jobs


def writes_of(unit_of_work: UnitOfWork) -> list[OrganisationWrites]:
    """What a unit of work asks of its last statement, per organisation.

    A new row changed again in the same unit of work is written once, with the change.
    """
    writes = {org: OrganisationWrites(org) for org in unit_of_work.touched}
    new_rows = {pending.key(): pending for pending in unit_of_work.inserts}
    merged: dict[tuple[type[Table], str], tuple[UUID, Any, dict[Any, Any]]] = {}  # one per row
    for update in unit_of_work.updates:
        key = (update.table, str(update.row_id))
        if key in new_rows:
            for column, value in update.values.items():
                setattr(new_rows[key].row, column._meta.name, value)
        else:
            merged.setdefault(key, (update.organisation, update.row_id, {}))[2].update(
                update.values)
    written = set(new_rows) | set(merged)
    for org, touched in unit_of_work.touched.items():
        for table, ids in touched.items():
            meta = table._meta
            # rows written by the last statement are stamped there (never twice in one statement)
            rest = [i for i in ids if (table, str(i)) not in written]
            if rest:
                writes[org].stamps.append(
                    (meta.tablename, meta.primary_key._meta.db_column_name, rest))
    for (table, _), (org, row_id, values) in merged.items():
        meta = table._meta
        writes[org].updates.append((
            meta.tablename, meta.primary_key._meta.db_column_name, row_id,
            [c._meta.db_column_name for c in values],
            [convert_to_sql_value(value, c) for c, value in values.items()]))
    for pending in unit_of_work.inserts:
        writes[pending.organisation].inserts.append(_insert_values(pending.row))
    return list(writes.values())


_AS_IS = {str, int, float, bool, type(None), UUID, date, datetime, Decimal}


def _insert_values(row: Table) -> tuple[str, list[str], list[Any]]:
    """(table, columns, values) of a new row, all columns but ``sync_version`` (set by the
    last statement), ``row_version`` one more than the row's, as a touched row gets."""
    columns, values = [], []
    for column in row._meta.columns:
        name = column._meta.name
        if name == "sync_version":
            continue
        value = getattr(row, name)
        if type(value) not in _AS_IS:  # what Piccolo converts: JSON objects, enums, lists…
            value = convert_to_sql_value(value, column)
        columns.append(column._meta.db_column_name)
        values.append(int(value or 0) + 1 if name == "row_version" else value)
    return row._meta.tablename, columns, values


def insert_refused(inserts: list[PendingInsert], exc: Exception) -> Exception | None:
    """The error a new row's duplicate key makes of the write (None: not that)."""
    for pending in inserts:
        if pending.exists is not None and is_unique_violation(exc, pending.row._meta.tablename):
            return pending.exists
    return None
