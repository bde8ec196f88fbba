"""Service done on a purchase order: monotonic certification, explicit revocation, and the
"service fait assisté" proposal prefilled from an invoice (pure: no web or database import).

A certification states, per order line, the quantity received so far. It only ever raises
quantities: a stale device sending lower figures cannot undo what was certified. Lowering
happens only by revocation, an explicit command with a reason, which opens a new round; a
certification prepared in an earlier round is refused as STATE_CHANGED.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from backend.workflow import WorkflowRefusal

__all__ = (
    "CertificationResult",
    "InvoiceFacts",
    "InvoiceLineFacts",
    "InvoiceShare",
    "OrderLineFacts",
    "OrderState",
    "certified_amount_cents",
    "certify",
    "order_state",
    "propose_from_invoice",
    "revoke",
    "share_among_invoices",
)


class OrderState(StrEnum):
    OPEN = "open"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"


@dataclass(frozen=True)
class OrderLineFacts:
    line_no: int
    ordered: Decimal
    received: Decimal
    unit_price_cents: int
    description: str = ""


@dataclass(frozen=True)
class CertificationResult:
    kind: str  # "apply" | "noop"
    received: dict[int, Decimal]
    raised: dict[int, Decimal]  # line → new quantity, only the lines that went up


def order_state(lines: Sequence[OrderLineFacts]) -> OrderState:
    if lines and all(line.received >= line.ordered for line in lines):
        return OrderState.RECEIVED
    if any(line.received > 0 for line in lines):
        return OrderState.PARTIALLY_RECEIVED
    return OrderState.OPEN


def certify(
    lines: Sequence[OrderLineFacts],
    quantities: Mapping[int, Decimal] | None,
    *,
    round_seen: int,
    current_round: int,
) -> CertificationResult:
    """Apply a certification (``quantities`` None = the whole order, every line in full)."""
    if round_seen != current_round:
        raise WorkflowRefusal("STATE_CHANGED", {"certification_round": current_round,
                                                "round_seen": round_seen})
    by_no = {line.line_no: line for line in lines}
    wanted = ({no: line.ordered for no, line in by_no.items()} if quantities is None
              else dict(quantities))
    if not wanted:
        raise WorkflowRefusal("CERTIFICATION_EMPTY", {})
    unknown = sorted(set(wanted) - set(by_no))
    if unknown:
        raise WorkflowRefusal("ORDER_LINE_UNKNOWN", {"line_nos": unknown})
    for no, quantity in wanted.items():
        if not quantity.is_finite() or quantity < 0:
            raise WorkflowRefusal("QUANTITY_INVALID", {"line_no": no, "quantity": str(quantity)})
        if quantity > by_no[no].ordered:
            raise WorkflowRefusal("QUANTITY_EXCEEDS_ORDERED", {
                "line_no": no, "quantity": str(quantity), "ordered": str(by_no[no].ordered)})
    received = {no: line.received for no, line in by_no.items()}
    raised = {no: q for no, q in wanted.items() if q > received[no]}
    received.update(raised)
    return CertificationResult("apply" if raised else "noop", received, raised)


def revoke(lines: Sequence[OrderLineFacts], line_nos: Sequence[int] | None,
           reason: str) -> dict[int, Decimal]:
    """Quantities after revoking ``line_nos`` (None = all); a reason is mandatory."""
    if not reason.strip():
        raise WorkflowRefusal("REASON_REQUIRED", {})
    targets = {line.line_no for line in lines} if line_nos is None else set(line_nos)
    unknown = sorted(targets - {line.line_no for line in lines})
    if unknown:
        raise WorkflowRefusal("ORDER_LINE_UNKNOWN", {"line_nos": unknown})
    if not any(line.received > 0 for line in lines if line.line_no in targets):
        raise WorkflowRefusal("NOTHING_TO_REVOKE", {})
    return {line.line_no: (Decimal(0) if line.line_no in targets else line.received)
            for line in lines}


def certified_amount_cents(lines: Sequence[OrderLineFacts]) -> int:
    total = sum((line.received * line.unit_price_cents for line in lines), Decimal(0))
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class InvoiceLineFacts:
    quantity: Decimal
    unit_price_cents: int
    order_line_no: int | None = None
    description: str = ""


def propose_from_invoice(
    lines: Sequence[OrderLineFacts], invoice_lines: Sequence[InvoiceLineFacts]
) -> dict[int, Decimal]:
    """Quantities to certify, prefilled from an invoice ("service fait assisté").

    Pass the lines of every invoice of the order: an invoice line names its order line, or is
    matched on description and unit price. The proposal per line is the quantity invoiced so
    far, never below what is already certified nor beyond the order.
    """
    by_no = {line.line_no: line for line in lines}
    invoiced: dict[int, Decimal] = {}
    for item in invoice_lines:
        no = _order_line_of(item, lines)
        if no is None:
            continue
        invoiced[no] = invoiced.get(no, Decimal(0)) + item.quantity
    return {no: min(by_no[no].ordered, max(by_no[no].received, quantity))
            for no, quantity in invoiced.items()}


def _order_line_of(item: InvoiceLineFacts, lines: Sequence[OrderLineFacts]) -> int | None:
    """The order line an invoice line bills: the one it names, else the one with the same
    description and unit price."""
    if item.order_line_no is not None and any(line.line_no == item.order_line_no
                                              for line in lines):
        return item.order_line_no
    return next((line.line_no for line in lines
                 if line.unit_price_cents == item.unit_price_cents
                 and line.description.strip().lower() == item.description.strip().lower()),
                None)


Key = TypeVar("Key")


@dataclass(frozen=True)
class InvoiceFacts(Generic[Key]):
    """An invoice of the order as the certification sees it (amounts before VAT)."""

    key: Key
    lines: Sequence[InvoiceLineFacts]
    amount_ht_cents: int


@dataclass(frozen=True)
class InvoiceShare:
    """What the certification covers of one invoice: ``certified_cents`` (before VAT, never
    above what it bills) and whether that is the whole invoice."""

    certified_cents: int
    complete: bool


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share_among_invoices(
    lines: Sequence[OrderLineFacts], invoices: Sequence[InvoiceFacts[Key]]
) -> dict[Key, InvoiceShare]:
    """Share what is certified on the order among its invoices, in the order given (those
    already certified first, then the one the certification was made for, then by arrival).

    Each order line's received quantity is used up by the invoice lines billing it, once: four
    invoices each billing the whole order share one order's worth, the first gets it all. An
    invoice line is valued at the lower of its own and the order's unit price, so the sum
    certified across invoices never exceeds the order's certified amount. An invoice without
    lines takes what is left of the certified amount, up to its own amount.
    """
    by_no = {line.line_no: line for line in lines}
    left = {line.line_no: line.received for line in lines}
    left_cents = certified_amount_cents(lines)
    shares: dict[Key, InvoiceShare] = {}
    for invoice in invoices:
        if not invoice.lines:
            taken_cents = max(0, min(invoice.amount_ht_cents, left_cents))
            left_cents -= taken_cents
            shares[invoice.key] = InvoiceShare(
                taken_cents, taken_cents >= invoice.amount_ht_cents > 0)
            continue
        value, billed = Decimal(0), Decimal(0)
        for item in invoice.lines:
            no = _order_line_of(item, lines)
            quantity = max(item.quantity, Decimal(0))
            billed += quantity * item.unit_price_cents
            if no is not None:
                taken = min(quantity, left[no])
                left[no] -= taken
                value += taken * min(item.unit_price_cents, by_no[no].unit_price_cents)
        taken_cents = max(0, min(_cents(value), left_cents))
        left_cents -= taken_cents
        # Whole only when every billed line is covered at the invoice's own prices.
        shares[invoice.key] = InvoiceShare(taken_cents, 0 < _cents(billed) <= taken_cents)
    return shares
