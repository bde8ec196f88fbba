"""The workflows' routes and the modules registering their intents (composition.py reads both)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.audit.controllers import AuditController
from backend.claims.controllers import ClaimController
from backend.documents.controllers import DocumentController
from backend.expenses.controllers import ExpenseLineController
from backend.flow_routes import check_expense_line, integration_events, service_done_proposal
from backend.invoices.controllers import InvoiceController
from backend.missions.controllers import DeadlineRulesController, MissionController
from backend.orders.controllers import OrderController
from backend.policy.controllers import RuleSetController

__all__ = ("WORKFLOW_SYNC_MODULES", "workflow_route_handlers")

# Modules that register the workflows' sync intents, synced entities and audited documents.
WORKFLOW_SYNC_MODULES: tuple[str, ...] = (
    "backend.missions.mutations",
    "backend.invoices.mutations",
    "backend.orders.mutations",
    "backend.flow_intents",
    "backend.claims.mutations",
    "backend.comments.mutations",
)


def workflow_route_handlers() -> list[ControllerRouterHandler]:
    """Every route of the business workflows."""
    return [
        MissionController, ClaimController, check_expense_line, OrderController,
        service_done_proposal, InvoiceController, AuditController, integration_events,
        ExpenseLineController, DocumentController, RuleSetController, DeadlineRulesController,
    ]
