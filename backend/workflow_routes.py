"""The workflows' routes and the modules registering their intents (composition.py reads both)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.audit.controllers import AuditController
from backend.claims.controllers import ClaimController, PolicyController
from backend.documents.controllers import DocumentController
from backend.expenses.controllers import ExpenseLineController
from backend.invoices.controllers import InvoiceController
from backend.invoices.integration import integration_events
from backend.missions.controllers import MissionController
from backend.orders.controllers import OrderController
from backend.policy.controllers import RuleSetController

__all__ = ("WORKFLOW_SYNC_MODULES", "workflow_route_handlers")

# Modules that register the workflows' sync intents, synced entities and audited documents.
WORKFLOW_SYNC_MODULES: tuple[str, ...] = (
    "backend.missions.mutations",
    "backend.invoices.mutations",
    "backend.orders.mutations",
    "backend.claims.mutations",
)


def workflow_route_handlers() -> list[ControllerRouterHandler]:
    """Every route of the business workflows."""
    return [
        MissionController, ClaimController, PolicyController, OrderController,
        InvoiceController, AuditController, integration_events, ExpenseLineController,
        DocumentController, RuleSetController,
    ]
