"""The database engine chosen by the settings: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

import sqlite3

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from backend.settings import Settings
from backend.sqlite_engine import KeptSQLiteEngine

__all__ = ("is_transient_database_error", "make_engine", "prepare_engine")


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


# Errors (by class name, anywhere in the class hierarchy of the error or of what caused it) that
# mean "the database cannot serve this right now, the same request will succeed in a moment":
# the server answers 503 SERVICE_UNAVAILABLE + Retry-After (requests and sync pushes alike).
_TRANSIENT_DATABASE_ERRORS = frozenset({
    "ConnectionError",  # ConnectionRefusedError, ConnectionResetError, BrokenPipeError...
    "ConnectionDoesNotExistError",
    "CannotConnectNowError",
    "InterfaceError",
    "TooManyConnectionsError",
    "AdminShutdownError",
    "ConnectionFailureError",
    "PostgresConnectionError",
    # asyncpg on a connection whose server went away mid-operation ("cannot switch to
    # state ...; another operation is in progress"): seen during a PostgreSQL restart.
    "InternalClientError",
    # Lost a race with another transaction: running it again succeeds.
    "DeadlockDetectedError",
    "SerializationError",
    "LockNotAvailableError",
})
# SQLite reports a busy database and a broken query with the same class: only these are waits.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def is_transient_database_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) means the database cannot serve the request right
    now (down, restarting, saturated, or a lost lock race), as opposed to a bug."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for error in chain:
        if isinstance(error, sqlite3.OperationalError) and str(error).startswith(_SQLITE_BUSY):
            return True
        if any(cls.__name__ in _TRANSIENT_DATABASE_ERRORS for cls in type(error).__mro__):
            return True
    return False
