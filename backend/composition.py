"""The one place that lists each domain's routes, jobs and demo seeders.

The app, the worker and ``nomade seed-demo`` read it.
"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.accounts.controllers import AuthController, DevicesController, MeController
from backend.health import health, ready
from backend.metrics import metrics_endpoint
from backend.workflow_routes import WORKFLOW_SYNC_MODULES, workflow_route_handlers
from notifications.controllers import InboxController, PushController, vapid_public_key
from sync.controllers import sync_route_handlers

__all__ = ("JOB_MODULES", "PERIODIC_JOBS", "SEEDERS", "SYNC_MODULES", "route_handlers")

# Modules that declare jobs with backend.jobs.job; imported by the app and by `nomade worker`.
JOB_MODULES: tuple[str, ...] = ("sync.jobs", "notifications.jobs", "backend.expenses.ocr_flow",
                                "backend.accounts.jobs")

# Housekeeping jobs enqueued on a clock by every app process (once per period, by key).
PERIODIC_JOBS: tuple[tuple[str, float], ...] = (
    ("sync.collect_blobs", 3600.0),
    ("sync.purge_tombstones", 6 * 3600.0),
    ("accounts.forget_attempts", 3600.0),
)

# Modules that register sync intents and synced entities (``sync.mutation``/``synced_entity``).
SYNC_MODULES: tuple[str, ...] = ("backend.expenses.mutations", *WORKFLOW_SYNC_MODULES)

# Modules with `async def seed(ctx: backend.seed.SeedContext) -> None`, run in this order by
# `nomade seed-demo` after the demo organisation and its people exist. Each must be idempotent.
SEEDERS: tuple[str, ...] = ("backend.workflows_demo",)


def route_handlers() -> list[ControllerRouterHandler]:
    """Every route of Nomade, domain by domain."""
    return [
        health,
        ready,
        metrics_endpoint,
        AuthController,
        MeController,
        DevicesController,
        *sync_route_handlers(SYNC_MODULES),
        *workflow_route_handlers(),
        vapid_public_key,
        PushController,
        InboxController,
    ]
