"""The one place that lists each domain's routes and jobs (the app and the worker read it)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.health import health, ready
from backend.metrics import metrics_endpoint
from sync.controllers import sync_route_handlers

__all__ = ("JOB_MODULES", "SYNC_MODULES", "route_handlers")

# Modules that declare jobs with backend.jobs.job; imported by the app and by `nomade worker`.
JOB_MODULES: tuple[str, ...] = ("sync.jobs",)

# Modules that register sync intents and synced entities (``sync.mutation``/``synced_entity``).
SYNC_MODULES: tuple[str, ...] = ("backend.expenses.mutations",)


def route_handlers() -> list[ControllerRouterHandler]:
    """Every route of Nomade, domain by domain."""
    return [
        health,
        ready,
        metrics_endpoint,
        *sync_route_handlers(SYNC_MODULES),
    ]
