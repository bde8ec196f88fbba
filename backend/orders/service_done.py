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

from backend.workflow import WorkflowRefusal

__all__ = (
    "CertificationResult",
    "InvoiceLineFacts",
    "OrderLineFacts",
    "OrderState",
    "certified_amount_cents",
    "certify",
    "order_state",
    "propose_from_invoice",
    "revoke",
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
        no = item.order_line_no
        if no is None or no not in by_no:
            no = next((line.line_no for line in lines
                       if line.unit_price_cents == item.unit_price_cents
                       and line.description.strip().lower() == item.description.strip().lower()),
                      None)
        if no is None:
            continue
        invoiced[no] = invoiced.get(no, Decimal(0)) + item.quantity
    return {no: min(by_no[no].ordered, max(by_no[no].received, quantity))
            for no, quantity in invoiced.items()}
