"""The database engine chosen by the settings: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from backend.settings import Settings

__all__ = ("make_engine", "prepare_engine")


def make_engine(settings: Settings) -> Engine:  # type: ignore[type-arg]
    """PostgreSQL when ``DATABASE_URL`` says so, else a SQLite file under the data directory."""
    if settings.uses_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    # timeout: writers wait for the lock instead of failing with "database is locked".
    return _SQLiteEngine(path=str(path), timeout=30, isolation_level=None)


class _SQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, with ONE hop to the connection's thread per statement run in a
    transaction where Piccolo makes four (PRAGMA foreign_keys again — the transaction's
    connection already has it —, execute, fetchall, close the cursor). Under load each hop
    costs a thread switch; a sync intent or pull runs several statements."""

    async def _run_in_existing_connection(  # type: ignore[no-untyped-def]
        self, connection, query: str, args: list[Any] | None = None,
        query_type: str = "generic", table: Any = None,
    ):
        if query_type == "insert" and self.get_version_sync() < 3.35:  # no RETURNING: Piccolo's
            return await super()._run_in_existing_connection(
                connection, query, args, query_type, table)
        return await connection.execute_fetchall(query, args or [])


async def prepare_engine(engine: Engine) -> None:  # type: ignore[type-arg]
    """Per-process start-up: WAL mode on SQLite, a connection pool on PostgreSQL."""
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")
        await engine.run_ddl("PRAGMA foreign_keys=ON")
    elif isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=2, max_size=20, reset=_keep_session)


async def _keep_session(connection: Any) -> None:
    """What a released pool connection needs besides asyncpg's own rollback of an open
    transaction: nothing. Nomade keeps no session state (no SET, LISTEN, advisory locks or
    cursors), so asyncpg's default reset query — one more round trip on every release, i.e.
    on every statement run outside a transaction and every transaction — is skipped."""
