"""The database engine chosen by the settings: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from backend.settings import Settings
from backend.sqlite_engine import KeptSQLiteEngine

__all__ = ("make_engine", "prepare_engine")


def make_engine(settings: Settings) -> Engine:  # type: ignore[type-arg]
    """PostgreSQL when ``DATABASE_URL`` says so, else a SQLite file under the data directory."""
    if settings.uses_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    # timeout: writers wait for the lock instead of failing with "database is locked".
    return KeptSQLiteEngine(path=str(path), timeout=30, isolation_level=None)


async def prepare_engine(engine: Engine) -> None:  # type: ignore[type-arg]
    """Per-process start-up: WAL mode on SQLite, a connection pool on PostgreSQL."""
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")
        await engine.run_ddl("PRAGMA foreign_keys=ON")
    elif isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=2, max_size=20, reset=_keep_session)


async def _keep_session(connection: object) -> None:
    """Nothing to reset when a connection goes back to the pool.

    asyncpg's default reset sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`` on every release: one more round trip for each query run outside a
    transaction, about a third of all round trips. Nomade never leaves session state behind
    (no ``SET`` without ``LOCAL``, no session advisory locks, no ``LISTEN``, no cursors outside
    a transaction), and asyncpg still rolls back an open transaction before calling this.
    Code that needs session state must use its own connection, not the pool.
    """
