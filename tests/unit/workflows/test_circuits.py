"""Mission and claim circuits: every transition and every refusal code, without I/O."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import msgspec
import pytest

from backend.claims.rules import CLAIM_CIRCUIT, ClaimState, LineAmount, claim_totals, to_eur_cents
from backend.missions.rules import MISSION_CIRCUIT, MissionState, urgency
from backend.workflow import WorkflowRefusal, content_hash

M = MissionState


class _Trip(msgspec.Struct, frozen=True):
    purpose: str
    destination: str


H = content_hash(_Trip("Audit", "Lyon"))

MISSION_MOVES = [
    ("submit", M.DRAFT, M.SUBMITTED),
    ("submit", M.RETURNED, M.SUBMITTED),
    ("cancel", M.DRAFT, M.CANCELLED),
    ("cancel", M.SUBMITTED, M.CANCELLED),
    ("cancel", M.RETURNED, M.CANCELLED),
    ("cancel", M.APPROVED, M.CANCELLED),
    ("amend", M.APPROVED, M.DRAFT),
    ("approve", M.SUBMITTED, M.APPROVED),
    ("refuse", M.SUBMITTED, M.REFUSED),
    ("return", M.SUBMITTED, M.RETURNED),
]


@pytest.mark.parametrize(("command", "source", "target"), MISSION_MOVES)
def test_every_mission_transition_applies(command: str, source: str, target: str) -> None:
    outcome = MISSION_CIRCUIT.check(command, current=source, expected=source, seen_hash=H,
                                    current_hash=H)
    assert (outcome.kind, outcome.target) == ("apply", target)


def test_commands_outside_the_circuit_are_invalid() -> None:
    allowed = {(c, s) for c, s, _ in MISSION_MOVES}
    for command in MISSION_CIRCUIT.commands:
        for state in M:
            if (command, state) in allowed or state == MISSION_CIRCUIT.transition(command).target:
                continue
            with pytest.raises(WorkflowRefusal) as refused:
                MISSION_CIRCUIT.check(command, current=state, expected=state, seen_hash=H,
                                      current_hash=H)
            assert refused.value.code in {"INVALID_TRANSITION", "ALREADY_DECIDED"}


def test_same_decision_twice_is_a_noop_and_another_is_already_decided() -> None:
    again = MISSION_CIRCUIT.check("approve", current=M.APPROVED, expected=M.SUBMITTED,
                                  seen_hash=H, current_hash=H)
    assert again.kind == "noop"
    with pytest.raises(WorkflowRefusal) as refused:
        MISSION_CIRCUIT.check("refuse", current=M.APPROVED, expected=M.SUBMITTED, seen_hash=H,
                              current_hash=H)
    assert refused.value.code == "ALREADY_DECIDED"


def test_approving_a_cancelled_mission_is_refused_as_decided() -> None:
    with pytest.raises(WorkflowRefusal) as refused:
        MISSION_CIRCUIT.check("approve", current=M.CANCELLED, expected=M.SUBMITTED, seen_hash=H)
    assert refused.value.code == "ALREADY_DECIDED"


def test_decision_after_the_agent_took_it_back_is_state_changed() -> None:
    with pytest.raises(WorkflowRefusal) as refused:
        MISSION_CIRCUIT.check("approve", current=M.RETURNED, expected=M.SUBMITTED, seen_hash=H,
                              current_hash=H)
    assert refused.value.code == "STATE_CHANGED"
    assert refused.value.details["state"] == "returned"


def test_decision_on_changed_content_is_refused() -> None:
    changed = content_hash(_Trip("Audit", "Marseille"))
    with pytest.raises(WorkflowRefusal) as refused:
        MISSION_CIRCUIT.check("approve", current=M.SUBMITTED, expected=M.SUBMITTED, seen_hash=H,
                              current_hash=changed)
    assert refused.value.code == "CONTENT_CHANGED"


def test_decision_without_the_seen_hash_is_refused() -> None:
    with pytest.raises(WorkflowRefusal) as refused:
        MISSION_CIRCUIT.check("approve", current=M.SUBMITTED, expected=M.SUBMITTED)
    assert refused.value.code == "CONTENT_HASH_REQUIRED"


class _AB(msgspec.Struct, frozen=True):
    a: int
    b: list[int]


class _BA(msgspec.Struct, frozen=True):
    b: list[int]
    a: int


def test_content_hash_ignores_field_order_and_sees_values() -> None:
    assert content_hash(_AB(1, [1, 2])) == content_hash(_BA([1, 2], 1))
    assert content_hash(_AB(1, [1, 2])) != content_hash(_AB(2, [1, 2]))


def test_urgency_from_the_earliest_booking() -> None:
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    soon = urgency([now + timedelta(days=3), now + timedelta(hours=5), None], now=now)
    assert soon.urgent and not soon.expired and soon.earliest_expiry == now + timedelta(hours=5)
    assert not urgency([now + timedelta(days=2)], now=now).urgent
    assert urgency([now + timedelta(days=2)], now=now, window=timedelta(days=3)).urgent
    assert urgency([now - timedelta(minutes=1)], now=now).expired
    assert not urgency([], now=now).urgent


C = ClaimState
CLAIM_MOVES = [
    ("submit", C.DRAFT, C.SUBMITTED), ("submit", C.RETURNED, C.SUBMITTED),
    ("approve", C.SUBMITTED, C.APPROVED), ("refuse", C.SUBMITTED, C.REFUSED),
    ("return", C.SUBMITTED, C.RETURNED), ("mark_paid", C.APPROVED, C.PAID),
    ("withdraw", C.SUBMITTED, C.DRAFT),
]


@pytest.mark.parametrize(("command", "source", "target"), CLAIM_MOVES)
def test_every_claim_transition_applies(command: str, source: str, target: str) -> None:
    outcome = CLAIM_CIRCUIT.check(command, current=source, expected=source, seen_hash=H,
                                  current_hash=H)
    assert (outcome.kind, outcome.target) == ("apply", target)


def test_a_claim_is_paid_only_once_approved() -> None:
    with pytest.raises(WorkflowRefusal) as refused:
        CLAIM_CIRCUIT.check("mark_paid", current=C.SUBMITTED, expected=C.SUBMITTED)
    assert refused.value.code == "INVALID_TRANSITION"
    assert CLAIM_CIRCUIT.check("mark_paid", current=C.PAID, expected=C.APPROVED).kind == "noop"


def test_foreign_lines_are_converted_and_rounded_half_up_per_line() -> None:
    assert to_eur_cents(1000, "EUR", None) == 1000
    assert to_eur_cents(1001, "CHF", Decimal("1.05")) == 1051  # 1051.05
    assert to_eur_cents(10, "USD", Decimal("0.85")) == 9  # 8.5 → 9
    with pytest.raises(ValueError):
        to_eur_cents(100, "GBP", None)
    totals = claim_totals([
        LineAmount(2000, vat_cents=182),
        LineAmount(10, "USD", Decimal("0.85")),
        LineAmount(10, "USD", Decimal("0.85")),
    ])
    assert totals.total_cents == 2018
    assert totals.vat_cents == 182
    assert (totals.line_count, totals.foreign_line_count) == (3, 2)


class _Figures(msgspec.Struct, frozen=True, kw_only=True):
    b: Decimal
    a: list[int | str]
    id: UUID


class _Named(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    a: list[int | str]
    b: Decimal


class _Booked(msgspec.Struct, frozen=True, kw_only=True):
    b: int
    a: str
    booking: dict[str, int]


def test_content_hash_is_canonical() -> None:
    a = _Figures(b=Decimal("12.50"), a=[1, "é"], id=UUID(int=1))
    b = _Named(id=UUID(int=1), a=[1, "é"], b=Decimal("12.50"))
    assert content_hash(a) == content_hash(b)
    assert len(content_hash(a)) == 64
    assert content_hash(a) != content_hash(_Figures(b=Decimal("12.51"), a=[1, "é"], id=UUID(int=1)))
    # canonical form is sorted keys (fields and the keys of what they hold), no spaces, UTF-8:
    # clients can reproduce it
    expected = hashlib.sha256('{"a":"é","b":1,"booking":{"x":2,"y":1}}'.encode()).hexdigest()
    assert content_hash(_Booked(b=1, a="é", booking={"y": 1, "x": 2})) == expected


def test_what_a_missions_allowance_means_for_its_claim() -> None:
    from backend.claims.rules import allowance_share

    assert not allowance_share({}).computed  # a mission without times: lines as entered
    france = allowance_share({"meals": 5, "nights": 2, "meals_cents": 10000, "abroad_cents": 0,
                              "advance_cents": 0})
    assert (france.allowance_cents, france.covers, france.nights) == (10000, {"meal"}, 2)
    abroad = allowance_share({"meals": 5, "nights": 2, "meals_cents": 0, "abroad_cents": 26100,
                              "advance_cents": 19575, "rate_missing": False})
    assert (abroad.allowance_cents, abroad.advance_cents, abroad.covers) == (
        26100, 19575, {"meal", "lodging"})
    assert not allowance_share({"meals": 5, "nights": 2, "rate_missing": True}).computed
    # Abroad the nights' share (65 % of the daily rate each) is paid on proof of lodging: a
    # claim without a lodging receipt gets the meals' share only (5 × 21 € of 120 € a day).
    unproven = allowance_share({"meals": 5, "nights": 2, "meals_cents": 0, "abroad_cents": 26100,
                                "abroad_nights_cents": 15600, "advance_cents": 19575,
                                "rate_missing": False}, lodging_proven=False)
    assert (unproven.allowance_cents, unproven.advance_cents, unproven.covers) == (
        10500, 19575, {"meal", "lodging"})
    assert abroad.abroad and unproven.abroad and not france.abroad
    # In France the nights are lodging receipts at cost: nothing to take off.
    assert allowance_share({"meals": 5, "nights": 2, "meals_cents": 10000, "abroad_cents": 0},
                           lodging_proven=False).allowance_cents == 10000
