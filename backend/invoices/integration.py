"""Integration API for the financial system: batches of invoice events, idempotent by event id.

Authentication: header ``X-Api-Key`` (one key per organisation, see ``integration_keys``).
Each event is applied in its own transaction; a replayed ``event_id`` with the same body
answers ``duplicate`` and changes nothing; with another body, ``EVENT_REUSED``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from uuid import UUID

from litestar import Request, post
from litestar.channels import ChannelsPlugin
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from backend import flows
from backend.errors import DomainError
from backend.invoices.integration_keys import organisation_for_key
from backend.invoices.schemas import IntegrationBatch, IntegrationResults
from sync.live import make_poke

__all__ = ("integration_events",)

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
    versions: list[int] = []
    for event in data.events:
        result, version = await flows.process_integration_event(
            organisation_id, event, now=datetime.now(UTC))
        results.append(result)
        if version is not None:
            versions.append(version)
    if versions:
        try:
            poke = make_poke(request.app.plugins.get(ChannelsPlugin))
            await poke(organisation_id, max(versions))
        except Exception:
            log.warning("poke after integration events failed", exc_info=True)
    return IntegrationResults(results=results)
