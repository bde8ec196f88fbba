"""Invoice status events → what users see (pure: no web or database import).

Chorus Pro codes (``domain.md``) are stored as they come; a mapping layer turns a source's code
into an internal code and each internal code into a user stage. The history is an unordered set
of events: the current status is the furthest stage reached, with two overlays — an open
suspension (SUSPENDUE not yet followed by a later event) or an open re-routing request
(A_RECYCLER) — and REJETEE final. No strict machine is enforced: recipients skip steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = (
    "CODES",
    "INTERNAL_CODES",
    "PAYMENT_DAYS",
    "REASON_REQUIRED",
    "SOURCE_CODES",
    "CurrentStatus",
    "Deadline",
    "Stage",
    "StatusEvent",
    "current_status",
    "late_from",
    "normalise_code",
    "payment_deadline",
    "service_done_standing",
    "stage_of",
    "suspended_time",
)


class Stage(StrEnum):
    """What a supplier sees (several source codes may share a stage)."""

    SUBMITTED = "submitted"
    RECEIVED = "received"
    SUSPENDED = "suspended"
    TO_REROUTE = "to_reroute"
    REJECTED = "rejected"
    SERVICE_DONE = "service_done"
    PAYMENT_ORDERED = "payment_ordered"
    PAID = "paid"


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
}
# Codes Nomade records itself, never accepted from a source system: service done revoked on
# the purchase order voids the SERVICE_FAIT events recorded before it.
INTERNAL_CODES = frozenset({"SERVICE_FAIT_ANNULE"})
REASON_REQUIRED = frozenset({"SUSPENDUE", "REJETEE", "SERVICE_FAIT_ANNULE"})
FINAL = frozenset({"REJETEE", "MISE_EN_PAIEMENT"})

# Source system → its codes → internal codes. New lifecycle codes of the 2026 e-invoicing
# reform are added here as a new source, without touching the stages users see.
SOURCE_CODES: dict[str, dict[str, str]] = {
    "chorus_pro": {code: code for code in CODES if code not in INTERNAL_CODES},
}
_OVERLAYS = ("SUSPENDUE", "A_RECYCLER", "SERVICE_FAIT_ANNULE")


def normalise_code(source: str, code: str, *, internal: bool = False) -> str | None:
    """The internal code of ``code`` sent by ``source`` (None when unknown). ``internal``:
    Nomade records the event itself, so its own codes are accepted too."""
    cleaned = code.strip().upper()
    if internal and cleaned in INTERNAL_CODES:
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
    """A SERVICE_FAIT event is void once service done was revoked after it."""
    return event.code == "SERVICE_FAIT" and any(
        e.code == "SERVICE_FAIT_ANNULE" and e.occurred_at > event.occurred_at for e in ordered)


def service_done_standing(events: Sequence[StatusEvent]) -> bool:
    """Whether a SERVICE_FAIT event stands (recorded and not revoked since)."""
    return any(e.code == "SERVICE_FAIT" and not _voided(e, events) for e in events)


def current_status(events: Sequence[StatusEvent]) -> CurrentStatus | None:
    """The status to show from an unordered event history (None when there is none)."""
    known = [e for e in events if e.code in CODES]
    if not known:
        return None
    ordered = sorted(known, key=lambda e: (e.occurred_at, CODES[e.code][0]))
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


# Délai global de paiement (Code de la commande publique R.2192-10/11), by organisation kind.
PAYMENT_DAYS: Mapping[str, int] = {"state": 30, "local": 30, "hospital": 50,
                                   "public_company": 60}


@dataclass(frozen=True)
class Deadline:
    """The legal payment deadline of an invoice and whether it is (or was) missed."""

    starts_at: datetime
    due_at: datetime
    paused: timedelta
    paid_at: datetime | None
    late: bool
    days_late: int
    days_to_pay: float | None


def suspended_time(events: Iterable[StatusEvent], *, now: datetime) -> timedelta:
    """Time spent suspended: from each SUSPENDUE to the next later event (or now)."""
    ordered = sorted(events, key=lambda e: e.occurred_at)
    total = timedelta()
    opened: datetime | None = None
    for event in ordered:
        if event.code == "SUSPENDUE":
            if opened is None:
                opened = event.occurred_at
        elif opened is not None:
            total += event.occurred_at - opened
            opened = None
    if opened is not None:
        total += max(now - opened, timedelta())
    return total


def open_suspension_since(events: Iterable[StatusEvent]) -> datetime | None:
    """When the suspension still open began (the first SUSPENDUE after the last other event)."""
    opened: datetime | None = None
    for event in sorted(events, key=lambda e: e.occurred_at):
        suspends = event.code == "SUSPENDUE"
        opened = (opened or event.occurred_at) if suspends else None
    return opened


def payment_deadline(
    events: Sequence[StatusEvent], *, organisation_kind: str, now: datetime
) -> Deadline | None:
    """Deadline from the first submission event, paused while suspended (None if not submitted
    or rejected)."""
    known = [e for e in events if e.code in CODES]
    if not known or any(e.code == "REJETEE" for e in known):
        return None
    starts_at = min(e.occurred_at for e in known)
    paid = sorted(e.occurred_at for e in known if e.code == "MISE_EN_PAIEMENT")
    paid_at = paid[0] if paid else None
    end = paid_at or now
    paused = suspended_time([e for e in known if e.occurred_at <= end], now=end)
    days = PAYMENT_DAYS.get(organisation_kind, 30)
    due_at = starts_at + timedelta(days=days) + paused
    late_by = end - due_at
    late = late_by > timedelta()
    return Deadline(
        starts_at=starts_at,
        due_at=due_at,
        paused=paused,
        paid_at=paid_at,
        late=late,
        days_late=max(late_by.days, 1) if late else 0,  # whole days, at least 1 once late
        days_to_pay=(paid_at - starts_at).total_seconds() / 86400 if paid_at else None,
    )


def late_from(events: Sequence[StatusEvent], *, organisation_kind: str) -> datetime | None:
    """The instant after which the invoice counts as late, as long as no new event comes.

    None when it cannot become late as things stand: not submitted, rejected, paid in time, or
    suspended before its deadline (the clock stands still until the next event). Stored beside
    the invoice, it lets the database answer "late at ``now``" as ``late_from < now``, which is
    what :func:`payment_deadline` says for any ``now`` after the last event.
    """
    known = [e for e in events if e.code in CODES]
    if not known:
        return None
    last = max(e.occurred_at for e in known)
    opened = open_suspension_since(known)
    # With no open suspension the deadline no longer moves; with one, it moves with ``now``
    # from the opening on, so lateness is settled at the opening.
    settled = payment_deadline(known, organisation_kind=organisation_kind,
                               now=opened if opened is not None else last)
    if settled is None:
        return None
    if settled.paid_at is None and opened is None:
        return settled.due_at
    return settled.due_at if settled.late else None
