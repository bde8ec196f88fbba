"""The routes where domains meet (workflows layer: they call :mod:`backend.flows`; no domain does).

* Integration API for the financial system: batches of invoice events, idempotent by event id.
  Authentication: header ``X-Api-Key`` (one key per organisation, see
  ``backend.invoices.integration_keys``). Each event is applied in its own transaction; a
  replayed ``event_id`` with the same body answers ``duplicate`` and changes nothing; with
  another body, ``EVENT_REUSED``.
* "Service fait assisté": service done prefilled from a purchase order's invoices.
* The policy check preview of an expense line as it is entered (nothing stored).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from uuid import UUID

from litestar import Request, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from backend import flows
from backend.invoices.integration_keys import organisation_for_key
from backend.invoices.schemas import IntegrationBatch, IntegrationResults
from backend.orders.schemas import ServiceDoneProposal
from backend.policy.schemas import LineCheckIn, LineCheckOut
from kernel.errors import DomainError
from kernel.guards import current_actor, signed_in
from kernel.unit_of_work import OutboxEntry, deliver

__all__ = ("check_expense_line", "integration_events", "service_done_proposal")

log = logging.getLogger("nomade.integration")


async def api_key(connection: ASGIConnection, _: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    """Guard: a valid organisation API key in ``X-Api-Key``."""
    organisation_id = await organisation_for_key(connection.headers.get("x-api-key", ""))
    if organisation_id is None:
        raise DomainError("API_KEY_INVALID")
    connection.state["integration_organisation"] = organisation_id


@post("/integration/v1/events", guards=[api_key], operation_id="postIntegrationEvents",
      tags=["integration"], status_code=200, security=[{"apiKey": []}],
      opt={"public": True},
      summary="Batch of invoice events from the financial system (idempotent by event_id)")
async def integration_events(request: Request, data: IntegrationBatch) -> IntegrationResults:  # type: ignore[type-arg]
    organisation_id: UUID = request.state["integration_organisation"]
    results = []
    effects: list[OutboxEntry] = []  # run once for the batch: one poke, one push delivery
    try:
        for event in data.events:
            results.append(await flows.process_integration_event(
                organisation_id, event, now=datetime.now(UTC), effects=effects))
    finally:
        await deliver(effects)
    return IntegrationResults(results=results)


@get("/api/v1/orders/{order_id:uuid}/service-done-proposal", guards=[signed_in],
     tags=["orders"], operation_id="getServiceDoneProposal",
     summary="Service done prefilled from the order's invoices (service fait assisté)")
async def service_done_proposal(request: Request, order_id: UUID) -> ServiceDoneProposal:  # type: ignore[type-arg]
    return await flows.service_done_proposal(current_actor(request), order_id)


@post("/api/v1/policy/check-line", guards=[signed_in], tags=["policy"],
      operation_id="checkExpenseLine", status_code=200,
      summary="Policy findings on an expense line as it is entered (nothing stored)")
async def check_expense_line(request: Request, data: LineCheckIn) -> LineCheckOut:  # type: ignore[type-arg]
    return await flows.preview_line(current_actor(request), data,
                                    today=datetime.now(UTC).date())
