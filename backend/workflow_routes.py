"""The workflows' routes and intents, as composition.py lists them.

Importing this module registers every workflow intent and synced entity with the sync registry.
"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

import backend.missions.mutations  # noqa: F401 - registers intents and synced entities
from backend.audit.controllers import AuditController
from backend.missions.controllers import MissionController

__all__ = ("workflow_route_handlers",)


def workflow_route_handlers() -> list[ControllerRouterHandler]:
    """Every route of the business workflows."""
    return [MissionController, AuditController]
