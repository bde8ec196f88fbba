"""The database engine chosen by the settings: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from piccolo.engine import engine_finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from kernel.settings import Settings
from kernel.sqlite_engine import KeptSQLiteEngine

__all__ = ("current_engine", "is_postgres", "is_transient_database_error", "is_unique_violation",
           "make_engine", "prepare_engine", "write_transaction")


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


_engine: Engine | None = None  # type: ignore[type-arg]


def current_engine() -> Engine:  # type: ignore[type-arg]
    """The configured Piccolo engine (``piccolo_conf.DB``, the one every table uses), found
    once (Piccolo's ``engine_finder`` costs ~30 µs a call: a few per intent)."""
    global _engine
    if _engine is None:
        _engine = engine_finder()
        if _engine is None:
            raise RuntimeError("no Piccolo engine configured (piccolo_conf.py)")
    return _engine


def is_postgres() -> bool:
    """Whether the engine is PostgreSQL (row locks) rather than SQLite (one writer)."""
    return isinstance(current_engine(), PostgresEngine)


@asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """A write transaction: IMMEDIATE on SQLite so that writers queue instead of failing.

    Writers use :class:`kernel.unit_of_work.UnitOfWork`, which opens one of these.
    """
    db = current_engine()
    if isinstance(db, PostgresEngine):
        async with db.transaction() as txn:
            yield txn
    else:
        async with db.transaction(transaction_type=TransactionType.immediate) as txn:
            yield txn


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


def is_unique_violation(exc: BaseException, table: str | None = None) -> bool:
    """Whether ``exc`` is a unique-key violation (on ``table`` when given), on either engine."""
    name = type(exc).__name__
    if name == "UniqueViolationError":  # asyncpg
        return table is None or getattr(exc, "table_name", None) == table
    if name == "IntegrityError":  # sqlite3: "UNIQUE constraint failed: <table>.<column>"
        text = str(exc)
        return "UNIQUE constraint failed" in text and (table is None or f" {table}." in text)
    return False
