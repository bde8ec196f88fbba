"""Who hears about what: workflow events turned into notifications (where the domains meet).

The workflow services call these at their chokepoints; each builds the event's recipients and
data and calls :func:`notifications.notify`. A notification never makes the workflow fail: the
sync intents call them after commit (``ctx.after_commit``); invoice status events, which also
arrive through the integration API outside any intent, write theirs in a savepoint of the
caller's transaction, so the inbox item commits with the status or not at all.

| event | when | to |
|---|---|---|
| approval_requested | a mission or claim is submitted | the agent's approvers and delegates |
| decision_made | approve / refuse / return | the agent |
| payment_sent | a claim is marked paid | the agent |
| invoice_status_changed | every recorded invoice status event | the supplier company's users |
| service_done_proposal | an invoice arrives for an order | the managers of the order's unit |

Approval requests open the manager's decision screen (``/approvals/<kind>/<id>``), never the
agent's document screen; a proposal of service done is one notification per order and
certification round, however many invoices arrive for it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from piccolo.engine import engine_finder

from backend.accounts.services import approvers_for, managers_of
from notifications import notify
from notifications.services import supplier_users, user_names
from sync import MutationContext

__all__ = (
    "claim_moved",
    "decision_url",
    "invoice_received_for_order",
    "invoice_status_changed",
    "mission_moved",
)

log = logging.getLogger("nomade.push")
_DECISIONS = {"approve": "approved", "refuse": "refused", "return": "returned"}


def decision_url(kind: str, document_id: Any) -> str:
    """Where an approver decides: the phone's decision screen of ``kind`` (mission, claim,
    service_done)."""
    return f"/approvals/{kind}/{document_id}"


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value if isinstance(value, str) and value else None


async def _document_moved(
    ctx: MutationContext,
    *,
    kind: str,
    row: dict[str, Any],
    command: str,
    label: str,
    amount_cents: int | None,
    deadline: str | None,
    content_hash: str,
    reason: str,
    intent: str,
) -> None:
    url = f"/{kind}s/{row['id']}"
    document = {"kind": kind, "id": str(row["id"]), "url": url}
    key = f"{kind}:{row['id']}:{command}:{ctx.mutation_id}"
    agent: UUID = row["agent"]
    if command == "submit":
        document = {**document, "url": decision_url(kind, row["id"])}
        approvers = await approvers_for(agent, ctx.server_time)
        names = await user_names([agent])
        approve = {"name": intent, "args": {"id": str(row["id"]), "decision": "approve",
                                            "expected_state": "submitted",
                                            "content_hash": content_hash}}
        await notify(
            "approval_requested", approvers, document,
            {"label": label, "requester_name": names.get(agent, ""), "amount_cents": amount_cents,
             "deadline": deadline, "intents": {"approve": approve}},
            action_required=True, key=key,
        )
    elif command in _DECISIONS:
        names = await user_names([ctx.actor.user_id])
        await notify(
            "decision_made", [agent], document,
            {"label": label, "decision": _DECISIONS[command],
             "decided_by": names.get(ctx.actor.user_id, ""), "comment": reason},
            action_required=command == "return", key=key,
        )
    elif command == "mark_paid":
        await notify("payment_sent", [agent], document,
                     {"label": label, "amount_cents": amount_cents}, key=key)


async def mission_moved(ctx: MutationContext, row: dict[str, Any], command: str,
                        reason: str = "") -> None:
    """After a mission order's submission or decision (ordre de mission)."""
    try:
        await _document_moved(
            ctx, kind="mission", row=row, command=command,
            label=f"{row['purpose']} — {row['destination']}".strip(" —"),
            amount_cents=int(row["estimated_cost_cents"] or 0) or None,
            deadline=_iso(row.get("earliest_expiry")), content_hash=row["content_hash"],
            reason=reason, intent="mission.decide",
        )
    except Exception:
        log.exception("mission notification failed", extra={"mission_id": str(row["id"])})


async def claim_moved(ctx: MutationContext, row: dict[str, Any], command: str, *,
                      content_hash: str, total_cents: int | None = None,
                      reason: str = "") -> None:
    """After an expense claim's submission, decision or payment (état de frais)."""
    try:
        await _document_moved(
            ctx, kind="claim", row=row, command=command,
            label=row.get("title") or "Note de frais",
            amount_cents=total_cents if total_cents is not None else int(row["total_cents"] or 0),
            deadline=None, content_hash=content_hash, reason=reason,
            intent="expense_claim.decide",
        )
    except Exception:
        log.exception("claim notification failed", extra={"claim_id": str(row["id"])})


async def _in_savepoint(call: Any) -> None:
    engine = engine_finder()
    transaction = engine.current_transaction.get() if engine is not None else None
    if transaction is None:
        try:
            await call()
        except Exception:
            log.exception("notification failed")
        return
    savepoint = await transaction.savepoint()
    try:
        await call()
    except Exception:
        await savepoint.rollback_to()
        log.exception("notification failed; the workflow change stands")
    else:
        await savepoint.release()


async def invoice_status_changed(row: dict[str, Any], code: str, reason: str,
                                 event_key: str, *, payment: dict[str, Any] | None = None
                                 ) -> None:
    """After an invoice status event (or a payment, ``payment``: paid_cents, amount_paid_cents,
    bank_reference) is recorded: the supplier's users learn it."""

    async def call() -> None:
        users = await supplier_users(row["supplier_company"])
        await notify(
            "invoice_status_changed", users,
            {"kind": "invoice", "id": str(row["id"]), "url": f"/invoices/{row['id']}"},
            {"invoice_number": row["number"], "status": code, "reason": reason,
             "amount_cents": int(row["amount_due_cents"] or row["amount_ttc_cents"] or 0),
             **(payment or {})},
            action_required=code in ("SUSPENDUE", "REJETEE", "A_RECYCLER"),
            key=f"invoice-status:{event_key}",
        )

    await _in_savepoint(call)


async def invoice_received_for_order(order: dict[str, Any], invoice_id: UUID, *,
                                     amount_cents: int, event_key: str) -> None:
    """An invoice arrived for a purchase order: "service fait assisté" for its managers, once
    per order and certification round (more invoices for the same order in the same round
    add nothing to decide: the proposal covers them all). ``event_key`` identifies the
    arriving event (kept for the log)."""

    async def call() -> None:
        managers = await managers_of(order["unit"]) if order.get("unit") else []
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
    await _in_savepoint(call)
