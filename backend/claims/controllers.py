"""Read API of expense claims (the policy check preview of a line: backend.flow_routes)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from backend.claims import services
from backend.claims.rules import ClaimState
from backend.claims.schemas import ClaimOut, ClaimPage
from kernel.guards import current_actor, signed_in
from kernel.paging import Limit, Offset

__all__ = ("ClaimController",)



class ClaimController(Controller):
    path = "/api/v1/claims"
    guards = [signed_in]  # noqa: RUF012 - Litestar's declaration style
    tags = ["claims"]  # noqa: RUF012

    @get("/", operation_id="listClaims", summary="Expense claims visible to the caller")
    async def list_claims(
        self,
        request: Request,  # type: ignore[type-arg]
        status: Annotated[ClaimState | None, QueryParameter(name="state")] = None,
        mission_id: UUID | None = None,
        agent_id: UUID | None = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> ClaimPage:
        return await services.list_claims(current_actor(request), state=status,
                                          mission_id=mission_id, agent_id=agent_id,
                                          offset=offset, limit=limit)

    @get("/{claim_id:uuid}", operation_id="getClaim", summary="One expense claim")
    async def get_claim(self, request: Request, claim_id: UUID) -> ClaimOut:  # type: ignore[type-arg]
        return await services.get_claim(current_actor(request), claim_id)
