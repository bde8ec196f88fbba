"""Liveness and readiness probes (public)."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Response, get
from piccolo.engine import engine_finder

from kernel import lifecycle
from kernel.settings import get_settings

__all__ = ("health", "ready")


class Health(msgspec.Struct, frozen=True):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


@get(
    "/health",
    operation_id="health",
    tags=["operations"],
    opt={"public": True},
    sync_to_thread=False,
)
def health() -> Health:
    """The process is alive."""
    return Health(status="ok")


async def _check_database() -> str:
    engine = engine_finder()
    if engine is None:
        return "missing"
    try:
        async with asyncio.timeout(2):
            await engine.run_ddl("SELECT 1")
    except Exception as exc:  # the probe reports, never raises
        return f"error: {type(exc).__name__}"
    return "ok"


async def _check_redis(url: str) -> str:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        async with asyncio.timeout(2):
            await client.ping()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    finally:
        await client.aclose()
    return "ok"


@get("/ready", operation_id="ready", tags=["operations"], opt={"public": True})
async def ready() -> Response[Health]:
    """The database (and Redis when configured) answer; 503 otherwise (and while stopping)."""
    if lifecycle.is_shutting_down():
        return Response(Health(status="stopping", checks={"process": "shutting down"}),
                        status_code=503, headers={"Retry-After": "1"})
    checks = {"database": await _check_database()}
    settings = get_settings()
    if settings.redis_url:
        checks["redis"] = await _check_redis(settings.redis_url)
    ok = all(value == "ok" for value in checks.values())
    return Response(
        Health(status="ok" if ok else "unavailable", checks=checks),
        status_code=200 if ok else 503,
        headers={} if ok else {"Retry-After": "5"},
    )
