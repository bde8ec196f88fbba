"""Invoice status events → what users see (pure: no web or database import).

Chorus Pro codes (``domain.md``) are stored as they come; a mapping layer turns a source's code
into an internal code and each internal code into a user stage. The history is an unordered set
of events: the current status is the furthest stage reached, with two overlays — an open
suspension (SUSPENDUE not yet followed by a later event) or an open re-routing request
(A_RECYCLER) — and REJETEE final. No strict machine is enforced: recipients skip steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = (
    "ACTION_STAGES",
    "CERTIFYING",
    "CODES",
    "INTERNAL_CODES",
    "NEW_DEADLINE_DAYS",
    "PAYMENT_DAYS",
    "REASON_REQUIRED",
    "SOURCE_CODES",
    "CurrentStatus",
    "Deadline",
    "Stage",
    "StatusEvent",
    "certification_standing",
    "current_status",
    "days_late",
    "late_from",
    "normalise_code",
    "payment_deadline",
    "service_done_standing",
    "stage_of",
    "worth_telling",
)


class Stage(StrEnum):
    """What a supplier sees (several source codes may share a stage)."""

    SUBMITTED = "submitted"
    RECEIVED = "received"
    SUSPENDED = "suspended"
    TO_REROUTE = "to_reroute"
    REJECTED = "rejected"
    SERVICE_DONE = "service_done"
    SERVICE_PARTLY_DONE = "service_partly_done"
    PAYMENT_ORDERED = "payment_ordered"
    PAID = "paid"


# Stages where the supplier must act: complete, re-route, or acknowledge and invoice again.
ACTION_STAGES = frozenset({Stage.SUSPENDED, Stage.TO_REROUTE, Stage.REJECTED})

# Internal code → (rank on the main path, stage). Rank 0 = overlay code, never "furthest".
CODES: dict[str, tuple[int, Stage]] = {
    "DEPOSEE": (1, Stage.SUBMITTED),
    "EN_COURS_ACHEMINEMENT": (2, Stage.SUBMITTED),
    "MISE_A_DISPOSITION": (3, Stage.RECEIVED),
    "PRISE_EN_COMPTE_DESTINATAIRE": (4, Stage.RECEIVED),
    "COMPLETEE": (5, Stage.RECEIVED),
    "SERVICE_FAIT": (6, Stage.SERVICE_DONE),
    "MANDATEE": (7, Stage.PAYMENT_ORDERED),
    "MISE_A_DISPOSITION_COMPTABLE": (8, Stage.PAYMENT_ORDERED),
    "COMPTABILISEE": (9, Stage.PAYMENT_ORDERED),
    "MISE_EN_PAIEMENT": (10, Stage.PAID),
    "SUSPENDUE": (0, Stage.SUSPENDED),
    "A_RECYCLER": (0, Stage.TO_REROUTE),
    "REJETEE": (0, Stage.REJECTED),
    "SERVICE_FAIT_ANNULE": (0, Stage.RECEIVED),
    # Part of the invoice certified (the rest not yet delivered): carries the amount certified.
    "SERVICE_FAIT_PARTIEL": (0, Stage.SERVICE_PARTLY_DONE),
}
# Codes Nomade records itself, never accepted from a source system: service done revoked on
# the purchase order voids the SERVICE_FAIT events recorded before it.
INTERNAL_CODES = frozenset({"SERVICE_FAIT_ANNULE", "SERVICE_FAIT_PARTIEL"})
REASON_REQUIRED = frozenset({"SUSPENDUE", "REJETEE", "SERVICE_FAIT_ANNULE"})
FINAL = frozenset({"REJETEE", "MISE_EN_PAIEMENT"})

# Source system → its codes → internal codes. New lifecycle codes of the 2026 e-invoicing
# reform are added here as a new source, without touching the stages users see.
SOURCE_CODES: dict[str, dict[str, str]] = {
    "chorus_pro": {code: code for code in CODES if code not in INTERNAL_CODES},
}
_OVERLAYS = ("SUSPENDUE", "A_RECYCLER", "SERVICE_FAIT_ANNULE", "SERVICE_FAIT_PARTIEL")
CERTIFYING = frozenset({"SERVICE_FAIT", "SERVICE_FAIT_PARTIEL"})


def normalise_code(source: str, code: str, *, internal: bool = False) -> str | None:
    """The internal code of ``code`` sent by ``source`` (None when unknown). ``internal``:
    Nomade records the event itself (service done certified or revoked in Nomade, the
    supplier's COMPLETEE), so every internal code is accepted."""
    cleaned = code.strip().upper()
    if internal and cleaned in CODES:
        return cleaned
    return SOURCE_CODES.get(source, {}).get(cleaned)


def stage_of(code: str) -> Stage:
    return CODES[code][1]


@dataclass(frozen=True)
class StatusEvent:
    """One status event of an invoice (``occurred_at``: when the source says it happened)."""

    code: str
    occurred_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class CurrentStatus:
    code: str
    stage: Stage
    since: datetime
    reason: str
    furthest_code: str


def _voided(event: StatusEvent, ordered: Sequence[StatusEvent]) -> bool:
    """A (partial) SERVICE_FAIT event is void once service done was revoked after it."""
    return event.code in CERTIFYING and any(
        e.code == "SERVICE_FAIT_ANNULE" and e.occurred_at > event.occurred_at for e in ordered)


def service_done_standing(events: Sequence[StatusEvent]) -> bool:
    """Whether a SERVICE_FAIT event stands (recorded and not revoked since)."""
    return any(e.code == "SERVICE_FAIT" and not _voided(e, events) for e in events)


def certification_standing(events: Sequence[StatusEvent]) -> bool:
    """Whether service done, whole or partial, stands (what a revocation must void)."""
    return any(e.code in CERTIFYING and not _voided(e, events) for e in events)


def current_status(events: Sequence[StatusEvent]) -> CurrentStatus | None:
    """The status to show from an unordered event history (None when there is none)."""
    known = [e for e in events if e.code in CODES]
    if not known:
        return None
    # Stable: of two events at the same instant, the one recorded later counts as later (the
    # stored history keeps arrival order among equal times).
    ordered = sorted(known, key=lambda e: e.occurred_at)
    progress = [e for e in ordered if CODES[e.code][0] > 0 and not _voided(e, ordered)]
    furthest = max(progress, key=lambda e: (CODES[e.code][0], e.occurred_at)) if progress else None
    rejected = [e for e in ordered if e.code == "REJETEE"]
    if rejected and not (furthest and furthest.code == "MISE_EN_PAIEMENT"):
        event = rejected[-1]
        return CurrentStatus(event.code, Stage.REJECTED, event.occurred_at, event.reason,
                             furthest.code if furthest else event.code)
    last = ordered[-1]
    if last.code in _OVERLAYS and not (
        furthest and furthest.code == "MISE_EN_PAIEMENT"
    ):
        return CurrentStatus(last.code, stage_of(last.code), last.occurred_at, last.reason,
                             furthest.code if furthest else last.code)
    if furthest is None:  # only revoked service done so far
        return CurrentStatus(last.code, stage_of(last.code), last.occurred_at, last.reason,
                             last.code)
    return CurrentStatus(furthest.code, stage_of(furthest.code), furthest.occurred_at,
                         furthest.reason, furthest.code)


def worth_telling(before: CurrentStatus | None, after: CurrentStatus | None, code: str) -> bool:
    """Whether recording an event ``code`` changed what the supplier sees enough to push it.

    Only when the event itself is now the status shown and the stage shown changed (one push
    per stage: DEPOSEE twice, or EN_COURS_ACHEMINEMENT after DEPOSEE, push once), or an
    action-needing status came with a new reason, or more of the invoice was certified. A late
    event for an earlier stage changes nothing shown, so it never pushes.
    """
    if after is None or after.code != code:
        return False
    if before is None or before.stage != after.stage:
        return True
    # a partial service done is recorded only when the certified amount grew: tell it
    return ((code in REASON_REQUIRED and before.reason != after.reason)
            or code == "SERVICE_FAIT_PARTIEL")


# Délai global de paiement (Code de la commande publique R.2192-10/11), by organisation kind.
PAYMENT_DAYS: Mapping[str, int] = {"state": 30, "local": 30, "hospital": 50,
                                   "public_company": 60}
# After the one interruption (R.2192-28): a new deadline of this many days, or the balance left
# when the interruption was notified if that is larger.
NEW_DEADLINE_DAYS = 30
# Codes at or past the payment order (ordonnancement): an interruption must come before it.
_ORDERED_RANK = CODES["MANDATEE"][0]


@dataclass(frozen=True)
class Deadline:
    """The legal payment deadline of an invoice and whether it is (or was) missed.

    ``due_at`` is None while the deadline is interrupted (R.2192-27: the buyer asked for
    missing documents and has not received them yet); ``interrupted_at``/``resumed_at`` say when
    the one interruption began and ended, ``balance`` how long was left when it began.
    """

    starts_at: datetime
    due_at: datetime | None
    interrupted_at: datetime | None
    resumed_at: datetime | None
    balance: timedelta | None
    paid_at: datetime | None
    late: bool
    days_late: int
    days_to_pay: float | None


@dataclass(frozen=True)
class _Interruption:
    at: datetime
    balance: timedelta
    resumed_at: datetime | None


def _interruption(ordered: Sequence[StatusEvent], first_due: datetime) -> _Interruption | None:
    """The one interruption (R.2192-27..29), if the first suspension was one.

    Only the first SUSPENDUE can interrupt, and only before the deadline has run out and before
    the payment order; a later suspension never interrupts again. The interruption ends at the
    first later event other than a suspension (the supplier's COMPLETEE, or the buyer moving on
    with the documents in hand).
    """
    first = next((e for e in ordered if e.code == "SUSPENDUE"), None)
    if first is None or first.occurred_at >= first_due:
        return None
    if any(CODES[e.code][0] >= _ORDERED_RANK and e.occurred_at <= first.occurred_at
           for e in ordered):
        return None
    resumed = next((e.occurred_at for e in ordered
                    if e.occurred_at > first.occurred_at and e.code != "SUSPENDUE"), None)
    return _Interruption(first.occurred_at, first_due - first.occurred_at, resumed)


def days_late(due_at: datetime, at: datetime) -> int:
    """Days late at ``at``: whole days past ``due_at``, at least 1 once past it (0 before)."""
    late_by = at - due_at
    return max(late_by.days, 1) if late_by > timedelta() else 0


def payment_deadline(
    events: Sequence[StatusEvent], *, organisation_kind: str, now: datetime
) -> Deadline | None:
    """The deadline from the first event (receipt of the payment request), with at most one
    interruption after which a new deadline opens (None if not submitted or rejected)."""
    known = sorted((e for e in events if e.code in CODES), key=lambda e: e.occurred_at)
    if not known or any(e.code == "REJETEE" for e in known):
        return None
    starts_at = known[0].occurred_at
    paid = [e.occurred_at for e in known if e.code == "MISE_EN_PAIEMENT"]
    paid_at = paid[0] if paid else None
    first_due = starts_at + timedelta(days=PAYMENT_DAYS.get(organisation_kind, 30))
    cut = _interruption(known, first_due)
    due_at: datetime | None = first_due
    if cut is not None:
        renewed = max(timedelta(days=NEW_DEADLINE_DAYS), cut.balance)
        due_at = cut.resumed_at + renewed if cut.resumed_at is not None else None
    end = paid_at or now
    late_by = end - due_at if due_at is not None else timedelta()
    late = late_by > timedelta()
    return Deadline(
        starts_at=starts_at,
        due_at=due_at,
        interrupted_at=cut.at if cut else None,
        resumed_at=cut.resumed_at if cut else None,
        balance=cut.balance if cut else None,
        paid_at=paid_at,
        late=late,
        days_late=days_late(due_at, end) if due_at is not None else 0,
        days_to_pay=(paid_at - starts_at).total_seconds() / 86400 if paid_at else None,
    )


def late_from(events: Sequence[StatusEvent], *, organisation_kind: str) -> datetime | None:
    """The instant after which the invoice counts as late, as long as no new event comes.

    None when it cannot become late as things stand: not submitted, rejected, paid in time, or
    interrupted (no deadline runs until the documents asked for arrive). Stored beside the
    invoice, it lets the database answer "late at ``now``" as ``late_from < now``, which is
    what :func:`payment_deadline` says for any ``now`` after the last event.
    """
    known = [e for e in events if e.code in CODES]
    if not known:
        return None
    settled = payment_deadline(known, organisation_kind=organisation_kind,
                               now=max(e.occurred_at for e in known))
    if settled is None or settled.due_at is None:
        return None
    if settled.paid_at is not None and settled.paid_at <= settled.due_at:
        return None
    return settled.due_at
