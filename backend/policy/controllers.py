"""Read route of the organisation's expense rule sets (the phone keeps them for offline checks)."""

from __future__ import annotations

import hashlib
from typing import Any, cast

import msgspec
from litestar import Controller, Request, Response, get

from backend.accounts.controllers import _errors
from backend.policy import services
from backend.policy.allowances import HOME_COUNTRY
from backend.policy.schemas import RuleSetsOut
from kernel.errors import DomainError
from kernel.guards import current_actor, requires_role

__all__ = ("RuleSetController", "rule_sets_etag")

#: The phone may keep the answer but asks again each time (a 304 when nothing changed).
_CACHE_CONTROL = "private, no-cache"


def rule_sets_etag(body: bytes) -> str:
    """The strong ETag of an answer: a hash of its JSON bytes."""
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in tags or "*" in tags


class RuleSetController(Controller):
    path = "/api/v1/policy/rule-sets"
    # The organisation's own people; suppliers have no expense rules to read.
    guards = [requires_role("agent", "manager", "back_office", "admin")]  # noqa: RUF012
    tags = ["policy"]  # noqa: RUF012

    @get("/", operation_id="listPolicyRuleSets", responses=_errors(401, 403),
         summary="The organisation's dated expense rule sets (ETag: revalidate with "
                 "If-None-Match)")
    async def list_rule_sets(self, request: Request[Any, Any, Any]) -> Response[RuleSetsOut]:
        actor = current_actor(request)
        if actor.organisation_id is None:
            raise DomainError("FORBIDDEN", {"reason": "no_organisation"})
        versions = sorted(await services.rule_sets_for(actor.organisation_id),
                          key=lambda r: r.valid_from)
        out = RuleSetsOut(rule_sets=versions, home_country=HOME_COUNTRY)
        etag = rule_sets_etag(msgspec.json.encode(out))
        headers = {"ETag": etag, "Cache-Control": _CACHE_CONTROL}
        if _matches(request.headers.get("if-none-match"), etag):
            # No content on a 304 (Litestar encodes None as nothing); the schema stays RuleSetsOut.
            return Response(cast("RuleSetsOut", None), status_code=304, headers=headers)
        return Response(out, headers=headers)
