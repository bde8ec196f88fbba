"""Read API of mission orders (writes go through sync intents)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from backend.accounts.guards import current_actor, signed_in
from backend.missions import services
from backend.missions.rules import MissionState
from backend.missions.schemas import MissionOut, MissionPage
from backend.paging import Limit, Offset

__all__ = ("MissionController",)



class MissionController(Controller):
    path = "/api/v1/missions"
    guards = [signed_in]  # noqa: RUF012 - Litestar's declaration style
    tags = ["missions"]  # noqa: RUF012

    @get("/", operation_id="listMissions", summary="Missions visible to the caller")
    async def list_missions(
        self,
        request: Request,  # type: ignore[type-arg]
        status: Annotated[MissionState | None, QueryParameter(name="state")] = None,
        agent_id: UUID | None = None,
        urgent: bool = False,
        starts_from: date | None = None,
        starts_until: date | None = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> MissionPage:
        return await services.list_missions(
            current_actor(request), state=status, agent_id=agent_id, urgent_only=urgent,
            starts_from=starts_from, starts_until=starts_until, offset=offset, limit=limit,
            now=datetime.now(UTC))

    @get("/{mission_id:uuid}", operation_id="getMission", summary="One mission")
    async def get_mission(self, request: Request, mission_id: UUID) -> MissionOut:  # type: ignore[type-arg]
        return await services.get_mission(current_actor(request), mission_id,
                                          now=datetime.now(UTC))
