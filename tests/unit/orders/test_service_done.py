"""Service done: monotonic certification, revocation with a reason, assisted proposal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.orders.service_done import (
    InvoiceLineFacts,
    OrderLineFacts,
    OrderState,
    certified_amount_cents,
    certify,
    order_state,
    propose_from_invoice,
    revoke,
)
from backend.workflow import WorkflowRefusal

D = Decimal
LINES = [OrderLineFacts(1, D(10), D(0), 1250, "Ramettes A4"),
         OrderLineFacts(2, D(2), D(0), 45000, "Écran 27 pouces")]


def with_received(received: dict[int, Decimal]) -> list[OrderLineFacts]:
    return [OrderLineFacts(line.line_no, line.ordered, received.get(line.line_no, line.received),
                           line.unit_price_cents, line.description) for line in LINES]


def test_whole_order_and_partial_certification() -> None:
    whole = certify(LINES, None, round_seen=0, current_round=0)
    assert whole.received == {1: D(10), 2: D(2)}
    assert order_state(with_received(whole.received)) == OrderState.RECEIVED
    part = certify(LINES, {1: D(4)}, round_seen=0, current_round=0)
    assert part.kind == "apply" and part.received == {1: D(4), 2: D(0)}
    after = with_received(part.received)
    assert order_state(after) == OrderState.PARTIALLY_RECEIVED
    assert certified_amount_cents(after) == 5000
    assert order_state(LINES) == OrderState.OPEN


def test_a_stale_device_cannot_lower_a_certification() -> None:
    current = with_received({1: D(8)})
    stale = certify(current, {1: D(4)}, round_seen=0, current_round=0)
    assert stale.kind == "noop" and stale.received[1] == D(8)
    mixed = certify(current, {1: D(4), 2: D(1)}, round_seen=0, current_round=0)
    assert mixed.received == {1: D(8), 2: D(1)} and mixed.raised == {2: D(1)}


def test_certification_refusals() -> None:
    cases = [({1: D(11)}, 0, "QUANTITY_EXCEEDS_ORDERED"), ({3: D(1)}, 0, "ORDER_LINE_UNKNOWN"),
             ({1: D(-1)}, 0, "QUANTITY_INVALID"), ({}, 0, "CERTIFICATION_EMPTY"),
             ({1: D(1)}, 1, "STATE_CHANGED")]
    for quantities, current_round, code in cases:
        with pytest.raises(WorkflowRefusal) as refused:
            certify(LINES, quantities, round_seen=0, current_round=current_round)
        assert refused.value.code == code


def test_revocation_needs_a_reason_and_something_certified() -> None:
    current = with_received({1: D(8), 2: D(2)})
    assert revoke(current, [2], "Écran défectueux") == {1: D(8), 2: D(0)}
    assert revoke(current, None, "Erreur") == {1: D(0), 2: D(0)}
    for lines, nos, reason, code in ((current, None, " ", "REASON_REQUIRED"),
                                     (LINES, None, "x", "NOTHING_TO_REVOKE"),
                                     (current, [9], "x", "ORDER_LINE_UNKNOWN")):
        with pytest.raises(WorkflowRefusal) as refused:
            revoke(lines, nos, reason)
        assert refused.value.code == code


def test_assisted_proposal_from_invoice_lines() -> None:
    current = with_received({1: D(3)})
    proposal = propose_from_invoice(current, [
        InvoiceLineFacts(D(6), 1250, order_line_no=1),
        InvoiceLineFacts(D(5), 45000, description="écran 27 pouces "),
        InvoiceLineFacts(D(1), 999, description="Livraison"),
    ])
    assert proposal == {1: D(6), 2: D(2)}
    assert propose_from_invoice(current, [InvoiceLineFacts(D(1), 1250, 1)]) == {1: D(3)}
