"""Who hears about what: workflow events turned into notifications (where the domains meet).

The workflow services call these at their chokepoints, inside the write's unit of work (a sync
intent, an integration event, an escalation); each builds the event's recipients and data and
calls :func:`notifications.notify`, which writes the inbox items and push rows in the same
transaction: the notification commits with the change or not at all, and its push is sent
after commit (an outbox effect of the unit of work). A bug in building a notification is logged
and never makes the workflow fail; a database error fails the write like any other.

| event | when | to |
|---|---|---|
| approval_requested | a mission or claim is submitted | the agent's approvers and delegates |
| approval_reminder | a mission's or claim's deadline nears | its approvers, once per deadline |
| approval_escalated | its deadline passed: the decision goes up | the managers above (delegates) |
| approval_escalated_away | the same escalation | the approvers it left |
| decision_made | approve / refuse / return | the agent |
| approval_closed | decided, cancelled or withdrawn while waiting | the other approvers |
| payment_sent | a claim is marked paid | the agent |
| invoice_status_changed | every recorded invoice status event | the supplier company's users |
| service_done_proposal | an invoice arrives for an order | the managers of the order's unit |
| comment_added | a question or answer on a mission or claim | the other side (see below) |

Approval requests open the manager's decision screen (``/approvals/<kind>/<id>``), never the
agent's document screen; a proposal of service done is one notification per order and
certification round, however many invoices arrive for it. A question from one who decides
goes to the requester (it opens their document); the requester's answer goes to those who asked
and still decide for them, else to all who decide for them now (it opens the decision screen).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict
from uuid import UUID

import msgspec

from backend.accounts import directory
from backend.accounts.acting import Acting
from backend.accounts.services import approvers_for, managers_of
from notifications import EventData, IntentCall, notify

__all__ = (
    "MovedClaim",
    "MovedMission",
    "NotifiedInvoice",
    "NotifiedOrder",
    "PaymentNews",
    "Request",
    "claim_moved",
    "comment_added",
    "deadline_near",
    "decision_url",
    "escalated",
    "invoice_received_for_order",
    "invoice_status_changed",
    "mission_moved",
)

log = logging.getLogger("nomade.push")
_DECISIONS = {"approve": "approved", "refuse": "refused", "return": "returned"}
# The requester takes a waiting request back (mission cancelled, claim withdrawn).
_WITHDRAWALS = frozenset({"cancel", "withdraw"})


def decision_url(kind: str, document_id: UUID) -> str:
    """Where an approver decides: the phone's decision screen of ``kind`` (mission, claim,
    service_done)."""
    return f"/approvals/{kind}/{document_id}"


def _iso(value: datetime | str | None) -> str | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class _Moved:
    """A mission or claim that moved (``kind``: mission | claim), as its notifications name it;
    ``state``: the state of the row the command was checked against."""

    kind: str
    id: UUID
    agent: UUID
    state: str


class MovedMission(TypedDict):
    """What a mission order's notifications read of its row (a part of the missions' record:
    the row the command was checked against)."""

    id: UUID
    agent: UUID
    state: str
    purpose: str
    destination: str
    estimated_cost_cents: int
    earliest_expiry: datetime | None
    content_hash: str


class MovedClaim(TypedDict):
    """What an expense claim's notifications read of its row (a part of the claims' record)."""

    id: UUID
    agent: UUID
    state: str
    title: str
    total_cents: int


async def _document_moved(
    ctx: Acting,
    moved: _Moved,
    *,
    command: str,
    label: str,
    amount_cents: int | None,
    deadline: str | None,
    content_hash: str,
    reason: str,
    intent: str,
) -> None:
    kind, agent = moved.kind, moved.agent
    url = f"/{kind}s/{moved.id}"
    document = {"kind": kind, "id": str(moved.id), "url": url}
    key = f"{kind}:{moved.id}:{command}:{ctx.mutation_id}"
    if command == "submit":
        document = {**document, "url": decision_url(kind, moved.id)}
        approvers = await approvers_for(agent, ctx.server_time, kind=kind)
        names = await directory.full_names([agent])
        approve: IntentCall = {"name": intent, "args": {
            "id": str(moved.id), "decision": "approve", "expected_state": "submitted",
            "content_hash": content_hash}}
        await notify(
            "approval_requested", approvers, document,
            {"label": label, "requester_name": names.get(agent, ""), "amount_cents": amount_cents,
             "deadline": deadline, "intents": {"approve": approve}},
            action_required=True, key=key,
        )
    elif command in _DECISIONS:
        names = await directory.full_names([ctx.actor.user_id])
        await notify(
            "decision_made", [agent], document,
            {"label": label, "decision": _DECISIONS[command],
             "decided_by": names.get(ctx.actor.user_id, ""), "comment": reason},
            action_required=command == "return", key=key,
        )
        await _close_requests(ctx, moved, label, {
            "decision": _DECISIONS[command], "decided_by": names.get(ctx.actor.user_id, "")})
    elif command in _WITHDRAWALS and moved.state == "submitted":
        await _close_requests(ctx, moved, label, {})
    elif command == "mark_paid":
        await notify("payment_sent", [agent], document,
                     {"label": label, "amount_cents": amount_cents}, key=key)


async def _close_requests(ctx: Acting, moved: _Moved, label: str,
                          outcome: EventData) -> None:
    """The request no longer waits: the others who were asked to decide hear it, so the
    notification with its Approve button is replaced on their phones (same tag and Topic)."""
    others = [user for user in await approvers_for(moved.agent, ctx.server_time)
              if user != ctx.actor.user_id]
    document = {"kind": moved.kind, "id": str(moved.id),
                "url": decision_url(moved.kind, moved.id)}
    await notify("approval_closed", others, document, {"label": label, **outcome},
                 key=f"{moved.kind}:{moved.id}:closed:{ctx.mutation_id}")


async def mission_moved(ctx: Acting, row: MovedMission, command: str,
                        reason: str = "") -> None:
    """After a mission order's submission or decision (ordre de mission)."""
    try:
        await _document_moved(
            ctx, _Moved("mission", row["id"], row["agent"], row["state"]), command=command,
            label=f"{row['purpose']} — {row['destination']}".strip(" —"),
            amount_cents=int(row["estimated_cost_cents"] or 0) or None,
            deadline=_iso(row["earliest_expiry"]), content_hash=row["content_hash"],
            reason=reason, intent="mission.decide",
        )
    except Exception:
        log.exception("mission notification failed", extra={"mission_id": str(row["id"])})


@dataclass(frozen=True)
class Request:
    """A request waiting for a decision, as its deadline notifications name it (``kind``:
    mission | claim)."""

    kind: str
    id: UUID
    label: str
    requester_name: str
    amount_cents: int | None


async def deadline_near(request: Request, *, deadline: datetime,
                        approvers: list[UUID]) -> int:
    """A submitted request's deadline is near: its approvers are reminded, once per request and
    deadline (the key). Returns 1 when the request was in its reminder window."""
    document = {"kind": request.kind, "id": str(request.id),
                "url": decision_url(request.kind, request.id)}
    await notify(
        "approval_reminder", approvers, document,
        {"label": request.label, "requester_name": request.requester_name,
         "deadline": deadline.isoformat()},
        action_required=True, key=f"{request.kind}:{request.id}:reminder:{deadline.isoformat()}",
    )
    return 1


async def escalated(request: Request, *, deadline: datetime, to: list[UUID],
                    away_from: list[UUID]) -> None:
    """A request's deadline passed: the managers above may now decide and are told; those it
    left learn who has it (call in the escalation's transaction)."""
    document = {"kind": request.kind, "id": str(request.id),
                "url": decision_url(request.kind, request.id)}
    data: EventData = {"label": request.label, "requester_name": request.requester_name,
                       "deadline": deadline.isoformat(), "amount_cents": request.amount_cents}
    names = await directory.full_names(to)
    key = f"{request.kind}:{request.id}:escalated:{deadline.isoformat()}"
    await notify("approval_escalated", to, document, data, action_required=True, key=key)
    await notify("approval_escalated_away", away_from,
                 {**document, "url": "/approvals"},
                 {**data, "escalated_to": ", ".join(names[u] for u in to if names.get(u))},
                 key=f"{key}:away")


async def claim_moved(ctx: Acting, row: MovedClaim, command: str, *,
                      content_hash: str, total_cents: int | None = None,
                      reason: str = "") -> None:
    """After an expense claim's submission, decision or payment (état de frais)."""
    try:
        await _document_moved(
            ctx, _Moved("claim", row["id"], row["agent"], row["state"]), command=command,
            label=row["title"] or "Note de frais",
            amount_cents=total_cents if total_cents is not None else int(row["total_cents"] or 0),
            deadline=None, content_hash=content_hash, reason=reason,
            intent="expense_claim.decide",
        )
    except Exception:
        log.exception("claim notification failed", extra={"claim_id": str(row["id"])})


async def comment_added(ctx: Acting, *, kind: str, document_id: UUID, agent: UUID,
                        label: str, author_name: str, body: str, askers: list[UUID]) -> None:
    """After a comment on a mission or claim (``kind``: mission | claim), to the other side."""
    try:
        author = ctx.actor.user_id
        data: EventData = {"label": label, "author_name": author_name, "body": body,
                           "document_kind": kind, "question": author != agent}
        key = f"{kind}:{document_id}:comment:{ctx.mutation_id}"
        if author != agent:
            document = {"kind": kind, "id": str(document_id), "url": f"/{kind}s/{document_id}"}
            await notify("comment_added", [agent], document, data, key=key)
            return
        approvers = await approvers_for(agent, ctx.server_time)
        recipients = [person for person in askers if person in approvers] or approvers
        document = {"kind": kind, "id": str(document_id), "url": decision_url(kind, document_id)}
        await notify("comment_added", recipients, document, data, key=key)
    except Exception:
        log.exception("comment notification failed", extra={"document_id": str(document_id)})


class NotifiedInvoice(TypedDict):
    """What an invoice's status notification reads of the invoice (an invoice row has these
    fields and more: the domains below are not imported here)."""

    id: UUID
    number: str
    supplier_company: UUID
    amount_due_cents: int
    amount_ttc_cents: int


class NotifiedOrder(TypedDict):
    """What a proposal of service done reads of the purchase order (an order row has these
    fields and more)."""

    id: UUID
    unit: UUID | None
    number: str
    ej_number: str
    supplier_name: str
    certification_round: int


class PaymentNews(TypedDict, total=False):
    """What an invoice's status notification tells of a payment (``paid_cents`` this payment,
    ``amount_paid_cents`` all so far) or of a partial service done (``certified_cents``)."""

    paid_cents: int
    amount_paid_cents: int
    bank_reference: str
    certified_cents: int


async def invoice_status_changed(row: NotifiedInvoice, code: str, reason: str,
                                 event_key: str, *, payment: PaymentNews | None = None
                                 ) -> None:
    """After an invoice status event (or a payment, ``payment``: paid_cents, amount_paid_cents,
    bank_reference) is recorded: the supplier's users learn it."""

    async def call() -> None:
        company = row["supplier_company"]
        users = [] if company is None else await directory.active_users_of_company(company)
        await notify(
            "invoice_status_changed", users,
            {"kind": "invoice", "id": str(row["id"]), "url": f"/invoices/{row['id']}"},
            {"invoice_number": row["number"], "status": code, "reason": reason,
             "amount_cents": int(row["amount_due_cents"] or row["amount_ttc_cents"] or 0),
             # The invoices pass the payment untyped: checked here (paid_cents…).
             **msgspec.convert(payment or {}, EventData)},
            action_required=code in ("SUSPENDUE", "REJETEE", "A_RECYCLER"),
            key=f"invoice-status:{event_key}",
        )

    try:
        await call()
    except Exception:
        log.exception("invoice notification failed", extra={"invoice_id": str(row["id"])})


async def invoice_received_for_order(order: NotifiedOrder, invoice_id: UUID, *,
                                     amount_cents: int, event_key: str) -> None:
    """An invoice arrived for a purchase order: "service fait assisté" for its managers, once
    per order and certification round (more invoices for the same order in the same round
    add nothing to decide: the proposal covers them all). ``event_key`` identifies the
    arriving event (kept for the log)."""

    async def call() -> None:
        unit = order["unit"]
        managers = await managers_of(unit) if unit else []
        round_ = int(order.get("certification_round") or 0)
        await notify(
            "service_done_proposal", managers,
            {"kind": "purchase_order", "id": str(order["id"]),
             "url": decision_url("service_done", order["id"])},
            {"order_number": order["number"], "ej_number": order.get("ej_number", ""),
             "supplier_name": order.get("supplier_name", ""),
             "amount_cents": amount_cents, "invoice_id": str(invoice_id)},
            key=f"service-done-proposal:{order['id']}:{round_}",
        )

    log.debug("service done proposal", extra={"order_id": str(order["id"]), "event": event_key})
    try:
        await call()
    except Exception:
        log.exception("service done notification failed", extra={"order_id": str(order["id"])})
