"""The stored "late from" instant agrees with the deadline computed from the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.invoices.statuses import CODES, StatusEvent, late_from, payment_deadline

T0 = datetime(2026, 1, 5, 10, tzinfo=UTC)


def ev(code: str, day: float) -> StatusEvent:
    return StatusEvent(code, T0 + timedelta(days=day), "motif")


def test_unpaid_invoice_is_late_from_its_deadline() -> None:
    assert late_from([ev("DEPOSEE", 0)], organisation_kind="state") == T0 + timedelta(days=30)
    assert late_from([ev("DEPOSEE", 0)], organisation_kind="hospital") == T0 + timedelta(days=50)


def test_closed_suspension_moves_the_deadline() -> None:
    # One interruption: a new 30 days from the completion (20 days were left, fewer than 30).
    events = [ev("DEPOSEE", 0), ev("SUSPENDUE", 10), ev("COMPLETEE", 14)]
    assert late_from(events, organisation_kind="state") == T0 + timedelta(days=44)


def test_suspended_before_the_deadline_is_never_late_while_suspended() -> None:
    assert late_from([ev("DEPOSEE", 0), ev("SUSPENDUE", 20)], organisation_kind="state") is None


def test_suspended_after_the_deadline_stays_late() -> None:
    events = [ev("DEPOSEE", 0), ev("SUSPENDUE", 40)]
    assert late_from(events, organisation_kind="state") == T0 + timedelta(days=30)


def test_paid_in_time_never_late_paid_late_stays_late() -> None:
    assert late_from([ev("DEPOSEE", 0), ev("MISE_EN_PAIEMENT", 20)],
                     organisation_kind="state") is None
    assert late_from([ev("DEPOSEE", 0), ev("MISE_EN_PAIEMENT", 33)],
                     organisation_kind="state") == T0 + timedelta(days=30)


def test_rejected_or_unknown_history_is_never_late() -> None:
    assert late_from([ev("DEPOSEE", 0), ev("REJETEE", 5)], organisation_kind="state") is None
    assert late_from([], organisation_kind="state") is None


_events = st.lists(
    st.builds(ev, st.sampled_from(sorted(CODES)), st.integers(0, 120).map(float)),
    min_size=1, max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(events=_events, after=st.integers(0, 200 * 24),
       kind=st.sampled_from(["state", "hospital", "public_company"]))
def test_agrees_with_the_deadline_at_any_later_time(
    events: list[StatusEvent], after: int, kind: str
) -> None:
    now = max(e.occurred_at for e in events) + timedelta(hours=after)
    deadline = payment_deadline(events, organisation_kind=kind, now=now)
    expected = deadline is not None and deadline.late
    instant = late_from(events, organisation_kind=kind)
    assert (instant is not None and instant < now) == expected
