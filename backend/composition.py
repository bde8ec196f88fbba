"""The one place that lists each domain's routes and jobs (the app and the worker read it)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.health import health, ready
from backend.metrics import metrics_endpoint

__all__ = ("JOB_MODULES", "route_handlers")

# Modules that declare jobs with backend.jobs.job; imported by the app and by `nomade worker`.
JOB_MODULES: tuple[str, ...] = ()


def route_handlers() -> list[ControllerRouterHandler]:
    """Every route of Nomade, domain by domain."""
    return [
        health,
        ready,
        metrics_endpoint,
    ]
