"""Service done shared among an order's invoices: never more than certified, in money."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.orders.service_done import (
    InvoiceFacts,
    InvoiceLineFacts,
    InvoiceShare,
    OrderLineFacts,
    certified_amount_cents,
    share_among_invoices,
)

D = Decimal
# 40 chairs at 25.00 € and 2 desks at 463.00 €: 1,926.00 € before VAT.
ORDER = [OrderLineFacts(1, D(40), D(0), 2500, "Chaise"),
         OrderLineFacts(2, D(2), D(0), 46300, "Bureau")]
WHOLE_ORDER_LINES = [InvoiceLineFacts(D(40), 2500, 1, "Chaise"),
                     InvoiceLineFacts(D(2), 46300, None, "Bureau")]


def received(chairs: int, desks: int) -> list[OrderLineFacts]:
    return [OrderLineFacts(1, D(40), D(chairs), 2500, "Chaise"),
            OrderLineFacts(2, D(2), D(desks), 46300, "Bureau")]


def test_four_invoices_billing_the_whole_order_share_one_order() -> None:
    invoices = [InvoiceFacts(n, WHOLE_ORDER_LINES, 192600) for n in range(4)]
    shares = share_among_invoices(received(40, 2), invoices)
    assert shares[0] == InvoiceShare(192600, True)
    assert [shares[n] for n in (1, 2, 3)] == [InvoiceShare(0, False)] * 3


def test_a_partial_certification_covers_part_of_the_invoice() -> None:
    shares = share_among_invoices(received(25, 0), [InvoiceFacts("F-1", WHOLE_ORDER_LINES,
                                                                 192600)])
    assert shares["F-1"] == InvoiceShare(25 * 2500, False)


def test_two_invoices_each_for_half_the_order() -> None:
    half = [InvoiceLineFacts(D(20), 2500, 1), InvoiceLineFacts(D(1), 46300, 2)]
    invoices = [InvoiceFacts("A", half, 96300), InvoiceFacts("B", half, 96300)]
    assert share_among_invoices(received(20, 1), invoices) == {
        "A": InvoiceShare(96300, True), "B": InvoiceShare(0, False)}
    assert share_among_invoices(received(30, 2), invoices) == {
        "A": InvoiceShare(96300, True), "B": InvoiceShare(10 * 2500 + 46300, False)}


def test_an_invoice_priced_above_the_order_is_certified_at_the_order_price() -> None:
    dearer = [InvoiceLineFacts(D(40), 3000, 1)]
    share = share_among_invoices(received(40, 0), [InvoiceFacts("X", dearer, 120000)])["X"]
    assert share == InvoiceShare(100000, False)


def test_an_invoice_without_lines_takes_what_is_left_of_the_amount() -> None:
    invoices = [InvoiceFacts("lined", [InvoiceLineFacts(D(40), 2500, 1)], 100000),
                InvoiceFacts("bare", [], 100000)]
    shares = share_among_invoices(received(40, 2), invoices)
    assert shares == {"lined": InvoiceShare(100000, True), "bare": InvoiceShare(92600, False)}


invoice_lines = st.lists(st.builds(
    InvoiceLineFacts, st.integers(0, 50).map(Decimal), st.integers(0, 60000),
    st.sampled_from([1, 2, None]), st.sampled_from(["Chaise", "Bureau", "Autre"])), max_size=4)


@settings(max_examples=300, deadline=None)
@given(chairs=st.integers(0, 40), desks=st.integers(0, 2),
       invoices=st.lists(st.tuples(invoice_lines, st.integers(0, 300000)), max_size=5))
def test_never_more_certified_than_the_order(
        chairs: int, desks: int, invoices: list[tuple[list[InvoiceLineFacts], int]]) -> None:
    lines = received(chairs, desks)
    facts = [InvoiceFacts(n, items, amount) for n, (items, amount) in enumerate(invoices)]
    shares = share_among_invoices(lines, facts)
    assert sum(s.certified_cents for s in shares.values()) <= certified_amount_cents(lines)
    for invoice in facts:
        share = shares[invoice.key]
        billed = (sum((i.quantity * i.unit_price_cents for i in invoice.lines), D(0))
                  if invoice.lines else D(invoice.amount_ht_cents))
        assert 0 <= share.certified_cents <= billed
        if share.complete:  # stamped whole only when it is covered whole
            assert share.certified_cents >= billed > 0
