"""Test set-up: the environment is fixed before any Nomade import (settings are read once).

``NOMADE_TEST_DB=sqlite`` (default) runs on a fresh SQLite file; ``NOMADE_TEST_DB=postgres``
creates a fresh PostgreSQL database on 127.0.0.1:5432. ``NOMADE_TEST_REDIS=1`` adds Redis
(channels on Redis Streams, SAQ queue). Under ``CI=true`` a missing service fails the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_DB = os.environ.get("NOMADE_TEST_DB", "sqlite")
TEST_REDIS = os.environ.get("NOMADE_TEST_REDIS", "0") == "1"
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_DSN = os.environ.get(
    "NOMADE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# A Redis database of its own per test session (1-15, by pid), so parallel runs do not collide.
REDIS_TEST_URL = os.environ.get(
    "NOMADE_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{1 + os.getpid() % 15}"
)


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


_data_dir = Path(tempfile.mkdtemp(prefix="nomade-test-"))
_pg_name = f"nomade_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _create_pg_database() -> str:
    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(f'CREATE DATABASE "{_pg_name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{_pg_name}"


def _drop_pg_database() -> None:
    import asyncpg

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{_pg_name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def _configure_environment() -> None:
    os.environ["NOMADE_ENV"] = "test"
    os.environ["NOMADE_SECRET_KEY"] = "test-secret-" + "x" * 40
    os.environ["NOMADE_DATA_DIR"] = str(_data_dir)
    os.environ["NOMADE_LOG_JSON"] = "false"
    os.environ["NOMADE_LOG_LEVEL"] = "WARNING"
    os.environ["NOMADE_PWA_DIST"] = str(ROOT / "pwa" / "dist")
    os.environ.setdefault("NOMADE_INTEGRATION_API_KEYS", "")
    # The local push service (tests/pushservice.py) listens on a loopback port: allowed through
    # the settings an operator would use, not through a test-only bypass.
    os.environ["NOMADE_PUSH_ALLOWED_HOSTS"] = "127.0.0.1:*"
    os.environ["NOMADE_PUSH_ALLOWED_NETWORKS"] = "127.0.0.1/32"
    # Metrics as production keeps them: prometheus_client's multiprocess files, in the session's
    # own directory (before prometheus_client is imported: it picks its mode at import).
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_data_dir / "metrics")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    if TEST_DB == "postgres":
        if not _reachable(5432):
            message = "PostgreSQL is not reachable on 127.0.0.1:5432"
            if IN_CI:
                raise RuntimeError(message + " (CI=true: tests that need it must run)")
            pytest.exit(message, returncode=3)
        os.environ["DATABASE_URL"] = _create_pg_database()
    if TEST_REDIS:
        if not _reachable(6379):
            message = "Redis is not reachable on 127.0.0.1:6379"
            if IN_CI:
                raise RuntimeError(message + " (CI=true: tests that need it must run)")
            pytest.exit(message, returncode=3)
        os.environ["REDIS_URL"] = REDIS_TEST_URL


_configure_environment()


def pytest_report_header() -> str:
    redis = "yes" if TEST_REDIS else "no (memory)"
    return f"nomade: database={TEST_DB} redis={redis} data={_data_dir}"


def pytest_sessionfinish() -> None:
    if TEST_DB == "postgres":
        with contextlib.suppress(Exception):  # best effort clean-up
            _drop_pg_database()
    shutil.rmtree(_data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The test session's data directory (SQLite file, blobs, VAPID keys)."""
    return _data_dir


@pytest.fixture(scope="session", autouse=True)
async def migrated() -> AsyncIterator[None]:
    """The test database, migrated once per session."""
    from backend.migrate import migrate

    await migrate()
    if TEST_REDIS:
        from redis.asyncio import Redis

        client = Redis.from_url(REDIS_TEST_URL)
        await client.flushdb()
        await client.aclose()
    yield


@pytest.fixture(scope="session", autouse=True)
def registries() -> object:
    """The registries every Nomade process builds at start-up (``composition.bootstrap``):
    importing a module registers nothing, so the test process bootstraps like the app."""
    from backend.composition import bootstrap

    return bootstrap()


@pytest.fixture(scope="session")
def app():  # type: ignore[no-untyped-def]
    """The real application, as ``create_app()`` builds it."""
    from backend.app import create_app
    from kernel.settings import reset_settings

    reset_settings()
    return create_app()


@pytest.fixture(scope="session")
async def client(app, migrated) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    """An HTTP client talking to the app on the tests' own event loop (lifespan run once).

    The app runs on the same loop as the test code, so tests may also use the database and
    the job queue directly (a pool is bound to one loop).
    """
    import httpx

    started, stopping = asyncio.Event(), asyncio.Event()

    async def run_lifespan() -> None:  # entered and exited in one task, as anyio requires
        async with app.lifespan():
            started.set()
            await stopping.wait()

    lifespan = asyncio.create_task(run_lifespan())
    await started.wait()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://127.0.0.1:8000"
    ) as test_client:
        yield test_client
    stopping.set()
    await lifespan


@pytest.fixture
def unique() -> Iterator[str]:
    """A short unique suffix so tests never collide in the shared database."""
    yield uuid.uuid4().hex[:8]


@pytest.fixture(autouse=True)
def _process_not_shutting_down() -> Iterator[None]:
    """A test that ends an extra app's lifespan (a simulated server restart) marks the process
    as shutting down; the next test starts from a running process again."""
    yield
    from kernel import lifecycle

    lifecycle.reset()
