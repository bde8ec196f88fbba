"""Read API of mission orders (writes go through sync intents)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get, put
from litestar.params import QueryParameter

from backend.accounts.controllers import _errors
from backend.missions import deadlines, services
from backend.missions.rules import MissionState
from backend.missions.schemas import DeadlineRulesIn, DeadlineRulesOut, MissionOut, MissionPage
from kernel.errors import DomainError
from kernel.guards import current_actor, requires_role, signed_in
from kernel.paging import Limit, Offset

__all__ = ("DeadlineRulesController", "MissionController")



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


def _organisation(request: Request) -> UUID:  # type: ignore[type-arg]
    organisation_id = current_actor(request).organisation_id
    if organisation_id is None:
        raise DomainError("FORBIDDEN", {"reason": "no_organisation"})
    return organisation_id


class DeadlineRulesController(Controller):
    """The organisation's reminder and escalation rules for requests awaiting a decision."""

    path = "/api/v1/admin/approval-deadlines"
    guards = [requires_role("admin")]  # noqa: RUF012
    tags = ["administration"]  # noqa: RUF012

    @get("/", operation_id="adminGetApprovalDeadlines", responses=_errors(401, 403),
         summary="Reminder and escalation rules")
    async def get_rules(self, request: Request) -> DeadlineRulesOut:  # type: ignore[type-arg]
        return await deadlines.get_rules(_organisation(request))

    @put("/", operation_id="adminSetApprovalDeadlines", responses=_errors(401, 403),
         summary="Change the reminder and escalation rules")
    async def set_rules(self, data: DeadlineRulesIn,
                        request: Request) -> DeadlineRulesOut:  # type: ignore[type-arg]
        return await deadlines.set_rules(_organisation(request), data)
