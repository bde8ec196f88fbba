"""Invoice status history: furthest stage, overlays, deadlines and statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.invoices.statistics import InvoiceFacts, invoice_statistics
from backend.invoices.statuses import (
    Stage,
    StatusEvent,
    certification_standing,
    current_status,
    normalise_code,
    payment_deadline,
    service_done_standing,
    worth_telling,
)

T0 = datetime(2026, 1, 5, 10, tzinfo=UTC)


def ev(code: str, day: float, reason: str = "") -> StatusEvent:
    return StatusEvent(code, T0 + timedelta(days=day), reason)


def test_furthest_stage_whatever_the_arrival_order() -> None:
    events = [ev("MANDATEE", 10), ev("DEPOSEE", 0), ev("SERVICE_FAIT", 8)]
    status = current_status(events)
    assert status is not None
    assert (status.code, status.stage) == ("MANDATEE", Stage.PAYMENT_ORDERED)
    assert current_status(list(reversed(events))) == status


def test_steps_may_be_skipped() -> None:
    status = current_status([ev("DEPOSEE", 0), ev("MISE_EN_PAIEMENT", 20)])
    assert status is not None and status.stage == Stage.PAID


def test_open_suspension_shows_with_its_reason_then_completion_resumes() -> None:
    events = [ev("DEPOSEE", 0), ev("MISE_A_DISPOSITION", 1),
              ev("SUSPENDUE", 2, "Bon de commande manquant")]
    status = current_status(events)
    assert status is not None
    assert (status.stage, status.reason) == (Stage.SUSPENDED, "Bon de commande manquant")
    resumed = current_status([*events, ev("COMPLETEE", 5)])
    assert resumed is not None and resumed.code == "COMPLETEE"
    assert resumed.stage == Stage.RECEIVED


def test_rejection_is_final_and_recycling_is_an_overlay() -> None:
    rejected = current_status([ev("DEPOSEE", 0), ev("REJETEE", 3, "Doublon"),
                               ev("MISE_A_DISPOSITION", 4)])
    assert rejected is not None and rejected.stage == Stage.REJECTED
    assert rejected.reason == "Doublon"
    reroute = current_status([ev("DEPOSEE", 0), ev("A_RECYCLER", 1)])
    assert reroute is not None and reroute.stage == Stage.TO_REROUTE
    assert current_status([]) is None


def test_mapping_layer_from_source_codes() -> None:
    assert normalise_code("chorus_pro", " suspendue ") == "SUSPENDUE"
    assert normalise_code("chorus_pro", "INCONNU") is None
    assert normalise_code("unknown_source", "DEPOSEE") is None


def test_deadline_by_organisation_kind_and_interrupted_once() -> None:
    # Interrupted at D+10 with 20 days left, completed D+14: a new 30 days (20 < 30) → D+44.
    events = [ev("DEPOSEE", 0), ev("SUSPENDUE", 10, "pièce"), ev("COMPLETEE", 14),
              ev("MISE_EN_PAIEMENT", 33)]
    state = payment_deadline(events, organisation_kind="state", now=T0 + timedelta(days=90))
    assert state is not None
    assert state.interrupted_at == T0 + timedelta(days=10)
    assert state.resumed_at == T0 + timedelta(days=14)
    assert state.balance == timedelta(days=20)
    assert state.due_at == T0 + timedelta(days=44)
    assert not state.late and state.days_to_pay == 33
    late = payment_deadline([ev("DEPOSEE", 0), ev("MISE_EN_PAIEMENT", 33)],
                            organisation_kind="state", now=T0)
    assert late is not None and late.late and late.days_late == 3
    hospital = payment_deadline([ev("DEPOSEE", 0)], organisation_kind="hospital",
                                now=T0 + timedelta(days=45))
    assert hospital is not None and not hospital.late
    assert hospital.due_at == T0 + timedelta(days=50)
    company = payment_deadline([ev("DEPOSEE", 0)], organisation_kind="public_company",
                               now=T0 + timedelta(days=61))
    assert company is not None and company.late


def test_open_interruption_has_no_deadline_and_is_never_late() -> None:
    events = [ev("DEPOSEE", 0), ev("SUSPENDUE", 20, "x")]
    at_400 = payment_deadline(events, organisation_kind="state", now=T0 + timedelta(days=400))
    assert at_400 is not None and not at_400.late and at_400.due_at is None
    assert at_400.balance == timedelta(days=10)


def test_statistics_per_stage_median_and_late() -> None:
    now = T0 + timedelta(days=100)
    invoices = [
        InvoiceFacts("a", 10000, "state", (ev("DEPOSEE", 0), ev("MISE_EN_PAIEMENT", 10))),
        InvoiceFacts("b", 20000, "state", (ev("DEPOSEE", 0), ev("MISE_EN_PAIEMENT", 40))),
        InvoiceFacts("c", 5000, "state", (ev("DEPOSEE", 0), ev("MISE_EN_PAIEMENT", 20))),
        InvoiceFacts("d", 7000, "state", (ev("DEPOSEE", 90),)),
        InvoiceFacts("e", 3000, "state", (ev("DEPOSEE", 0), ev("REJETEE", 2, "x"))),
    ]
    stats = invoice_statistics(invoices, now=now)
    by_stage = {s.stage: (s.count, s.amount_cents) for s in stats.stages}
    assert by_stage[Stage.PAID] == (3, 35000)
    assert by_stage[Stage.SUBMITTED] == (1, 7000)
    assert by_stage[Stage.REJECTED] == (1, 3000)
    assert stats.median_days_to_payment == 20
    assert (stats.late_count, stats.late_amount_cents, stats.late_invoice_ids) == (1, 20000, ["b"])


def test_revoked_service_done_is_void_until_certified_again() -> None:
    certified = [ev("DEPOSEE", 0), ev("MISE_A_DISPOSITION", 1), ev("SERVICE_FAIT", 5)]
    revoked = [*certified, ev("SERVICE_FAIT_ANNULE", 6, "Livraison non conforme")]
    status = current_status(revoked)
    assert status is not None
    assert (status.code, status.stage, status.reason, status.furthest_code) == (
        "SERVICE_FAIT_ANNULE", Stage.RECEIVED, "Livraison non conforme", "MISE_A_DISPOSITION")
    assert not service_done_standing(revoked)
    again = [*revoked, ev("SERVICE_FAIT", 7)]
    status = current_status(list(reversed(again)))
    assert status is not None and status.code == "SERVICE_FAIT"
    assert service_done_standing(again)


def test_only_nomade_records_its_own_codes() -> None:
    assert normalise_code("chorus_pro", "SERVICE_FAIT_ANNULE") is None
    assert normalise_code("chorus_pro", "service_fait_annule", internal=True) == (
        "SERVICE_FAIT_ANNULE")


def test_worth_telling_only_a_new_stage_the_event_brought() -> None:
    submitted = [ev("DEPOSEE", 0)]
    certified = [*submitted, ev("SERVICE_FAIT", 5)]
    assert worth_telling(None, current_status(submitted), "DEPOSEE")
    assert not worth_telling(current_status(submitted),
                             current_status([*submitted, ev("DEPOSEE", 1)]), "DEPOSEE")
    assert not worth_telling(current_status(submitted),
                             current_status([*submitted, ev("EN_COURS_ACHEMINEMENT", 1)]),
                             "EN_COURS_ACHEMINEMENT")
    late = [*certified, ev("MISE_A_DISPOSITION", 3)]
    assert not worth_telling(current_status(certified), current_status(late),
                             "MISE_A_DISPOSITION")
    suspended = [*certified, ev("SUSPENDUE", 6, "RIB")]
    assert worth_telling(current_status(certified), current_status(suspended), "SUSPENDUE")
    asked_again = [*suspended, ev("SUSPENDUE", 7, "Kbis")]
    assert worth_telling(current_status(suspended), current_status(asked_again), "SUSPENDUE")


def test_a_partial_certification_stands_until_revoked_but_is_not_whole_service_done() -> None:
    partial = [ev("DEPOSEE", 0), ev("SERVICE_FAIT_PARTIEL", 5)]
    assert certification_standing(partial)
    assert not service_done_standing(partial)  # a later whole certification still stamps it
    revoked = [*partial, ev("SERVICE_FAIT_ANNULE", 6, "Rien reçu finalement")]
    assert not certification_standing(revoked)
