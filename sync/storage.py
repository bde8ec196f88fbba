"""Database helpers of the protocol: transactions, the organisation version, the epoch."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import TransactionType
from piccolo.querystring import QueryString

from kernel.coerce import as_uuid
from kernel.db import write_transaction
from kernel.unit_of_work import bump_version
from sync.tables import OrganisationVersion, SyncMeta

__all__ = (
    "bump_version",
    "current_epoch",
    "engine",
    "intent_transaction",
    "is_postgres",
    "organisation_versions",
    "pull_header",
    "read_transaction",
    "uuid_param",
    "write_transaction",
)


def engine() -> Engine:  # type: ignore[type-arg]
    """The configured Piccolo engine (the one the tables use, found once)."""
    return SyncMeta._meta.db


def is_postgres() -> bool:
    """Whether the engine is PostgreSQL (row locks) rather than SQLite (one writer)."""
    return isinstance(engine(), PostgresEngine)


class _OpenedWith(PostgresTransaction):
    """A Piccolo transaction whose BEGIN carries a first statement (one round trip, simple
    query protocol); ``status`` is that statement's command tag, e.g. ``UPDATE 1``."""

    def __init__(self, engine: PostgresEngine, first_statement: str) -> None:
        super().__init__(engine=engine, allow_nested=False)
        self.first_statement = first_statement
        self.status = ""

    async def begin(self) -> None:
        try:
            self.status = await self.connection.execute(f"BEGIN; {self.first_statement}")
        except BaseException:  # __aexit__ will not run: give the connection back, rolled back
            with contextlib.suppress(Exception):
                if self.connection.is_in_transaction():
                    await self.connection.execute("ROLLBACK")
            if self.engine.pool:
                await self.engine.pool.release(self.connection)
            else:
                await self.connection.close()
            raise

    async def commit(self) -> None:
        await self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.execute("ROLLBACK")
        self._rolled_back = True


@asynccontextmanager
async def intent_transaction(client_id: UUID, seq: int, user_id: UUID) -> AsyncIterator[bool]:
    """The write transaction of one intent, opened by moving the client's ``last_seq`` from
    ``seq - 1`` to ``seq`` if the client is ``user_id``'s (a compare-and-set that also locks
    the client row). Yields whether it moved; if not, the caller looks at the client row.

    PostgreSQL: BEGIN and that UPDATE travel in one round trip. Its values are inlined (the
    simple query protocol has no parameters): a UUID and integers, never client text.
    """
    db = engine()
    if isinstance(db, PostgresEngine):
        client, user, seq = UUID(str(client_id)), UUID(str(user_id)), int(seq)
        advance = (f"UPDATE sync_client SET last_seq = {seq} WHERE id = '{client}' "  # noqa: S608
                   f"AND last_seq = {seq - 1} AND \"user\" = '{user}'")
        opened = _OpenedWith(db, advance)
        async with opened:
            yield opened.status == "UPDATE 1"
    else:
        async with db.transaction(transaction_type=TransactionType.immediate) as txn:
            rows = await txn.connection.execute_fetchall(
                'UPDATE sync_client SET last_seq = ? WHERE id = ? AND last_seq = ? '
                'AND "user" = ? RETURNING 1', (seq, str(client_id), seq - 1, str(user_id)))
            yield bool(rows)


class _ReadSnapshot(PostgresTransaction):
    """A Piccolo transaction opened as ``BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY``:
    one round trip instead of a BEGIN then a SET TRANSACTION."""

    async def begin(self) -> None:
        if self._parent is not None:
            raise RuntimeError("a read snapshot cannot nest in another transaction")
        self.transaction = self.connection.transaction(isolation="repeatable_read",
                                                       readonly=True)
        await self.transaction.start()


@asynccontextmanager
async def read_transaction() -> AsyncIterator[Any]:
    """A read-only snapshot: REPEATABLE READ on PostgreSQL, a WAL read transaction on SQLite."""
    db = engine()
    if isinstance(db, PostgresEngine):
        if db.current_transaction.get() is not None:
            raise RuntimeError("a read snapshot cannot nest in another transaction")
        async with _ReadSnapshot(engine=db) as txn:
            yield txn
    else:
        async with db.transaction() as txn:
            yield txn


async def organisation_versions(organisation_ids: list[UUID]) -> dict[UUID, tuple[int, int]]:
    """organisation → (version, horizon); absent organisations are at (0, 0)."""
    if not organisation_ids:
        return {}
    rows = await OrganisationVersion.select().where(
        OrganisationVersion.organisation.is_in(organisation_ids)
    )
    found = {as_uuid(r["organisation"]): (int(r["version"]), int(r["horizon"])) for r in rows}
    return {org: found.get(org, (0, 0)) for org in organisation_ids}


async def pull_header(client_id: UUID, organisation_ids: list[UUID],
                      probes: Sequence[QueryString] = ()
                      ) -> tuple[str | None, tuple[UUID, int] | None,
                                 dict[UUID, tuple[int, int]], set[int]]:
    """What a pull reads first, in ONE statement: the epoch (None before the first pull), the
    client's (user, last_seq) (None for a new client), each organisation's (version,
    horizon) (absent organisations at (0, 0)) and which of ``probes`` (selects) find a row
    (their indexes): a pull asks there which entities changed since its cookie."""
    orgs = [uuid_param(o) for o in organisation_ids]
    org_branch = ""
    if orgs:
        org_branch = (" UNION ALL SELECT 'o', CAST(organisation AS TEXT), version, horizon "
                      "FROM organisation_version WHERE organisation IN ("
                      + ", ".join("{}" for _ in orgs) + ")")
    nothing = "CAST(NULL AS BIGINT)"
    probe_branches = "".join(  # indexes are ours (integers), the probes Piccolo queries
        f" UNION ALL SELECT 'p', '{index}', {nothing}, {nothing} WHERE EXISTS ({{}})"
        for index in range(len(probes)))
    rows = await SyncMeta.raw(
        f"SELECT 'e' AS k, value AS a, {nothing} AS b, {nothing} AS c FROM sync_meta "  # noqa: S608
        f"WHERE key = 'epoch' UNION ALL SELECT 'c', CAST(\"user\" AS TEXT), last_seq, {nothing} "
        "FROM sync_client WHERE id = {}" + org_branch + probe_branches,
        uuid_param(client_id), *orgs, *probes)
    epoch: str | None = None
    client: tuple[UUID, int] | None = None
    versions = dict.fromkeys(organisation_ids, (0, 0))
    found: set[int] = set()
    for row in rows:
        if row["k"] == "e":
            epoch = str(row["a"])
        elif row["k"] == "c":
            client = (UUID(row["a"]), int(row["b"]))
        elif row["k"] == "p":
            found.add(int(row["a"]))
        else:
            versions[UUID(row["a"])] = (int(row["b"]), int(row["c"]))
    return epoch, client, versions, found


async def current_epoch() -> str:
    """The server epoch (created on first use; change it after a restore: ``new_epoch``)."""
    row = await SyncMeta.select(SyncMeta.value).where(SyncMeta.key == "epoch").first()
    if row is not None:
        return str(row["value"])
    value = uuid.uuid4().hex
    await SyncMeta.insert(SyncMeta(key="epoch", value=value)).on_conflict(action="DO NOTHING")
    row = await SyncMeta.select(SyncMeta.value).where(SyncMeta.key == "epoch").first()
    return str(row["value"]) if row else value


async def new_epoch() -> str:
    """Start a new epoch (after restoring a backup): every client resets to a snapshot."""
    value = uuid.uuid4().hex
    await SyncMeta.delete().where(SyncMeta.key == "epoch")
    await SyncMeta.insert(SyncMeta(key="epoch", value=value))
    return value


def uuid_param(value: UUID) -> Any:
    """A UUID as a raw-SQL parameter (asyncpg wants UUID objects, SQLite text)."""
    return value if is_postgres() else str(value)
