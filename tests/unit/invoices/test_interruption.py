"""The payment deadline is interrupted once, then a new deadline opens (R.2192-27 to R.2192-29,
worked examples of ``domain.md``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.invoices.statuses import PAYMENT_DAYS, StatusEvent, payment_deadline

D = datetime(2026, 3, 2, 9, tzinfo=UTC)
LATER = D + timedelta(days=1000)


def ev(code: str, day: float) -> StatusEvent:
    return StatusEvent(code, D + timedelta(days=day), "pièce manquante")


def due(events: list[StatusEvent], kind: str = "state") -> datetime | None:
    deadline = payment_deadline(events, organisation_kind=kind, now=LATER)
    assert deadline is not None
    return deadline.due_at


def test_worked_example_state_a_new_thirty_days() -> None:
    # Received D, interrupted D+9 (21 days left), completed D+34 → due D+64.
    events = [ev("DEPOSEE", 0), ev("SUSPENDUE", 9), ev("COMPLETEE", 34)]
    assert due(events) == D + timedelta(days=64)


def test_worked_example_hospital_the_larger_balance() -> None:
    # Hospital (50 days), same dates: 41 days left > 30 → due D+75.
    events = [ev("DEPOSEE", 0), ev("SUSPENDUE", 9), ev("COMPLETEE", 34)]
    assert due(events, "hospital") == D + timedelta(days=75)


def test_a_second_suspension_does_not_interrupt_again() -> None:
    # The case: two suspensions gave "paused 13 days, due 12-14" under the old rule.
    once = [ev("DEPOSEE", 0), ev("SUSPENDUE", 9), ev("COMPLETEE", 34)]
    twice = [*once, ev("SUSPENDUE", 40), ev("COMPLETEE", 53)]
    assert due(twice) == due(once) == D + timedelta(days=64)
    still_open = [*once, ev("SUSPENDUE", 40)]
    late = payment_deadline(still_open, organisation_kind="state", now=D + timedelta(days=70))
    assert late is not None and late.late and late.days_late == 6


def test_a_suspension_after_the_deadline_or_the_payment_order_does_not_interrupt() -> None:
    assert due([ev("DEPOSEE", 0), ev("SUSPENDUE", 31), ev("COMPLETEE", 60)]) == (
        D + timedelta(days=30))
    assert due([ev("DEPOSEE", 0), ev("MANDATEE", 5), ev("SUSPENDUE", 9),
                ev("COMPLETEE", 34)]) == D + timedelta(days=30)


_kinds = st.sampled_from(sorted(PAYMENT_DAYS))


@settings(max_examples=300, deadline=None)
@given(kind=_kinds, cut=st.integers(0, 59), gap=st.integers(1, 200),
       second=st.integers(1, 300), second_gap=st.integers(1, 100))
def test_new_deadline_is_the_larger_of_thirty_days_and_the_balance(
    kind: str, cut: int, gap: int, second: int, second_gap: int
) -> None:
    days = PAYMENT_DAYS[kind]
    if cut >= days:
        cut = days - 1
    first = [ev("DEPOSEE", 0), ev("SUSPENDUE", cut), ev("COMPLETEE", cut + gap)]
    expected = D + timedelta(days=cut + gap + max(30, days - cut))
    assert due(first, kind) == expected
    # Whatever comes later, a second suspension moves nothing.
    again = cut + gap + second
    assert due([*first, ev("SUSPENDUE", again), ev("COMPLETEE", again + second_gap)],
               kind) == expected
    # Never earlier than a plain deadline with no interruption at all.
    assert expected > D + timedelta(days=days)


@settings(max_examples=300, deadline=None)
@given(kind=_kinds, cut=st.integers(0, 59), wait=st.integers(0, 2000))
def test_while_interrupted_no_deadline_runs(kind: str, cut: int, wait: int) -> None:
    cut = min(cut, PAYMENT_DAYS[kind] - 1)
    events = [ev("DEPOSEE", 0), ev("SUSPENDUE", cut)]
    deadline = payment_deadline(events, organisation_kind=kind,
                                now=D + timedelta(days=cut + wait))
    assert deadline is not None
    assert deadline.due_at is None and not deadline.late
    assert deadline.balance == timedelta(days=PAYMENT_DAYS[kind] - cut)
