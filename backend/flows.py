"""Cross-domain orchestration of the workflows (the only place where domains meet).

* certifying service done moves the order's invoices to SERVICE_FAIT; revoking it voids that
  SERVICE_FAIT (refused once a payment was ordered on its strength);
* "service fait assisté": a certification proposal prefilled from the order's invoices;
* the financial system's integration events create invoices (linked to their order) and post
  status events;
* the policy check preview of an expense line as it is entered (the checks themselves are the
  claims domain's, :mod:`backend.claims.line_checks`).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from backend import notification_flows
from backend.claims.line_checks import check_lines
from backend.invoices import integration_ledger
from backend.invoices import services as invoices
from backend.invoices.rows import InvoiceRecord
from backend.invoices.schemas import (
    IntegrationEventIn,
    IntegrationEventResult,
    InvoiceLine,
)
from backend.invoices.statuses import CODES, certification_standing, service_done_standing
from backend.missions import services as missions
from backend.orders import services as orders
from backend.orders.rows import OrderRecord
from backend.orders.schemas import CertifiedQuantity, ServiceDoneProposal
from backend.orders.service_done import (
    InvoiceFacts,
    InvoiceLineFacts,
    propose_from_invoice,
    share_among_invoices,
)
from backend.policy import services as policy
from backend.policy.checks import has_blocking
from backend.policy.rules import rule_set_at
from backend.policy.schemas import FindingOut, LineCheckIn, LineCheckOut
from backend.policy.services import CheckedLine
from backend.writing import Writing
from kernel.actor import Actor
from kernel.coerce import json_value
from kernel.errors import DomainError
from kernel.unit_of_work import OutboxEntry, UnitOfWork
from sync import Rejected, touch_rows

__all__ = ("check_revocable", "move_invoices_to_service_done", "preview_line",
           "process_integration_event", "service_done_proposal", "void_invoices_service_done")

_SERVICE_DONE_RANK = CODES["SERVICE_FAIT"][0]


def _rank(code: str) -> int:
    return CODES.get(code, (0,))[0]


def _before_service_done(invoice: InvoiceRecord) -> bool:
    """No standing service done yet, nor any later stage (rejected invoices are left alone)."""
    if invoice["status_code"] == "REJETEE":
        return False
    events = invoices.status_events(invoice["history"])
    return not service_done_standing(events) and not any(
        _rank(e.code) > _SERVICE_DONE_RANK for e in events)


def _payment_ordered(invoice: InvoiceRecord) -> bool:
    return any(_rank(e.code) > _SERVICE_DONE_RANK
               for e in invoices.status_events(invoice["history"]))


async def move_invoices_to_service_done(ctx: Writing, order: OrderRecord, *,
                                        invoice_id: UUID | None) -> None:
    """After a certification: what is certified on the order is shared among its invoices
    (those already certified first, then ``invoice_id``, then by arrival); an invoice wholly
    covered gets SERVICE_FAIT, one partly covered SERVICE_FAIT_PARTIEL with the amount, each
    only when its share grew. The sum certified never exceeds the order."""
    linked = await invoices.invoices_for_order(order["organisation"], order["id"])
    if invoice_id is not None and all(i["id"] != invoice_id for i in linked):
        raise Rejected("INVOICE_NOT_OF_ORDER", {"invoice_id": str(invoice_id)})
    candidates = [i for i in linked if i["status_code"] != "REJETEE"]
    candidates.sort(key=lambda i: (_before_service_done(i), i["id"] != invoice_id,
                                   i["created_at"]))
    shares = share_among_invoices(orders.facts(order), [
        InvoiceFacts(i["id"], _invoice_line_facts(i), int(i["amount_ht_cents"] or 0))
        for i in candidates])
    for invoice in candidates:
        share = shares[invoice["id"]]
        if not _before_service_done(invoice) or (
                not share.complete
                and share.certified_cents <= invoices.certified_cents_of(invoice)):
            continue
        await invoices.add_status_event(
            invoice, code="SERVICE_FAIT" if share.complete else "SERVICE_FAIT_PARTIEL",
            source="nomade", occurred_at=ctx.server_time, reason="",
            event_key=f"intent:{ctx.mutation_id}:{invoice['id']}", now=ctx.server_time,
            actor_id=ctx.actor.user_id, actor_role=ctx.actor.role, device_id=ctx.device_id,
            client_time=ctx.client_time, recorded_by_nomade=True,
            certified_cents=share.certified_cents)
        await ctx.touch(invoices.ENTITY, invoice["id"], organisation_id=invoice["organisation"])


def _invoice_line_facts(invoice: InvoiceRecord) -> list[InvoiceLineFacts]:
    """An invoice's readable lines (a quantity that is not a finite number ≥ 0 is skipped)."""
    lines = msgspec.convert(json_value(invoice["lines"]) or [], list[InvoiceLine], strict=False)
    return [InvoiceLineFacts(Decimal(line.quantity), line.unit_price_cents,
                             line.order_line_no, line.description)
            for line in lines if line.quantity.is_finite() and line.quantity >= 0]


async def check_revocable(order: OrderRecord) -> None:
    """Service done cannot be revoked once a payment was ordered for one of the order's
    invoices (the payment order must be cancelled first, outside Nomade)."""
    for invoice in await invoices.invoices_for_order(order["organisation"], order["id"]):
        if invoice["status_code"] != "REJETEE" and _payment_ordered(invoice):
            raise Rejected("PAYMENT_ALREADY_ORDERED", {"invoice_id": str(invoice["id"]),
                                                       "number": invoice["number"]})


async def void_invoices_service_done(ctx: Writing, order: OrderRecord, *,
                                     reason: str) -> None:
    """After service done was revoked: the order's invoices whose service done (whole or
    partial) stands get a SERVICE_FAIT_ANNULE event (with the reason), so suppliers no longer
    see "service done"."""
    for invoice in await invoices.invoices_for_order(order["organisation"], order["id"]):
        if not certification_standing(invoices.status_events(invoice["history"])):
            continue
        await invoices.add_status_event(
            invoice, code="SERVICE_FAIT_ANNULE", source="nomade", occurred_at=ctx.server_time,
            reason=reason, event_key=f"intent:{ctx.mutation_id}:{invoice['id']}",
            now=ctx.server_time, actor_id=ctx.actor.user_id, actor_role=ctx.actor.role,
            device_id=ctx.device_id, client_time=ctx.client_time, recorded_by_nomade=True)
        await ctx.touch(invoices.ENTITY, invoice["id"], organisation_id=invoice["organisation"])


async def service_done_proposal(actor: Actor, order_id: UUID) -> ServiceDoneProposal:
    """Quantities to certify, prefilled from the lines of the order's invoices."""
    order = await orders.visible_order(actor, order_id)
    linked = [i for i in await invoices.invoices_for_order(order["organisation"], order_id)
              if i["status_code"] != "REJETEE"]
    invoice_lines = [line for invoice in linked for line in _invoice_line_facts(invoice)]
    proposal = propose_from_invoice(orders.facts(order), invoice_lines)
    return ServiceDoneProposal(
        order_id=order_id, invoice_ids=[i["id"] for i in linked],
        round_seen=order["certification_round"],
        lines=[CertifiedQuantity(line_no=no, received=q) for no, q in sorted(proposal.items())])


def _body_hash(event: IntegrationEventIn) -> str:
    return hashlib.sha256(msgspec.json.encode(event, order="sorted")).hexdigest()


async def process_integration_event(organisation_id: UUID, event: IntegrationEventIn, *,
                                    now: datetime, effects: list[OutboxEntry] | None = None
                                    ) -> IntegrationEventResult:
    """Apply one event of the financial system in its own unit of work, idempotently by
    ``event_id``. ``effects``: collect its effects (pokes, push deliveries) there for the
    caller to run once per batch (:func:`kernel.unit_of_work.deliver`) instead of at once."""
    key = f"{organisation_id}:{event.event_id}"
    digest = _body_hash(event)
    try:
        async with UnitOfWork(collect=effects) as unit_of_work:
            seen = await _seen(event, key, digest)
            if seen is not None:
                return seen
            invoice_id = await _apply(organisation_id, event, key, now)
            await integration_ledger.record_event(organisation_id, key, body_hash=digest,
                                                  status="accepted", invoice_id=invoice_id,
                                                  now=now)
            touch_rows(unit_of_work, invoices.ENTITY, [invoice_id], organisation=organisation_id)
    except Rejected as refused:  # the event's changes are rolled back; its refusal is kept
        async with UnitOfWork(collect=effects):
            seen = await _seen(event, key, digest)
            if seen is not None:  # the same event, recorded meanwhile by another request
                return seen
            await integration_ledger.record_event(organisation_id, key, body_hash=digest,
                                                  status="rejected", code=refused.code, now=now)
        return IntegrationEventResult(event_id=event.event_id, status="rejected",
                                      code=refused.code)
    return IntegrationEventResult(event_id=event.event_id, status="accepted",
                                  invoice_id=invoice_id)


async def _seen(event: IntegrationEventIn, key: str, digest: str
                ) -> IntegrationEventResult | None:
    """The result of an event already recorded under ``key`` (None: a new event)."""
    seen = await integration_ledger.processed_event(key)
    if seen is None:
        return None
    if seen.body_hash != digest:
        return IntegrationEventResult(event_id=event.event_id, status="rejected",
                                      code="EVENT_REUSED")
    return IntegrationEventResult(event_id=event.event_id, status="duplicate",
                                  code=seen.code, invoice_id=seen.invoice_id)


async def _apply(organisation_id: UUID, event: IntegrationEventIn, key: str,
                 now: datetime) -> UUID:
    if event.type == "invoice.created":
        if event.invoice is None:
            raise Rejected("VALIDATION_FAILED", {"detail": "invoice is required"})
        order = await orders.find_by_number(organisation_id, event.invoice.order_number)
        created: UUID = await invoices.create_invoice(
            organisation_id, event.invoice, source=event.source, occurred_at=event.occurred_at,
            event_key=key, now=now, purchase_order_id=order["id"] if order else None,
            unit_id=order["unit"] if order else None)
        if order is not None:
            await notification_flows.invoice_received_for_order(
                order, created, amount_cents=event.invoice.amount_ttc_cents, event_key=key)
        return created
    if event.type == "invoice.payment":
        if event.payment is None:
            raise Rejected("VALIDATION_FAILED", {"detail": "payment is required"})
        paid = await invoices.find_invoice(organisation_id, event.payment.supplier_siret,
                                           event.payment.number)
        if paid is None:
            raise Rejected("NOT_FOUND", {"number": event.payment.number})
        await invoices.record_payment(paid, event.payment, source=event.source,
                                      occurred_at=event.occurred_at, event_key=key, now=now)
        paid_id: UUID = paid["id"]
        return paid_id
    if event.status is None:
        raise Rejected("VALIDATION_FAILED", {"detail": "status is required"})
    row = await invoices.find_invoice(organisation_id, event.status.supplier_siret,
                                      event.status.number)
    if row is None:
        raise Rejected("NOT_FOUND", {"number": event.status.number})
    await invoices.add_status_event(row, code=event.status.code, source=event.source,
                                    occurred_at=event.occurred_at, reason=event.status.reason,
                                    event_key=key, now=now)
    invoice_id: UUID = row["id"]
    return invoice_id


# --- policy check preview of an expense line------------------------------------------------------


async def preview_line(actor: Actor, data: LineCheckIn, *, today: date) -> LineCheckOut:
    """Policy findings on a line as it is entered (nothing is stored)."""
    if actor.organisation_id is None or not actor.is_staff:
        raise DomainError("FORBIDDEN", {"reason": "staff_only"})
    mission = None
    if data.mission_id is not None:
        mission = await missions.live_mission(actor.organisation_id, data.mission_id)
        if mission is None or not await missions.is_visible(actor, data.mission_id):
            raise DomainError("NOT_FOUND", {"mission_id": str(data.mission_id)})
    line_key = str(data.line_id or "")
    line = CheckedLine(
        id=line_key, category=data.category, spent_on=data.date,
        amount_cents=data.amount_cents, currency=data.currency, fx_rate=data.fx_rate,
        merchant=data.merchant, vat_rate_bp=data.vat_rate_bp, vat_cents=data.vat_cents,
        receipts=tuple(data.receipts), km=data.km, fiscal_hp=data.fiscal_hp)
    owner = mission["agent"] if mission else actor.user_id
    found = (await check_lines(actor.organisation_id, owner, [line], mission=mission,
                               today=today, overrides={
                                   "city_class": data.city_class, "nights": data.nights,
                                   "meals": data.meals, "ht_cents": data.ht_cents,
                                   "disabled_agent": data.disabled_agent}))[line_key]
    rule_sets = await policy.rule_sets_for(actor.organisation_id)
    in_force = rule_set_at(rule_sets, mission["starts_on"] if mission else data.date)
    return LineCheckOut(
        rule_set=in_force.name if in_force else None,
        amount_eur_cents=policy.eur_cents_of(data.amount_cents, data.currency, data.fx_rate),
        blocking=has_blocking(found),
        findings=[FindingOut(code=f.code, severity=f.severity, message_fr=f.message_fr,
                             message_en=f.message_en, figures=f.figures) for f in found])
