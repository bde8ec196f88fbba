"""Piccolo's SQLite engine, made cheaper per statement for an embedded server.

Piccolo opens a new aiosqlite connection — a new thread — for every statement run outside a
transaction and for every transaction, and makes four hops to that thread per statement in a
transaction (PRAGMA foreign_keys again, execute, fetchall, close the cursor). Under load every
thread start and every hop is a thread switch; a sync pull or intent runs several statements.
Here connections are kept for reuse (a few idle ones) and each statement is one hop.
"""

from __future__ import annotations

import os
import sqlite3
from functools import partial
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, dict_factory

__all__ = ("KeptSQLiteEngine",)

IDLE_CONNECTIONS = 4


class _KeptConnection(aiosqlite.Connection):
    """An aiosqlite connection that goes back to its engine's idle list when closed.

    Piccolo closes a transaction's connection only after its COMMIT or ROLLBACK, and the
    engine's own statements outside transactions run in autocommit mode: a connection comes
    back without a transaction open. Its thread is a daemon, so an idle connection never keeps
    the process from exiting (SQLite recovers its WAL at the next open)."""

    def __init__(self, engine: KeptSQLiteEngine, connector: Any) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._thread.daemon = True
        self._engine = engine

    async def close(self) -> None:
        if self._engine.keep(self):
            return
        await super().close()

    async def discard(self) -> None:
        """Close for good (after an error or a cancellation mid-statement)."""
        await super().close()


class KeptSQLiteEngine(SQLiteEngine):
    """:class:`SQLiteEngine` with kept connections and one thread hop per statement.

    Expects ``isolation_level=None`` (autocommit outside explicit transactions)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._idle: list[_KeptConnection] = []
        self._pid = os.getpid()

    def keep(self, connection: _KeptConnection) -> bool:
        """Take ``connection`` back as idle (False: the list is full, close it)."""
        if os.getpid() != self._pid or len(self._idle) >= IDLE_CONNECTIONS:
            return False
        self._idle.append(connection)
        return True

    async def get_connection(self) -> aiosqlite.Connection:
        if os.getpid() != self._pid:  # a forked child: the threads stayed in the parent
            self._idle, self._pid = [], os.getpid()
        if self._idle:
            return self._idle.pop()
        kwargs = dict(self.connection_kwargs)
        connection = _KeptConnection(self, partial(sqlite3.connect, kwargs.pop("database"),
                                                   **kwargs))
        await connection  # starts its thread and connects
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute_fetchall("PRAGMA foreign_keys = 1")
        return connection

    async def _run_in_new_connection(  # type: ignore[no-untyped-def]
        self, query: str, args: list[Any] | None = None, query_type: str = "generic",
        table: Any = None,
    ):
        if query_type == "insert" and self.get_version_sync() < 3.35:  # no RETURNING
            return await super()._run_in_new_connection(query, args, query_type, table)
        connection = await self.get_connection()
        try:
            rows = await connection.execute_fetchall(query, args or [])
        except BaseException:
            await connection.discard()  # type: ignore[attr-defined]
            raise
        await connection.close()
        return rows

    async def _run_in_existing_connection(  # type: ignore[no-untyped-def]
        self, connection, query: str, args: list[Any] | None = None,
        query_type: str = "generic", table: Any = None,
    ):
        if query_type == "insert" and self.get_version_sync() < 3.35:  # no RETURNING
            return await super()._run_in_existing_connection(
                connection, query, args, query_type, table)
        return await connection.execute_fetchall(query, args or [])
