"""What Nomade relies on inside its libraries, asserted so that an upgrade fails here, loudly,
before it fails in production.

Each override is pinned to a minor version in pyproject.toml; bumping a pin means re-reading the
library's code behind every name below and updating both:

* ``kernel/sqlite_engine.py``: Piccolo's ``SQLiteEngine`` statement hooks,
  ``connection_kwargs``, ``dict_factory``; aiosqlite's ``Connection(connector,
  iter_chunk_size)`` and its ``_thread``;
* ``sync/storage.py``: Piccolo's ``PostgresTransaction`` (``begin``/``commit``/``rollback``,
  ``_committed``, ``_rolled_back``, ``_parent``, ``transaction``) and
  ``PostgresEngine.current_transaction``;
* ``kernel/db.py``: asyncpg's pool ``reset`` callback, through Piccolo's
  ``start_connection_pool``;
* ``kernel/job_sweep.py``: SAQ's ``RedisQueue.sweep(lock, abort)``, its keys ``_sweep``,
  ``_active``, ``_incomplete``, ``Job.stuck``/``retryable``, ``retry``/``finish``;
* ``kernel/live.py``: Litestar's ``RedisChannelsStreamBackend`` (``_redis``, ``_make_key``,
  ``_get_subscribed_channels``, ``_stream_sleep_no_subscriptions``, ``publish``,
  ``stream_events``).
"""

from __future__ import annotations

import inspect
import sqlite3
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
import pytest
from litestar.channels.backends.redis import RedisChannelsStreamBackend
from piccolo.engine import postgres as piccolo_postgres
from piccolo.engine import sqlite as piccolo_sqlite
from saq.job import Job, Status
from saq.queue.redis import RedisQueue

from kernel.sqlite_engine import KeptSQLiteEngine

PINNED = {"piccolo": "1.38.", "aiosqlite": "0.22.", "asyncpg": "0.32.", "saq": "0.26.",
          "litestar": "2.25."}


def _params(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def _source(obj: Any) -> str:
    return inspect.getsource(obj)


@pytest.mark.parametrize(("package", "minor"), sorted(PINNED.items()))
def test_the_installed_versions_are_the_ones_the_overrides_were_written_for(
    package: str, minor: str
) -> None:
    assert version(package).startswith(minor), (
        f"{package} {version(package)}: re-check the overrides listed in this module first")


def test_piccolo_sqlite_engine_hooks() -> None:
    engine = piccolo_sqlite.SQLiteEngine
    assert _params(engine._run_in_new_connection) == [
        "self", "query", "args", "query_type", "table"]
    assert _params(engine._run_in_existing_connection) == [
        "self", "connection", "query", "args", "query_type", "table"]
    assert _params(engine.get_connection) == ["self"]
    assert callable(engine.get_version_sync)
    assert "self.connection_kwargs" in _source(engine.__init__)
    assert callable(piccolo_sqlite.dict_factory)
    assert piccolo_sqlite.TransactionType.immediate.value == "IMMEDIATE"
    # transactions take their connection from the engine and close it when done
    transaction = _source(piccolo_sqlite.SQLiteTransaction)
    assert "get_connection()" in transaction and ".close()" in transaction


def test_aiosqlite_connection_internals() -> None:
    assert _params(aiosqlite.Connection.__init__)[:3] == ["self", "connector", "iter_chunk_size"]
    assert "self._thread" in _source(aiosqlite.Connection.__init__)
    assert callable(aiosqlite.Connection.execute_fetchall)


async def test_kept_sqlite_engine_reuses_one_connection_in_and_out_of_transactions(
    tmp_path: Path
) -> None:
    engine = KeptSQLiteEngine(path=str(tmp_path / "contract.sqlite3"), isolation_level=None)
    try:
        await engine._run_in_new_connection("CREATE TABLE t (x INTEGER)")
        [kept] = engine._idle
        assert await engine._run_in_new_connection("SELECT 1 AS one") == [{"one": 1}]
        assert engine._idle == [kept]  # the same connection went back, no new thread
        async with engine.transaction() as txn:
            await txn.connection.execute_fetchall("INSERT INTO t VALUES (1)")
            assert engine._idle == []
        assert engine._idle == [kept]  # Piccolo's transaction closed it: kept again
        assert await engine._run_in_new_connection("SELECT x FROM t") == [{"x": 1}]
    finally:
        for connection in engine._idle:
            await connection.discard()  # type: ignore[attr-defined]


def test_piccolo_postgres_transaction_internals() -> None:
    transaction = piccolo_postgres.PostgresTransaction
    assert _params(transaction.__init__) == ["self", "engine", "allow_nested"]
    for name in ("begin", "commit", "rollback", "__aenter__", "__aexit__"):
        assert callable(getattr(transaction, name)), name
    source = _source(transaction)
    for name in ("self._committed", "self._rolled_back", "self._parent", "self.transaction",
                 "self.connection"):
        assert name in source, name
    assert "current_transaction" in _source(piccolo_postgres.PostgresEngine.__init__)


def test_asyncpg_pool_reset_reaches_asyncpg() -> None:
    assert "reset" in inspect.signature(asyncpg.create_pool).parameters
    start = _source(piccolo_postgres.PostgresEngine.start_connection_pool)
    assert "**kwargs" in start and "create_pool" in start


def test_saq_sweep_internals() -> None:
    assert _params(RedisQueue.sweep) == ["self", "lock", "abort"]
    queue = _source(RedisQueue)
    for name in ("self._sweep", "self._active", "self._incomplete", "swept_error_message"):
        assert name in queue, name
    for name in ("retry", "finish", "deserialize", "namespace"):
        assert callable(getattr(RedisQueue, name)), name
    assert isinstance(Job.stuck, property) and isinstance(Job.retryable, property)
    assert {Status.ACTIVE, Status.ABORTING, Status.ABORTED} <= set(Status)


def test_litestar_redis_stream_backend_internals() -> None:
    backend = RedisChannelsStreamBackend
    assert {"history", "redis", "stream_sleep_no_subscriptions", "cap_streams_approximate",
            "stream_ttl"} <= set(_params(backend.__init__))
    for name in ("_make_key", "_get_subscribed_channels", "publish", "stream_events"):
        assert callable(getattr(backend, name)), name
    assert _params(backend.publish) == ["self", "data", "channels"]
    source = _source(backend)
    assert "self._redis" in source and "self._stream_sleep_no_subscriptions" in source


def test_sqlite_busy_error_is_what_the_transient_error_list_expects(tmp_path: Path) -> None:
    """kernel.db.is_transient_database_error recognises SQLite's busy error by its text."""
    from kernel.db import is_transient_database_error

    path = str(tmp_path / "busy.sqlite3")
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        holder.execute("CREATE TABLE t (x INTEGER)")
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError) as busy:
            other.execute("INSERT INTO t VALUES (1)")
        assert is_transient_database_error(busy.value), str(busy.value)
        holder.execute("ROLLBACK")
    finally:
        holder.close()
        other.close()
