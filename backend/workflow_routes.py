"""The workflows' routes and the modules registering their intents (composition.py reads both)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.audit.controllers import AuditController
from backend.missions.controllers import MissionController

__all__ = ("WORKFLOW_SYNC_MODULES", "workflow_route_handlers")

# Modules that register the workflows' sync intents, synced entities and audited documents.
WORKFLOW_SYNC_MODULES: tuple[str, ...] = (
    "backend.missions.mutations",
)


def workflow_route_handlers() -> list[ControllerRouterHandler]:
    """Every route of the business workflows."""
    return [MissionController, AuditController]
