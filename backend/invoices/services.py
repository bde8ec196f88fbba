"""Supplier invoices: creation, status events, visibility, search and statistics (the only code
querying the invoice tables)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any, Literal, cast
from uuid import UUID, uuid4

import msgspec
from piccolo.query import OrderByRaw

import backend.invoices.codes  # noqa: F401 - registers the codes
from backend import approvals, notification_flows
from backend.accounts import directory
from backend.audit.services import record
from backend.invoices.late_payment import LateCharges, Payment, late_charges
from backend.invoices.rows import InvoiceRecord, StoredPayment, StoredStatus
from backend.invoices.schemas import (
    Attachment,
    InvoiceIn,
    InvoiceLine,
    InvoiceOut,
    InvoicePage,
    InvoiceRow,
    InvoiceStats,
    LateChargesRow,
    PaymentIn,
    PaymentOut,
    StageFigureOut,
    StatusEventOut,
)
from backend.invoices.statistics import InvoiceFacts, invoice_statistics
from backend.invoices.statuses import (
    ACTION_STAGES,
    CERTIFYING,
    REASON_REQUIRED,
    Stage,
    StatusEvent,
    current_status,
    late_from,
    normalise_code,
    payment_deadline,
    stage_of,
    worth_telling,
)
from backend.invoices.tables import Invoice, InvoiceStatusEvent
from backend.notification_flows import PaymentNews
from kernel.actor import Actor
from kernel.coerce import json_value
from kernel.errors import DomainError
from kernel.queries import all_of, contains
from kernel.timeutil import as_utc, as_utc_or_none
from sync import Rejected

__all__ = (
    "ENTITY",
    "InvoiceSort",
    "add_status_event",
    "certified_cents_of",
    "create_invoice",
    "find_invoice",
    "get_invoice",
    "invoice_row",
    "invoice_stats",
    "invoices_for_order",
    "is_visible",
    "list_invoices",
    "record_payment",
    "status_events",
    "supplier_organisations",
    "to_wire",
    "visible",
)

ENTITY = "invoice"
InvoiceSort = Literal["issued_on", "-issued_on", "amount", "-amount", "status_at", "-status_at",
                      "number", "-number", "due_at", "-due_at", "lateness"]


async def visible(actor: Actor) -> Any:
    """Suppliers: their company's invoices; back-office and admin: their organisation's;
    managers: their organisation's invoices for the units they manage now; agents: none."""
    if actor.role == "supplier":
        if actor.supplier_company_id is None:
            return None
        return Invoice.supplier_company == actor.supplier_company_id
    if actor.role in ("back_office", "admin"):
        return Invoice.organisation == actor.organisation_id
    if actor.role == "manager":
        units = await approvals.units_managed_by(actor.user_id, datetime.now().astimezone(),
                                                kind="service_done")
        if not units:
            return None
        return (Invoice.organisation == actor.organisation_id) & Invoice.unit.is_in(units)
    return None


async def supplier_organisations(actor: Actor) -> set[UUID]:
    """Organisations a supplier syncs: those their company invoices (sync organisation scope)."""
    if actor.role != "supplier" or actor.supplier_company_id is None:
        return set()
    rows = await Invoice.select(Invoice.organisation).where(
        Invoice.supplier_company == actor.supplier_company_id).distinct()
    return {r["organisation"] for r in rows}


def status_events(history: str | list[StoredStatus]) -> list[StatusEvent]:
    """An invoice's stored history (JSON text or list) as status events."""
    items = json_value(history) or []
    return [StatusEvent(e["code"], as_utc(e["occurred_at"]), e.get("reason", "")) for e in items]


def _deadline_of(row: InvoiceRecord, kind: str, now: datetime) -> tuple[bool, int]:
    deadline = payment_deadline(status_events(row["history"]), organisation_kind=kind, now=now)
    return (deadline.late, deadline.days_late) if deadline else (False, 0)


def _payment_items(row: InvoiceRecord) -> list[StoredPayment]:
    return list(json_value(row.get("payments") or []) or [])


def payments_of(row: InvoiceRecord) -> list[Payment]:
    """What was paid on an invoice: its payments as the financial system sent them, or, with
    none recorded, its whole amount when it was paid (MISE_EN_PAIEMENT)."""
    items = _payment_items(row)
    if items:
        return [Payment(as_utc(p["paid_at"]), int(p["amount_cents"])) for p in items]
    paid_at = as_utc_or_none(row.get("paid_at"))
    return [Payment(paid_at, row["amount_due_cents"])] if paid_at else []


def charges_of(row: InvoiceRecord, now: datetime) -> LateCharges:
    """Late-payment interest and indemnity owed on an invoice row at ``now``."""
    return late_charges(amount_cents=row["amount_due_cents"],
                        due_at=as_utc_or_none(row.get("due_at")), payments=payments_of(row),
                        now=now)


def certified_cents_of(row: InvoiceRecord) -> int:
    """The amount (before VAT) of the invoice that service done covers now: the last standing
    (partial) SERVICE_FAIT's amount — the whole invoice for one that carries none, as the
    financial system's own —, 0 once revoked."""
    certified = 0
    for event in sorted(json_value(row["history"]) or [], key=lambda e: e["occurred_at"]):
        if event["code"] in CERTIFYING:
            certified = int(event.get("certified_cents", row["amount_ht_cents"]))
        elif event["code"] == "SERVICE_FAIT_ANNULE":
            certified = 0
    return certified


def to_wire(row: dict[str, Any]) -> InvoiceRow:
    """An invoice row as pull sends it (the deadline is shown by the client from ``due_at``;
    ``late_charges`` are the interest and indemnity owed as of the pull, ``as_of``)."""
    now = datetime.now(UTC)
    charges = charges_of(cast(InvoiceRecord, row), now)
    return msgspec.convert({
        **row, "lines": json_value(row["lines"]) or [],
        "history": json_value(row["history"]) or [],
        "payments": json_value(row["payments"]) or [],
        "certified_cents": certified_cents_of(cast(InvoiceRecord, row)),
        "action_needed": Stage(row["stage"]) in ACTION_STAGES,
        "late_charges": LateChargesRow(
            rate_percent=None if charges.rate_percent is None else str(charges.rate_percent),
            days_late=charges.days_late, interest_cents=charges.interest_cents,
            indemnity_cents=charges.indemnity_cents, as_of=now)}, InvoiceRow)


async def _organisation(organisation_id: UUID) -> tuple[str, str]:
    """The organisation's name and kind (an unknown one: unnamed, the State's)."""
    return await directory.organisation_name_and_kind(organisation_id) or ("", "state")


def _status_values(history: list[StoredStatus], kind: str, now: datetime) -> dict[Any, Any]:
    events = status_events(history)
    status = current_status(events)
    deadline = payment_deadline(events, organisation_kind=kind, now=now)
    submitted = min((e.occurred_at for e in events), default=None)
    return {
        Invoice.history: json.dumps(history),
        Invoice.status_code: status.code if status else "DEPOSEE",
        Invoice.stage: status.stage.value if status else "submitted",
        Invoice.status_reason: status.reason if status else "",
        Invoice.status_at: status.since if status else None,
        Invoice.submitted_at: submitted,
        Invoice.paid_at: deadline.paid_at if deadline else None,
        Invoice.due_at: deadline.due_at if deadline else None,
        Invoice.late_from: late_from(events, organisation_kind=kind),
    }


async def invoice_row(invoice_id: UUID) -> InvoiceRecord | None:
    return cast(InvoiceRecord | None, await Invoice.select().where(
        Invoice.id == invoice_id).output(load_json=True).first())


async def find_invoice(organisation_id: UUID, supplier_siret: str, number: str
                       ) -> InvoiceRecord | None:
    """The invoice ``number`` of the supplier with ``supplier_siret`` to the organisation."""
    return cast(InvoiceRecord | None, await Invoice.select().where(
        (Invoice.organisation == organisation_id) & (Invoice.supplier_siret == supplier_siret)
        & (Invoice.number == number)).output(load_json=True).first())


async def add_status_event(
    row: InvoiceRecord, *, code: str, source: str, occurred_at: datetime, reason: str,
    event_key: str, now: datetime, actor_id: UUID | None = None, actor_role: str = "",
    device_id: UUID | None = None, client_time: datetime | None = None,
    recorded_by_nomade: bool = False, payment: PaymentNews | None = None,
    certified_cents: int | None = None,
    attachments: list[Attachment] | None = None,
) -> bool:
    """Append a status event (``code`` in the source's vocabulary) and recompute the invoice.

    Returns False when ``event_key`` was already recorded (a replay changes nothing). Raises
    :class:`Rejected` for an unknown code or a missing reason. Caller touches/stamps the row.
    ``recorded_by_nomade``: an event of Nomade's own (service done revoked), never a source's.
    ``certified_cents``: with a (partial) SERVICE_FAIT recorded by Nomade, the amount before VAT
    that the certification covers.
    """
    internal = normalise_code(source, code, internal=recorded_by_nomade)
    if internal is None:
        raise Rejected("INVOICE_STATUS_UNKNOWN", {"code": code, "source": source})
    if internal in REASON_REQUIRED and not reason.strip():
        raise Rejected("REASON_REQUIRED", {"code": internal})
    if await InvoiceStatusEvent.exists().where(InvoiceStatusEvent.event_key == event_key):
        return False
    await InvoiceStatusEvent.insert(InvoiceStatusEvent(
        organisation=row["organisation"], invoice=row["id"], code=internal, source=source,
        source_code=code, occurred_at=occurred_at, reason=reason.strip(), recorded_at=now,
        actor=actor_id, event_key=event_key))
    history: list[StoredStatus] = list(json_value(row["history"]) or [])
    before = current_status(status_events(history))
    entry: StoredStatus = {"code": internal, "occurred_at": occurred_at.isoformat(),
                           "reason": reason.strip(), "source": source}
    if certified_cents is not None:
        entry["certified_cents"] = certified_cents
    stored_attachments = msgspec.to_builtins(attachments or [])
    if stored_attachments:
        entry["attachments"] = stored_attachments
    history.append(entry)
    history.sort(key=lambda e: e["occurred_at"])
    _, kind = await _organisation(row["organisation"])
    await Invoice.update(_status_values(history, kind, now)).where(Invoice.id == row["id"])
    await record(organisation_id=row["organisation"], document_type=ENTITY,
                 document_id=row["id"], action=f"status:{internal}", server_time=now,
                 actor_id=actor_id, actor_role=actor_role or "integration", device_id=device_id,
                 client_time=client_time or occurred_at,
                 details={"code": internal, "source_code": code, "reason": reason.strip(),
                          **({"attachments": stored_attachments} if stored_attachments else {})})
    row["history"] = history
    extra: PaymentNews = {**payment} if payment else {}
    if certified_cents is not None:
        extra["certified_cents"] = certified_cents
    if worth_telling(before, current_status(status_events(history)), internal):
        await notification_flows.invoice_status_changed(row, internal, reason.strip(),
                                                        event_key, payment=extra or None)
    elif payment is not None:
        await notification_flows.invoice_status_changed(row, "MISE_EN_PAIEMENT", "", event_key,
                                                        payment=payment)
    return True


async def create_invoice(
    organisation_id: UUID, data: InvoiceIn, *, source: str, occurred_at: datetime,
    event_key: str, now: datetime, purchase_order_id: UUID | None = None,
    unit_id: UUID | None = None,
) -> UUID:
    """Record an invoice and its first status event; raises Rejected on bad input."""
    company = await directory.supplier_by_siret(data.supplier_siret)
    if company is None:
        raise Rejected("SUPPLIER_UNKNOWN", {"supplier_siret": data.supplier_siret})
    company_id, company_name = company
    if data.amount_ht_cents + data.vat_cents != data.amount_ttc_cents:
        raise Rejected("AMOUNT_INVALID", {"reason": "ht_plus_vat_differs_from_ttc"})
    if any(not line.quantity.is_finite() for line in data.lines):
        raise Rejected("QUANTITY_INVALID", {})
    key = f"{company_id}:{data.number}"
    if await Invoice.exists().where(Invoice.number_key == key):
        raise Rejected("INVOICE_EXISTS", {"number": data.number})
    invoice_id = uuid4()
    buyer_name, _ = await _organisation(organisation_id)
    lines = msgspec.to_builtins(data.lines)
    await Invoice.insert(Invoice(
        id=invoice_id, organisation=organisation_id, supplier_company=company_id,
        supplier_siret=data.supplier_siret, supplier_name=company_name,
        buyer_name=buyer_name, number=data.number, number_key=key,
        purchase_order=purchase_order_id, order_number=data.order_number,
        ej_number=data.ej_number, code_service=data.code_service, unit=unit_id,
        issued_on=data.issued_on, amount_ht_cents=data.amount_ht_cents,
        vat_cents=data.vat_cents, amount_ttc_cents=data.amount_ttc_cents,
        amount_due_cents=(data.amount_due_cents if data.amount_due_cents is not None
                          else data.amount_ttc_cents),
        lines=json.dumps(lines), history="[]", source=source, created_at=now,
    ))
    row = await invoice_row(invoice_id)
    assert row is not None
    await add_status_event(row, code=data.status, source=source, occurred_at=occurred_at,
                           reason=data.status_reason, event_key=event_key, now=now)
    return invoice_id


async def record_payment(
    row: InvoiceRecord, payment: PaymentIn, *, source: str, occurred_at: datetime,
    event_key: str, now: datetime,
) -> None:
    """Record a payment released for the invoice ``row`` (from the financial system).

    Once the payments reach the amount due, the invoice is paid (a MISE_EN_PAIEMENT event,
    whose push carries the amount and bank reference); a partial payment is pushed on its own.
    Raises :class:`Rejected` for a rejected invoice or more than what remains due.
    """
    if row["status_code"] == "REJETEE":
        raise Rejected("INVOICE_NOT_PAYABLE", {"state": row["status_code"]})
    items = _payment_items(row)
    paid = sum(int(p["amount_cents"]) for p in items)
    if paid + payment.amount_cents > row["amount_due_cents"]:
        raise Rejected("PAYMENT_EXCEEDS_DUE", {"amount_due_cents": row["amount_due_cents"],
                                               "amount_paid_cents": paid})
    items.append({"paid_at": occurred_at.isoformat(), "amount_cents": payment.amount_cents,
                  "bank_reference": payment.bank_reference})
    items.sort(key=lambda p: p["paid_at"])
    paid += payment.amount_cents
    await Invoice.update({Invoice.payments: json.dumps(items),
                          Invoice.amount_paid_cents: paid}).where(Invoice.id == row["id"])
    row["payments"], row["amount_paid_cents"] = items, paid
    await record(organisation_id=row["organisation"], document_type=ENTITY,
                 document_id=row["id"], action="payment", server_time=now, actor_id=None,
                 actor_role="integration", device_id=None, client_time=occurred_at,
                 details={"amount_cents": payment.amount_cents,
                          "bank_reference": payment.bank_reference})
    payment_data: PaymentNews = {"paid_cents": payment.amount_cents, "amount_paid_cents": paid,
                                 "bank_reference": payment.bank_reference}
    if paid >= row["amount_due_cents"] and row["status_code"] != "MISE_EN_PAIEMENT":
        await add_status_event(row, code="MISE_EN_PAIEMENT", source=source,
                               occurred_at=occurred_at, reason="", event_key=event_key,
                               now=now, payment=payment_data)
    else:
        await notification_flows.invoice_status_changed(
            row, "PAIEMENT_PARTIEL" if paid < row["amount_due_cents"] else "MISE_EN_PAIEMENT",
            "", event_key, payment=payment_data)


# --- reads -----------------------------------------------------------------------------------


def _out(row: InvoiceRecord, kind: str, now: datetime) -> InvoiceOut:
    late, days_late = _deadline_of(row, kind, now)
    charges = charges_of(row, now)
    history: list[StoredStatus] = json_value(row["history"])
    return InvoiceOut(
        id=row["id"], number=row["number"], supplier_company_id=row["supplier_company"],
        supplier_siret=row["supplier_siret"], supplier_name=row["supplier_name"],
        organisation_id=row["organisation"], buyer_name=row["buyer_name"],
        purchase_order_id=row["purchase_order"], order_number=row["order_number"],
        ej_number=row["ej_number"], code_service=row["code_service"],
        issued_on=row["issued_on"], amount_ht_cents=row["amount_ht_cents"],
        vat_cents=row["vat_cents"], amount_ttc_cents=row["amount_ttc_cents"],
        amount_due_cents=row["amount_due_cents"],
        lines=msgspec.convert(row["lines"] or [], list[InvoiceLine], strict=False),
        status_code=row["status_code"], stage=row["stage"], status_reason=row["status_reason"],
        status_at=as_utc_or_none(row["status_at"]),
        submitted_at=as_utc_or_none(row["submitted_at"]),
        paid_at=as_utc_or_none(row["paid_at"]), due_at=as_utc_or_none(row["due_at"]),
        late=late, days_late=days_late,
        amount_paid_cents=row.get("amount_paid_cents") or 0,
        payments=[PaymentOut(paid_at=as_utc(p["paid_at"]), amount_cents=p["amount_cents"],
                             bank_reference=p.get("bank_reference", ""))
                  for p in _payment_items(row)],
        interest_rate_percent=charges.rate_percent, interest_cents=charges.interest_cents,
        indemnity_cents=charges.indemnity_cents, certified_cents=certified_cents_of(row),
        history=[StatusEventOut(code=e["code"], stage=stage_of(e["code"]).value,
                                occurred_at=as_utc(e["occurred_at"]),
                                reason=e.get("reason", ""), source=e.get("source", ""),
                                certified_cents=e.get("certified_cents"),
                                attachments=msgspec.convert(e.get("attachments", []),
                                                            list[Attachment]))
                 for e in history],
    )


async def _where(actor: Actor, *, q: str | None, stage: str | None, status_code: str | None,
                 issued_from: date | None, issued_until: date | None,
                 amount_min: int | None, amount_max: int | None) -> Any:
    clause = await visible(actor)
    if clause is None:
        return None
    conditions = [clause, Invoice.deleted_at.is_null()]
    if q:
        conditions.append(contains(Invoice.number, q) | contains(Invoice.order_number, q)
                          | contains(Invoice.buyer_name, q) | contains(Invoice.ej_number, q))
    if stage:
        conditions.append(Invoice.stage == stage)
    if status_code:
        conditions.append(Invoice.status_code == status_code)
    if issued_from:
        conditions.append(Invoice.issued_on >= issued_from)
    if issued_until:
        conditions.append(Invoice.issued_on <= issued_until)
    if amount_min is not None:
        conditions.append(Invoice.amount_ttc_cents >= amount_min)
    if amount_max is not None:
        conditions.append(Invoice.amount_ttc_cents <= amount_max)
    return all_of(conditions)


_SORTS = {"issued_on": Invoice.issued_on, "amount": Invoice.amount_ttc_cents,
          "status_at": Invoice.status_at, "number": Invoice.number, "due_at": Invoice.due_at}


def _sorted(query: Any, sort: InvoiceSort) -> Any:
    """``query`` in the order asked; invoices without a deadline come last on the same terms
    on SQLite and PostgreSQL. ``lateness``: the most days late first (lateness started
    earliest), then those falling due soonest."""
    if sort == "lateness":
        return query.order_by(OrderByRaw("late_from IS NULL")).order_by(
            Invoice.late_from).order_by(Invoice.id)
    name = sort.lstrip("-")
    if name == "due_at":
        query = query.order_by(OrderByRaw("due_at IS NULL"))
    return query.order_by(_SORTS[name], ascending=not sort.startswith("-")).order_by(Invoice.id)


async def list_invoices(
    actor: Actor, *, now: datetime, q: str | None = None, stage: str | None = None,
    status_code: str | None = None, issued_from: date | None = None,
    issued_until: date | None = None, amount_min: int | None = None,
    amount_max: int | None = None, late: bool | None = None, action: bool | None = None,
    sort: InvoiceSort = "-issued_on", offset: int = 0, limit: int = 50,
) -> InvoicePage:
    """Search, filter, sort and page the invoices ``actor`` may see (``late``: past the legal
    deadline now; ``action``: the supplier must act — suspended, to re-route, rejected)."""
    where = await _where(actor, q=q, stage=stage, status_code=status_code,
                         issued_from=issued_from, issued_until=issued_until,
                         amount_min=amount_min, amount_max=amount_max)
    if where is None:
        return InvoicePage(items=[], total=0, offset=offset, limit=limit)
    if late is not None:
        # late_from is when lateness starts if nothing else happens (statuses.late_from).
        overdue = Invoice.late_from.is_not_null() & (Invoice.late_from < now)
        where = where & (overdue if late else (
            Invoice.late_from.is_null() | (Invoice.late_from >= now)))
    if action is not None:
        to_act = Invoice.stage.is_in([s.value for s in ACTION_STAGES])
        where = where & (to_act if action else Invoice.stage.not_in(
            [s.value for s in ACTION_STAGES]))
    query = _sorted(Invoice.select().where(where), sort)
    total = await Invoice.count().where(where)
    rows = cast(list[InvoiceRecord], await query.offset(offset).limit(limit).output(load_json=True))
    kinds = await directory.organisation_kinds(r["organisation"] for r in rows)
    items = [_out(r, kinds.get(r["organisation"], "state"), now) for r in rows]
    return InvoicePage(items=items, total=total, offset=offset, limit=limit)


async def get_invoice(actor: Actor, invoice_id: UUID, *, now: datetime) -> InvoiceOut:
    """One invoice ``actor`` may see (NOT_FOUND otherwise)."""
    clause = await visible(actor)
    row = None if clause is None else cast(InvoiceRecord | None, await Invoice.select().where(
        clause & (Invoice.id == invoice_id)).output(load_json=True).first())
    if row is None:
        raise DomainError("NOT_FOUND", {"id": str(invoice_id)})
    kinds = await directory.organisation_kinds([row["organisation"]])
    return _out(row, kinds.get(row["organisation"], "state"), now)


async def is_visible(actor: Actor, invoice_id: UUID) -> bool:
    clause = await visible(actor)
    return clause is not None and bool(
        await Invoice.exists().where(clause & (Invoice.id == invoice_id)))


async def invoice_stats(actor: Actor, *, now: datetime, issued_from: date | None = None,
                        issued_until: date | None = None) -> InvoiceStats:
    """Count and amount per stage, median days to payment and late invoices, over what
    ``actor`` sees (optionally issued between two dates)."""
    where = await _where(actor, q=None, stage=None, status_code=None, issued_from=issued_from,
                         issued_until=issued_until, amount_min=None, amount_max=None)
    rows = [] if where is None else await Invoice.select(
        Invoice.id, Invoice.organisation, Invoice.amount_ttc_cents, Invoice.amount_due_cents,
        Invoice.history,
    ).where(where).output(load_json=True)
    kinds = await directory.organisation_kinds(r["organisation"] for r in rows)
    stats = invoice_statistics(
        (InvoiceFacts(str(r["id"]), r["amount_ttc_cents"], kinds.get(r["organisation"], "state"),
                      tuple(status_events(r["history"])), r["amount_due_cents"])
         for r in rows), now=now)
    return InvoiceStats(
        invoice_count=stats.invoice_count,
        stages=[StageFigureOut(stage=s.stage.value, count=s.count, amount_cents=s.amount_cents)
                for s in stats.stages],
        median_days_to_payment=stats.median_days_to_payment,
        late_count=stats.late_count, late_amount_cents=stats.late_amount_cents,
        late_invoice_ids=[UUID(i) for i in stats.late_invoice_ids],
        late_interest_cents=stats.late_interest_cents,
        late_indemnity_cents=stats.late_indemnity_cents,
    )


async def invoices_for_order(organisation_id: UUID, order_id: UUID) -> list[InvoiceRecord]:
    """Every invoice of the organisation that references the purchase order."""
    return cast(list[InvoiceRecord], await Invoice.select().where(
        (Invoice.organisation == organisation_id) & (Invoice.purchase_order == order_id)
        & Invoice.deleted_at.is_null()).output(load_json=True))
