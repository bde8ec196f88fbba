"""Invoice statistics for a supplier or a back-office (pure: no web or database import)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from backend.invoices.late_payment import Payment, late_charges
from backend.invoices.statuses import Stage, StatusEvent, current_status, payment_deadline

__all__ = ("InvoiceFacts", "InvoiceStatistics", "StageFigure", "invoice_statistics")


@dataclass(frozen=True)
class InvoiceFacts:
    invoice_id: str
    amount_ttc_cents: int
    organisation_kind: str
    events: tuple[StatusEvent, ...]
    amount_due_cents: int | None = None  # None: the TTC amount
    # None: the whole amount due paid at the first MISE_EN_PAIEMENT, if any.
    payments: tuple[Payment, ...] | None = None


@dataclass(frozen=True)
class StageFigure:
    stage: Stage
    count: int
    amount_cents: int


@dataclass(frozen=True)
class InvoiceStatistics:
    invoice_count: int
    stages: list[StageFigure]
    median_days_to_payment: float | None
    late_count: int
    late_amount_cents: int
    late_invoice_ids: list[str] = field(default_factory=list)
    late_interest_cents: int = 0
    late_indemnity_cents: int = 0


def invoice_statistics(invoices: Iterable[InvoiceFacts], *, now: datetime) -> InvoiceStatistics:
    """Count and amount per stage, median days from submission to payment, late invoices and
    what they owe (interest and indemnity)."""
    per_stage = {stage: [0, 0] for stage in Stage}
    days_to_pay: list[float] = []
    late_ids: list[str] = []
    late_amount = total = interest = indemnity = 0
    for invoice in invoices:
        total += 1
        status = current_status(invoice.events)
        if status is None:
            continue
        per_stage[status.stage][0] += 1
        per_stage[status.stage][1] += invoice.amount_ttc_cents
        deadline = payment_deadline(invoice.events, organisation_kind=invoice.organisation_kind,
                                    now=now)
        if deadline is None:
            continue
        if deadline.days_to_pay is not None:
            days_to_pay.append(deadline.days_to_pay)
        if deadline.late:
            late_ids.append(invoice.invoice_id)
            late_amount += invoice.amount_ttc_cents
            due = (invoice.amount_ttc_cents if invoice.amount_due_cents is None
                   else invoice.amount_due_cents)
            payments = invoice.payments
            if payments is None:
                payments = (Payment(deadline.paid_at, due),) if deadline.paid_at else ()
            charges = late_charges(amount_cents=due, due_at=deadline.due_at, payments=payments,
                                   now=now)
            interest += charges.interest_cents
            indemnity += charges.indemnity_cents
    return InvoiceStatistics(
        invoice_count=total,
        stages=[StageFigure(stage, count, amount) for stage, (count, amount) in per_stage.items()],
        median_days_to_payment=round(statistics.median(days_to_pay), 1) if days_to_pay else None,
        late_count=len(late_ids),
        late_amount_cents=late_amount,
        late_invoice_ids=late_ids,
        late_interest_cents=interest,
        late_indemnity_cents=indemnity,
    )
