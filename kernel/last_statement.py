"""The last statement of a unit of work: bump the version of each organisation it changed,
stamp the rows it touched, make its pending updates, write its new rows and its outbox rows
(a poke per organisation, its jobs), after an optional leading statement (a sync push: the
intent's ack).

PostgreSQL: ONE statement (data-modifying CTEs); SQLite: one statement per write on the
transaction's connection. The version rows are locked just before commit, so the commits of an
organisation are ordered by its version (the pull cursor never skips a commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from piccolo.engine.postgres import PostgresEngine

from kernel.db import current_engine

__all__ = ("Lead", "OrganisationWrites", "OutboxWrites", "run_last_statement")


@dataclass(frozen=True)
class Lead:
    """A statement that opens the last statement, in each engine's dialect (``$n`` for
    PostgreSQL, ``?`` for SQLite), with its values (SQLite's get the time appended)."""

    postgres: str
    sqlite: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class OutboxWrites:
    """The outbox rows of a unit of work: ``pokes``, the row id of each organisation's poke (in the
    order of the writes; its version is the bump's); ``jobs``: (id, name, key, JSON kwargs)."""

    pokes: list[UUID] = field(default_factory=list)
    jobs: list[tuple[UUID, str, str | None, str]] = field(default_factory=list)


@dataclass
class OrganisationWrites:
    """What a unit of work changed in one organisation.

    ``stamps``: (table, primary key column, ids) of touched rows, which get the new version
    and ``row_version + 1``; ``updates``: (table, primary key column, id, columns, values),
    stamped the same way in the same statement; ``inserts``: (table, columns, values) of new
    rows, written with the new version as ``sync_version`` (``row_version`` is among them).
    """

    organisation: UUID
    stamps: list[tuple[str, str, list[Any]]] = field(default_factory=list)
    updates: list[tuple[str, str, Any, list[str], list[Any]]] = field(default_factory=list)
    inserts: list[tuple[str, list[str], list[Any]]] = field(default_factory=list)


def _connection() -> Any:
    txn = current_engine().current_transaction.get()
    if txn is None:
        raise RuntimeError("a unit of work's last statement runs inside its transaction")
    return txn.connection


async def run_last_statement(lead: Lead | None, writes: list[OrganisationWrites],
                             outbox: OutboxWrites) -> list[int]:
    """Run the last statement on the engine in use; returns the new version of each
    organisation of ``writes``, in order."""
    if isinstance(current_engine(), PostgresEngine):
        return await _run_pg(lead, writes, outbox)
    return await _run_sqlite(lead, writes, outbox)


_OUTBOX_INSERT = ("INSERT INTO outbox (id, kind, name, key, organisation, version, payload, "
                  "created_at) VALUES ")


async def _run_pg(lead: Lead | None, writes: list[OrganisationWrites],
                  outbox: OutboxWrites) -> list[int]:
    """PostgreSQL: all of it in ONE statement (data-modifying CTEs). The CTEs see the same
    snapshot, so an inserted row takes its ``sync_version`` from the bump rather than from a
    stamp."""
    connection = _connection()
    if not writes and not outbox.jobs:
        if lead is not None:
            await connection.execute(lead.postgres, *lead.values)
        return []
    params: list[Any] = list(lead.values) if lead is not None else []

    def mark(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    parts = [f"a AS ({lead.postgres})"] if lead is not None else []
    for k, (job_id, name, key, payload) in enumerate(outbox.jobs):
        parts.append(f"j{k} AS ({_OUTBOX_INSERT}({mark(job_id)}, 'job', {mark(name)}, "
                     f"{mark(key)}, NULL, 0, {mark(payload)}, now()))")
    for i, organisation in enumerate(writes):
        parts.append(
            f"v{i} AS (INSERT INTO organisation_version (organisation, version, horizon) "  # noqa: S608
            f"VALUES ({mark(organisation.organisation)}, 1, 0) ON CONFLICT (organisation) DO "
            "UPDATE SET version = organisation_version.version + 1 RETURNING version)")
        if i < len(outbox.pokes):
            parts.append(
                f"o{i} AS ({_OUTBOX_INSERT}({mark(outbox.pokes[i])}, 'poke', '', NULL, "  # noqa: S608
                f"{mark(organisation.organisation)}, (SELECT version FROM v{i}), '{{}}', now()))")
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
    select = ", ".join(f"(SELECT version FROM v{i})" for i in range(len(writes))) or "1"  # noqa: S608
    row = await connection.fetchrow(f"WITH {', '.join(parts)} SELECT {select}", *params)
    return [int(v) for v in row.values()] if writes else []


_BUMP_SQLITE = (
    "INSERT INTO organisation_version (organisation, version, horizon) VALUES (?, 1, 0) "
    "ON CONFLICT (organisation) DO UPDATE SET version = organisation_version.version + 1 "
    "RETURNING version"
)


_OUTBOX_SQLITE = _OUTBOX_INSERT + "(?, ?, ?, ?, ?, ?, ?, ?)"


async def _run_sqlite(lead: Lead | None, writes: list[OrganisationWrites],
                      outbox: OutboxWrites) -> list[int]:
    """SQLite: the same, one statement per write, sent straight to the transaction's
    connection (one hop to the SQLite thread each)."""
    connection = _connection()
    now = datetime.now(UTC)
    if lead is not None:
        await connection.execute_fetchall(lead.sqlite, (*lead.values, now))
    for job_id, name, key, payload in outbox.jobs:
        await connection.execute_fetchall(_OUTBOX_SQLITE,
                                          (str(job_id), "job", name, key, None, 0, payload, now))
    versions = []
    for i, organisation in enumerate(writes):
        rows = list(await connection.execute_fetchall(_BUMP_SQLITE,
                                                      (organisation.organisation,)))
        version = int(rows[0]["version"])
        if i < len(outbox.pokes):
            await connection.execute_fetchall(_OUTBOX_SQLITE, (
                str(outbox.pokes[i]), "poke", "", None, str(organisation.organisation),
                version, "{}", now))
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
