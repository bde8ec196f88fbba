"""Printable documents: the mission order and the expense claim as PDF files."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get

from backend.documents.services import claim_document, mission_document
from kernel.guards import current_actor, requires_role

__all__ = ("DocumentController",)

Language = Literal["fr", "en"]


def _pdf(content: bytes, name: str) -> Response[bytes]:
    return Response(content, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"})


class DocumentController(Controller):
    path = "/api/v1"
    tags = ["documents"]  # noqa: RUF012
    # Suppliers have no missions nor claims; visibility is checked by the service.
    guards = [requires_role("agent", "manager", "back_office", "admin")]  # noqa: RUF012

    @get("/missions/{mission_id:uuid}/order.pdf", operation_id="getMissionOrderPdf",
         media_type="application/pdf")
    async def mission_order(self, mission_id: UUID, request: Request[Any, Any, Any],
                            lang: Language | None = None) -> Response[bytes]:
        """The mission order (ordre de mission), in the reader's language unless ``lang``."""
        actor = current_actor(request)
        content = await mission_document(actor, mission_id, lang=lang or actor.language)
        return _pdf(content, f"ordre-de-mission-{str(mission_id)[:8]}.pdf")

    @get("/claims/{claim_id:uuid}/claim.pdf", operation_id="getExpenseClaimPdf",
         media_type="application/pdf")
    async def expense_claim(self, claim_id: UUID, request: Request[Any, Any, Any],
                            lang: Language | None = None) -> Response[bytes]:
        """The expense claim (état de frais) with its receipts."""
        actor = current_actor(request)
        content = await claim_document(actor, claim_id, lang=lang or actor.language)
        return _pdf(content, f"etat-de-frais-{str(claim_id)[:8]}.pdf")
