"""The last statement(s) of an applied intent: store its ack, bump the version of each
organisation it changed, stamp the rows it touched, make its deferred updates and write the
rows it created.

The version rows are locked just before commit, as :func:`sync.storage.bump_version` does, so
the commits of an organisation are ordered by its version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from piccolo.utils.sql_values import convert_to_sql_value

from sync.registry import MutationContext, PendingInsert, Rejected, get_entity, is_unique_violation
from sync.storage import engine

__all__ = ("OrganisationWrites", "finish_intent_pg", "finish_intent_sqlite", "insert_refused",
           "writes_of")


@dataclass
class OrganisationWrites:
    """What an intent changed in one organisation.

    ``stamps``: (table, primary key column, ids) of touched rows, which get the new version
    and ``row_version + 1``; ``updates``: (table, primary key column, id, columns, values),
    stamped the same way in the same statement; ``inserts``: (table, columns, values) of new
    rows, written with the new version as ``sync_version`` (``row_version`` is among them).
    """

    organisation: UUID
    stamps: list[tuple[str, str, list[Any]]] = field(default_factory=list)
    updates: list[tuple[str, str, Any, list[str], list[Any]]] = field(default_factory=list)
    inserts: list[tuple[str, list[str], list[Any]]] = field(default_factory=list)


def writes_of(ctx: MutationContext) -> list[OrganisationWrites]:
    """What an applied intent's context asks of its last statement, per organisation."""
    orgs = [*ctx.touched, *(p.organisation for p in ctx.updates),
            *(p.organisation for p in ctx.inserts)]
    writes = {org: OrganisationWrites(org) for org in orgs}
    written = {(p.entity, str(p.row_id)) for p in ctx.updates} | {
        (p.entity, str(getattr(p.row, p.row._meta.primary_key._meta.name)))
        for p in ctx.inserts}
    for org, touched in ctx.touched.items():
        for entity, ids in touched.items():
            meta = get_entity(entity).table._meta
            # rows written by the last statement are stamped there (never twice in one statement)
            rest = [i for i in ids if (entity, str(i)) not in written]
            if rest:
                writes[org].stamps.append(
                    (meta.tablename, meta.primary_key._meta.db_column_name, rest))
    merged: dict[tuple[UUID, str, str], tuple[Any, dict[Any, Any]]] = {}  # one UPDATE per row
    for update in ctx.updates:
        key = (update.organisation, update.entity, str(update.row_id))
        merged.setdefault(key, (update.row_id, {}))[1].update(update.values)
    for (org, entity, _), (row_id, values) in merged.items():
        meta = get_entity(entity).table._meta
        writes[org].updates.append((
            meta.tablename, meta.primary_key._meta.db_column_name, row_id,
            [c._meta.db_column_name for c in values],
            [convert_to_sql_value(value, c) for c, value in values.items()]))
    for pending in ctx.inserts:
        writes[pending.organisation].inserts.append(_insert_values(pending))
    return list(writes.values())


_AS_IS = {str, int, float, bool, type(None), UUID, date, datetime, Decimal}


def _insert_values(pending: PendingInsert) -> tuple[str, list[str], list[Any]]:
    """(table, columns, values) of a new row, all columns but ``sync_version`` (set by the
    last statement), ``row_version`` one more than the row's, as a touched row gets."""
    row = pending.row
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


def insert_refused(inserts: list[PendingInsert], exc: Exception) -> Rejected | None:
    """The outcome a new row's duplicate key makes of the intent (None: not that)."""
    for pending in inserts:
        if pending.exists is not None and is_unique_violation(exc, pending.row._meta.tablename):
            return pending.exists
    return None


_ACK_INSERT = (
    "INSERT INTO sync_ack (client, seq, ack_key, mutation_id, name, v, status, code, details, "
    "conflicts, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())"
)


def _connection() -> Any:
    txn = engine().current_transaction.get()
    if txn is None:
        raise RuntimeError("an intent's last statement runs inside the intent's transaction")
    return txn.connection


async def finish_intent_pg(ack: tuple[Any, ...], writes: list[OrganisationWrites]) -> list[int]:
    """PostgreSQL: all of it in ONE statement (data-modifying CTEs).

    ``ack`` holds the ten values of ``_ACK_INSERT``. Returns the new version of each
    organisation of ``writes``, in order. The CTEs see the same snapshot, so an inserted row
    takes its ``sync_version`` from the bump rather than from a stamp.
    """
    connection = _connection()
    if not writes:
        await connection.execute(_ACK_INSERT, *ack)
        return []
    params: list[Any] = list(ack)

    def mark(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    parts = [f"a AS ({_ACK_INSERT})"]
    for i, organisation in enumerate(writes):
        parts.append(
            f"v{i} AS (INSERT INTO organisation_version (organisation, version, horizon) "  # noqa: S608
            f"VALUES ({mark(organisation.organisation)}, 1, 0) ON CONFLICT (organisation) DO "
            "UPDATE SET version = organisation_version.version + 1 RETURNING version)")
        for j, (table, pk, ids) in enumerate(organisation.stamps):
            parts.append(
                f's{i}_{j} AS (UPDATE "{table}" SET sync_version = (SELECT version FROM v{i}), '  # noqa: S608
                f'row_version = row_version + 1 WHERE "{pk}" = ANY({mark(ids)}) RETURNING 1)')
        for j, (table, pk, row_id, columns, values) in enumerate(organisation.updates):
            sets = "".join(f'"{c}" = {mark(v)}, ' for c, v in zip(columns, values, strict=True))
            parts.append(
                f'u{i}_{j} AS (UPDATE "{table}" SET {sets}'  # noqa: S608
                f"sync_version = (SELECT version FROM v{i}), row_version = row_version + 1 "
                f'WHERE "{pk}" = {mark(row_id)} RETURNING 1)')
        for j, (table, columns, values) in enumerate(organisation.inserts):
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join(mark(value) for value in values)
            parts.append(
                f'n{i}_{j} AS (INSERT INTO "{table}" ({names}, sync_version) '  # noqa: S608
                f"VALUES ({marks}, (SELECT version FROM v{i})))")
    select = ", ".join(f"(SELECT version FROM v{i})" for i in range(len(writes)))  # noqa: S608
    row = await connection.fetchrow(f"WITH {', '.join(parts)} SELECT {select}", *params)
    return [int(v) for v in row.values()]


_ACK_INSERT_SQLITE = (
    "INSERT INTO sync_ack (client, seq, ack_key, mutation_id, name, v, status, code, details, "
    "conflicts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_BUMP_SQLITE = (
    "INSERT INTO organisation_version (organisation, version, horizon) VALUES (?, 1, 0) "
    "ON CONFLICT (organisation) DO UPDATE SET version = organisation_version.version + 1 "
    "RETURNING version"
)


async def finish_intent_sqlite(ack: tuple[Any, ...],
                               writes: list[OrganisationWrites]) -> list[int]:
    """SQLite: the same, one statement per write, sent straight to the transaction's
    connection (one hop to the SQLite thread each). Same arguments and result."""
    connection = _connection()
    await connection.execute_fetchall(_ACK_INSERT_SQLITE, (*ack, datetime.now(UTC)))
    versions = []
    for organisation in writes:
        rows = list(await connection.execute_fetchall(_BUMP_SQLITE,
                                                      (organisation.organisation,)))
        version = int(rows[0]["version"])
        for table, pk, ids in organisation.stamps:
            marks = ", ".join("?" for _ in ids)
            await connection.execute_fetchall(
                f'UPDATE "{table}" SET sync_version = ?, row_version = row_version + 1 '  # noqa: S608
                f'WHERE "{pk}" IN ({marks})', (version, *ids))
        for table, pk, row_id, columns, values in organisation.updates:
            sets = "".join(f'"{c}" = ?, ' for c in columns)
            await connection.execute_fetchall(
                f'UPDATE "{table}" SET {sets}sync_version = ?, '  # noqa: S608
                f'row_version = row_version + 1 WHERE "{pk}" = ?', (*values, version, row_id))
        for table, columns, values in organisation.inserts:
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in values)
            await connection.execute_fetchall(
                f'INSERT INTO "{table}" ({names}, sync_version) VALUES ({marks}, ?)',  # noqa: S608
                (*values, version))
        versions.append(version)
    return versions
