"""Read API of expense claims and the policy check preview of a line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter

from backend import flows
from backend.accounts.guards import current_actor, signed_in
from backend.claims import services
from backend.claims.rules import ClaimState
from backend.claims.schemas import ClaimOut, ClaimPage
from backend.paging import Limit, Offset
from backend.policy.schemas import LineCheckIn, LineCheckOut

__all__ = ("ClaimController", "PolicyController")



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


class PolicyController(Controller):
    path = "/api/v1/policy"
    guards = [signed_in]  # noqa: RUF012
    tags = ["policy"]  # noqa: RUF012

    @post("/check-line", operation_id="checkExpenseLine", status_code=200,
          summary="Policy findings on an expense line as it is entered (nothing stored)")
    async def check_line(self, request: Request, data: LineCheckIn) -> LineCheckOut:  # type: ignore[type-arg]
        return await flows.preview_line(current_actor(request), data,
                                        today=datetime.now(UTC).date())
