"""The one place that lists each domain's routes, jobs and demo seeders.

The app, the worker, ``nomade seed-demo`` and ``nomade contract`` read it, and each builds the
registries (synced entities, intents, organisation scopes, audited documents, jobs, blob hooks)
through the same :func:`bootstrap`. Importing a module registers nothing: its decorators only
leave declarations in it (``kernel.declarations``), which :func:`build_registries` collects
from the modules listed here. The start-up order is in docs/operations.md ("Start-up").
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from litestar.types import ControllerRouterHandler

from backend.accounts import directory
from backend.accounts.controllers import AuthController, DevicesController, MeController
from backend.accounts.device_check import on_device_revoked
from backend.administration.controllers import (
    AdminController,
    OnboardingController,
    SupplierAdminController,
)
from backend.audit.services import (
    VisibleCheck,
    build_documents,
    install_documents,
    installed_documents,
)
from backend.claims import services as claims
from backend.expenses.claim_rules import ClaimRules, install_claim_rules
from backend.workflow_routes import WORKFLOW_SYNC_MODULES, workflow_route_handlers
from kernel.declarations import DECLARATIONS, collect
from kernel.health import health, ready
from kernel.jobs import JobSpec, build_jobs, install_jobs, registered_jobs
from kernel.metrics import metrics_endpoint
from notifications.controllers import InboxController, PushController, vapid_public_key
from notifications.people import install_people
from notifications.services import forget_device_subscriptions
from sync import registry
from sync.blob_hooks import BlobHooks, install_hooks, installed_hooks
from sync.controllers import sync_route_handlers
from sync.registry import SyncRegistry

__all__ = ("HOOK_MODULES", "JOB_MODULES", "PERIODIC_JOBS", "SEEDERS", "SYNC_MODULES",
           "Registries", "bootstrap", "build_registries", "connect_ports", "registering_modules",
           "route_handlers")

# Modules that declare jobs with kernel.jobs.job; imported by the app and by `nomade worker`.
JOB_MODULES: tuple[str, ...] = ("sync.jobs", "notifications.jobs", "backend.expenses.ocr_flow",
                                "backend.accounts.jobs", "backend.missions.deadlines",
                                "backend.claims.deadlines")

# Housekeeping jobs enqueued on a clock by every app process (once per period, by key).
PERIODIC_JOBS: tuple[tuple[str, float], ...] = (
    ("sync.collect_blobs", 3600.0),
    ("sync.purge_tombstones", 6 * 3600.0),
    ("accounts.forget_attempts", 3600.0),
    # Reminders before a decision's deadline and escalation after it (hour-grained rules).
    ("missions.approval_deadlines", 300.0),
    ("claims.approval_deadlines", 300.0),
)

# Modules that register sync intents and synced entities (``sync.mutation``/``synced_entity``).
SYNC_MODULES: tuple[str, ...] = ("backend.expenses.mutations", "backend.expenses.vehicles",
                                 *WORKFLOW_SYNC_MODULES)

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
        SupplierAdminController,
        *sync_route_handlers(),
        *workflow_route_handlers(),
        vapid_public_key,
        PushController,
        InboxController,
    ]


@dataclass(frozen=True)
class Registries:
    """Every registry one process serves; what a worker and an app must share."""

    sync: SyncRegistry = field(default_factory=SyncRegistry)
    jobs: Mapping[str, JobSpec] = field(default_factory=dict)
    documents: Mapping[str, VisibleCheck] = field(default_factory=dict)
    blob_hooks: BlobHooks = field(default_factory=BlobHooks)

    @classmethod
    def build(cls, declarations: list[object]) -> Registries:
        """Fresh registries holding these declarations (a name declared twice is refused)."""
        return cls(SyncRegistry.build(declarations), build_jobs(declarations),
                   build_documents(declarations), BlobHooks.build(declarations))

    @classmethod
    def installed(cls) -> Registries:
        """The registries this process serves now (empty before :func:`bootstrap`)."""
        return cls(registry.installed(), registered_jobs(), installed_documents(),
                   installed_hooks())

    def install(self) -> None:
        """Make these the registries of this process (start-up, once)."""
        registry.install(self.sync)
        install_jobs(self.jobs)
        install_documents(self.documents)
        install_hooks(self.blob_hooks)

    def names(self) -> dict[str, tuple[str, ...]]:
        """What each registry holds, by name, sorted (to compare two processes)."""
        return {
            "entities": tuple(sorted(self.sync.entities)),
            "intents": tuple(sorted(self.sync.mutations)),
            "organisation_scopes": tuple(sorted(f"{fn.__module__}.{fn.__qualname__}"
                                                for fn in self.sync.scopes)),
            "documents": tuple(sorted(self.documents)),
            "jobs": tuple(sorted(self.jobs)),
            "blob_hooks": tuple(sorted(self.blob_hooks.names())),
        }


def registering_modules() -> tuple[str, ...]:
    """Every module that declares something a registry holds: intents, synced entities, audited
    documents and organisation scopes (SYNC_MODULES), jobs (JOB_MODULES), blob hooks
    (HOOK_MODULES). Read when called: a test may add a job module of its own."""
    return (*SYNC_MODULES, *JOB_MODULES, *HOOK_MODULES)


_PACKAGES = ("kernel.", "backend.", "sync.", "notifications.", "ocr.")


def build_registries(modules: tuple[str, ...] | None = None) -> Registries:
    """Fresh registries from the declarations of ``modules`` (default: :func:`registering_modules`),
    imported if need be; installs nothing. A Nomade module already imported that declares
    something but is not listed is refused: its intents or jobs would be missing silently."""
    listed = registering_modules() if modules is None else modules
    built = Registries.build(collect(listed))
    unlisted = sorted(name for name, module in list(sys.modules.items())
                      if name.startswith(_PACKAGES) and name not in listed
                      and getattr(module, DECLARATIONS, None))
    if unlisted:
        raise RuntimeError(f"{', '.join(unlisted)} declare(s) intents, entities, jobs or hooks "
                           "but backend.composition does not list them")
    return built


def bootstrap() -> Registries:
    """Build every registry from the listed modules and install it, the same in every process:
    ``create_app()``, ``nomade worker``, ``nomade seed-demo`` and ``nomade contract`` call this
    first (calling it again rebuilds the same registries). A worker that loaded jobs only failed
    its OCR jobs on the synced entity they update (``KeyError: 'expense_line'``)."""
    registries = build_registries()
    registries.install()
    connect_ports()
    return registries


def connect_ports() -> None:
    """What a lower package asks of a higher one, connected here rather than imported (no
    cycle between packages): who a notification reaches and in which language, a device's
    push subscriptions dropped when it signs out (sync and notifications import the platform
    only), and the claims domain's rules on the lines of a claim (claims reads lines)."""
    install_people(directory.active_languages)
    on_device_revoked("notifications", forget_device_subscriptions)
    install_claim_rules(ClaimRules(
        lines_editable=claims.lines_editable, check_line_may_join=claims.check_line_may_join,
        mission_of=claims.mission_of, is_visible=claims.is_visible))
