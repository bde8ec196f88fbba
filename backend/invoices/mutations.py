"""Sync intents of supplier invoices: back-office posts a status, a supplier completes a
suspended invoice. Also registers the invoice entity, its audit visibility and the suppliers'
organisation scope."""

from __future__ import annotations

from uuid import UUID

from backend.audit.services import register_document
from backend.invoices import services
from backend.invoices.documents import document_kind
from backend.invoices.rows import InvoiceRecord
from backend.invoices.schemas import InvoiceCompleteArgs, InvoicePostStatusArgs, InvoiceRow
from backend.invoices.tables import Invoice
from sync import (
    MutationContext,
    Noop,
    Outcome,
    Rejected,
    Transient,
    blob_ready,
    mutation,
    organisation_scope,
    read_blob,
    reference_blob,
    synced_entity,
)

__all__ = ("complete", "post_status")

synced_entity(services.ENTITY, Invoice, visible=services.visible, wire=InvoiceRow,
              to_wire=services.to_wire)
organisation_scope(services.supplier_organisations)
register_document(services.ENTITY, services.is_visible)


async def _visible_row(ctx: MutationContext, invoice_id: UUID) -> InvoiceRecord:
    row = await services.invoice_row(invoice_id)
    if row is None or not await services.is_visible(ctx.actor, invoice_id):
        raise Rejected("NOT_FOUND", {"id": str(invoice_id)})
    return row


@mutation("invoice.post_status", 1, InvoicePostStatusArgs)
async def post_status(ctx: MutationContext, args: InvoicePostStatusArgs) -> Outcome | None:
    """The back-office posts a status event (e.g. SUSPENDUE with its reason)."""
    if ctx.actor.role not in ("back_office", "admin"):
        raise Rejected("FORBIDDEN", {"reason": "back_office_only"})
    row = await _visible_row(ctx, args.id)
    added = await services.add_status_event(
        row, code=args.code, source=args.source, occurred_at=args.occurred_at or ctx.server_time,
        reason=args.reason, event_key=f"intent:{ctx.mutation_id}", now=ctx.server_time,
        actor_id=ctx.actor.user_id, actor_role=ctx.actor.role, device_id=ctx.device_id,
        client_time=ctx.client_time)
    if not added:
        return Noop("ALREADY_DONE")
    await ctx.touch(services.ENTITY, row["id"], organisation_id=row["organisation"])
    return None


@mutation("invoice.complete", 1, InvoiceCompleteArgs)
async def complete(ctx: MutationContext, args: InvoiceCompleteArgs) -> Outcome | None:
    """The supplier answers a suspension (COMPLETEE) with a message and documents (photos,
    PDFs uploaded beforehand to the invoice's organisation)."""
    if ctx.actor.role != "supplier":
        raise Rejected("FORBIDDEN", {"reason": "supplier_only"})
    row = await _visible_row(ctx, args.id)
    state = row["status_code"]
    if state == "REJETEE":
        raise Rejected("INVOICE_REJECTED", {"state": state})
    if state == "COMPLETEE" and args.expected_status == "SUSPENDUE":
        return Noop("ALREADY_DONE")
    if state != "SUSPENDUE":
        raise Rejected("INVOICE_NOT_SUSPENDED", {"state": state})
    organisation = row["organisation"]
    for attachment in args.attachments:
        if not await blob_ready(organisation, attachment.sha256):
            raise Transient("BLOB_PENDING", 5, {"sha256": attachment.sha256})
        head = (await read_blob(organisation, attachment.sha256))[:16]
        if document_kind(head) is None:
            raise Rejected("ATTACHMENT_NOT_DOCUMENT", {"sha256": attachment.sha256,
                                                       "name": attachment.name})
    await services.add_status_event(
        row, code="COMPLETEE", source="nomade", occurred_at=ctx.server_time,
        reason=args.comment, event_key=f"intent:{ctx.mutation_id}", now=ctx.server_time,
        actor_id=ctx.actor.user_id, actor_role=ctx.actor.role, device_id=ctx.device_id,
        client_time=ctx.client_time, recorded_by_nomade=True,
        attachments=args.attachments)
    for attachment in args.attachments:
        await reference_blob(organisation, attachment.sha256, services.ENTITY, row["id"])
    await ctx.touch(services.ENTITY, row["id"], organisation_id=organisation)
    return None
