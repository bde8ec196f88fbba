"""Read API of the audit trail: one document's entries, for those who see the document."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import Parameter

from backend.audit import services
from backend.audit.schemas import AuditTrail
from kernel.errors import DomainError
from kernel.guards import current_actor, signed_in

__all__ = ("AuditController",)

DocumentType = Annotated[str, Parameter(
    description="mission, expense_claim, purchase_order or invoice", max_length=32)]


class AuditController(Controller):
    path = "/api/v1/audit"
    guards = [signed_in]  # noqa: RUF012 - Litestar's declaration style
    tags = ["audit"]  # noqa: RUF012

    @get("/{document_type:str}/{document_id:uuid}", operation_id="getAuditTrail",
         summary="The audit trail of one document")
    async def trail(self, request: Request, document_type: DocumentType,  # type: ignore[type-arg]
                    document_id: UUID) -> AuditTrail:
        actor = current_actor(request)
        if not await services.document_visible(actor, document_type, document_id):
            raise DomainError("NOT_FOUND", {"document_type": document_type,
                                            "id": str(document_id)})
        entries = await services.entries_for(document_type, document_id)
        return AuditTrail(document_type=document_type, document_id=document_id, entries=entries)
