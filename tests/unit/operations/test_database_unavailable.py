"""Errors that mean "the database is down right now" become 503 + Retry-After, not 500: one
list, asked by the request error handler and by sync push alike."""

from __future__ import annotations

import sqlite3

import asyncpg

from kernel.db import is_transient_database_error as _is_database_unavailable


def _raised_from(cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        return outer


def test_connection_level_errors_are_unavailability() -> None:
    assert _is_database_unavailable(ConnectionRefusedError(111, "refused"))
    assert _is_database_unavailable(BrokenPipeError())
    assert _is_database_unavailable(asyncpg.exceptions.ConnectionDoesNotExistError("gone"))
    assert _is_database_unavailable(asyncpg.exceptions.InternalClientError(
        "cannot switch to state 11; another operation (2) is in progress"))
    assert _is_database_unavailable(asyncpg.exceptions.ClientCannotConnectError("no"))
    assert _is_database_unavailable(_raised_from(asyncpg.exceptions.AdminShutdownError("bye")))


def test_ordinary_bugs_stay_internal_errors() -> None:
    assert not _is_database_unavailable(ValueError("bug"))
    assert not _is_database_unavailable(_raised_from(KeyError("missing")))
    assert not _is_database_unavailable(asyncpg.exceptions.UniqueViolationError("dup"))


def test_lost_lock_races_are_transient_but_broken_queries_are_not() -> None:
    assert _is_database_unavailable(asyncpg.exceptions.DeadlockDetectedError("deadlock"))
    assert _is_database_unavailable(asyncpg.exceptions.SerializationError("retry"))
    assert _is_database_unavailable(_raised_from(sqlite3.OperationalError("database is locked")))
    assert not _is_database_unavailable(sqlite3.OperationalError("no such table: mission"))
