"""The one place that lists each domain's routes, jobs and demo seeders.

The app, the worker and ``nomade seed-demo`` read it.
"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.accounts.controllers import AuthController, DevicesController, MeController
from backend.health import health, ready

__all__ = ("JOB_MODULES", "SEEDERS", "route_handlers")

# Modules that declare jobs with backend.jobs.job; imported by the app and by `nomade worker`.
JOB_MODULES: tuple[str, ...] = ()

# Modules with `async def seed(ctx: backend.seed.SeedContext) -> None`, run in this order by
# `nomade seed-demo` after the demo organisation and its people exist. Each must be idempotent.
SEEDERS: tuple[str, ...] = ()


def route_handlers() -> list[ControllerRouterHandler]:
    """Every route of Nomade, domain by domain."""
    return [
        health,
        ready,
        AuthController,
        MeController,
        DevicesController,
    ]
