"""The one place that lists each domain's routes, jobs and demo seeders.

The app, the worker and ``nomade seed-demo`` read it, and each builds the registries (synced
entities, intents, audited documents, jobs, blob hooks) through the same :func:`bootstrap`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from litestar.types import ControllerRouterHandler

from backend import jobs
from backend.accounts.controllers import AuthController, DevicesController, MeController
from backend.administration.controllers import AdminController, OnboardingController
from backend.audit.services import registered_documents
from backend.health import health, ready
from backend.metrics import metrics_endpoint
from backend.workflow_routes import WORKFLOW_SYNC_MODULES, workflow_route_handlers
from notifications.controllers import InboxController, PushController, vapid_public_key
from sync.blob_hooks import registered_hooks
from sync.controllers import sync_route_handlers
from sync.registry import entities, mutations

__all__ = ("HOOK_MODULES", "JOB_MODULES", "PERIODIC_JOBS", "SEEDERS", "SYNC_MODULES",
           "Registries", "bootstrap", "registering_modules", "route_handlers")

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

# Modules that register blob hooks only (receipt thumbnails removed with their blob); the OCR
# reading on upload is registered by a job module.
HOOK_MODULES: tuple[str, ...] = ("backend.expenses.receipt_images",)

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
        AdminController,
        OnboardingController,
        *sync_route_handlers(),
        *workflow_route_handlers(),
        vapid_public_key,
        PushController,
        InboxController,
    ]


@dataclass(frozen=True)
class Registries:
    """The names each registry holds in this process (what a worker and an app must share)."""

    entities: tuple[str, ...]
    intents: tuple[str, ...]
    documents: tuple[str, ...]
    jobs: tuple[str, ...]
    blob_hooks: tuple[str, ...]

    @classmethod
    def current(cls) -> Registries:
        """What the registries hold now, each sorted."""
        return cls(
            entities=tuple(sorted(entities())),
            intents=tuple(sorted(mutations())),
            documents=tuple(sorted(registered_documents())),
            jobs=tuple(sorted(jobs.registered_jobs())),
            blob_hooks=tuple(sorted(registered_hooks())),
        )


def registering_modules() -> tuple[str, ...]:
    """Every module that declares something a registry holds: intents, synced entities, audited
    documents and organisation scopes (SYNC_MODULES), jobs (JOB_MODULES), blob hooks
    (HOOK_MODULES). Read when called: a test may add a job module of its own."""
    return (*SYNC_MODULES, *JOB_MODULES, *HOOK_MODULES)


def bootstrap() -> Registries:
    """Build every registry, the same in every process: ``create_app()``, ``nomade worker`` and
    ``nomade seed-demo`` call this first (idempotent). A worker that loaded jobs only failed
    its OCR jobs on the synced entity they update (``KeyError: 'expense_line'``)."""
    for module in registering_modules():
        importlib.import_module(module)
    return Registries.current()
