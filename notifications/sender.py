"""The push sender: takes due rows from the outbox, encrypts them and posts them to push services.

One shared HTTP transport (timeouts, pooled keep-alive connections; see
:mod:`notifications.transport`) and a semaphore bound the concurrency; encryption runs in a
thread so the event loop keeps serving responses. Rows are claimed with a lease
(``state = sending`` until ``next_attempt_at``), so a crashed worker's rows are taken again once
the lease runs out, and two workers never send the same row twice. A device's messages about one
document (one ``Topic``) are claimed one at a time, oldest first, so they reach the push service
in order whichever lane or worker sends them.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict, cast
from uuid import UUID

from piccolo.columns.combination import WhereRaw
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from kernel import metrics
from notifications import messages, payload
from notifications.outcomes import Outcome, classify
from notifications.presence import Presence, get_presence
from notifications.tables import PushOutbox, PushSubscription
from notifications.transport import (
    EndpointRefusedError,
    PushTransport,
    TransportError,
    get_transport,
)
from notifications.webpush import VapidSigner, b64url_decode, encrypt

__all__ = ("DeliveryReport", "PushSender")

log = logging.getLogger("nomade.push")
alert_log = logging.getLogger("nomade.push.alert")

LEASE = timedelta(minutes=2)
# The ``status`` label of ``nomade_push_deliveries_total`` for each outcome of an attempt.
METRIC_STATUS = {"sent": "sent", "gone": "gone", "retry": "retry", "shorten": "too_large",
                 "alert": "alert", "failed": "failed"}


class _Claimed(TypedDict):
    """An outbox row as the claim returns it."""

    id: UUID
    user: UUID
    subscription: UUID | None
    event_type: str
    topic: str
    urgency: str
    ttl: int
    payload: str
    document_kind: str
    document_id: str
    attempts: int
    created_at: datetime


class _Device(TypedDict):
    """A subscription as the sender reads it: where to post and with which keys."""

    id: UUID
    user: UUID
    endpoint: str
    p256dh: str
    auth: str


class _Folded(TypedDict):
    """A digest row as the fold reads it."""

    id: UUID
    user: UUID
    subscription: UUID | None
    payload: str
    next_attempt_at: datetime


@dataclass
class DeliveryReport:
    """What one run of the sender did."""

    sent: int = 0
    retried: int = 0
    shortened: int = 0
    gone: int = 0
    failed: int = 0
    skipped: int = 0
    digests: int = 0
    withdrawn: int = 0

    def add(self, other: DeliveryReport) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Item:
    row: _Claimed
    endpoint: str = ""
    p256dh: str = ""
    auth: str = ""
    body: bytes = b""
    status: int | None = None
    retry_after: str | None = None
    error: str = ""
    refused: str = ""  # the endpoint policy's reason, when it refused the endpoint
    outcome: Outcome | None = field(default=None)


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _encrypt_all(items: list[_Item]) -> None:
    for item in items:
        item.body = encrypt(
            item.row["payload"].encode(), b64url_decode(item.p256dh), b64url_decode(item.auth)
        )


# A row is taken only when no older row for the same device and Topic is still waiting or being
# sent (held for quiet hours, retrying, or claimed by another lane or worker): one device's
# messages about one document leave one after another, oldest first, across lanes and workers,
# so the last one the push service keeps under a shared Topic is the newest status. Other
# devices and documents are not held up. A row leaves pending/sending for good only once it was
# posted (or given up), so a claim that no longer sees the older row there, in whatever snapshot
# (PostgreSQL's SKIP LOCKED claims included), runs after that post: never beside it.
_OLDEST_OF_ITS_TOPIC = WhereRaw(
    """("push_outbox"."topic" = '' OR NOT EXISTS (
        SELECT 1 FROM "push_outbox" AS "older"
        WHERE "older"."subscription" = "push_outbox"."subscription"
          AND "older"."topic" = "push_outbox"."topic"
          AND "older"."state" IN ('pending', 'sending')
          AND ("older"."created_at" < "push_outbox"."created_at"
               OR ("older"."created_at" = "push_outbox"."created_at"
                   AND "older"."id" < "push_outbox"."id"))))"""
)


# A row goes only to the person it was written for, on a device signed in as them: its
# subscription still belongs to the row's recipient, and the subscription's device is theirs,
# not signed out (revoked, refresh window closed), and the person is still active. Checked in
# the claim itself, so a phone that changed hands, signed out or was revoked from the device
# list never receives what was queued, held for quiet hours, retried or folded for someone else.
# "Signed in" is the rule of backend.accounts.device_check.device_is_active (not revoked, refresh
# window open), in SQL so the claim can apply it to a batch; keep the two together.
_SUBSCRIPTION_SIGNED_IN = """EXISTS (
    SELECT 1 FROM "device" AS "d" JOIN "app_user" AS "u" ON "u"."id" = "d"."user"
    WHERE "d"."id" = "push_subscription"."device" AND "d"."user" = "push_subscription"."user"
      AND "d"."revoked_at" IS NULL AND "d"."refresh_expires_at" > {} AND "u"."is_active" = {})"""
_FOR_ITS_RECIPIENT = """EXISTS (SELECT 1 FROM "push_subscription"
    WHERE "push_subscription"."id" = "push_outbox"."subscription"
      AND "push_subscription"."user" = "push_outbox"."user" AND {})"""


def _signed_in() -> QueryString:
    """The subscription (``push_subscription`` in scope) is on a device signed in as its owner.

    Sessions are real-world facts: they are checked against the clock, not against the
    ``now`` a delivery run is given (tests and the sweeper schedule with their own time).
    """
    return QueryString(_SUBSCRIPTION_SIGNED_IN, datetime.now(UTC), True)


def _for_its_recipient(deliverable: bool = True) -> WhereRaw:
    """Outbox rows whose recipient may (or, with False, may no longer) receive them there."""
    rule = QueryString(_FOR_ITS_RECIPIENT, _signed_in())
    return WhereRaw("{}" if deliverable else "NOT {}", rule)


def _subscription_signed_out() -> WhereRaw:
    """Subscriptions whose device is no longer signed in as their owner."""
    return WhereRaw("NOT {}", _signed_in())


class PushSender:
    """Delivers due outbox rows; ``deliver_due`` is what the ``push.deliver`` job runs."""

    def __init__(
        self,
        signer: VapidSigner,
        transport: PushTransport | None = None,
        *,
        concurrency: int = 32,
        batch: int = 200,
        lanes: int = 3,
        presence: Presence | None = None,
    ) -> None:
        self.signer = signer
        self.transport = transport or get_transport(concurrency)
        self.batch = batch
        self.lanes = lanes
        self._semaphore = asyncio.Semaphore(concurrency)
        self._presence = presence

    async def deliver_due(self, now: datetime | None = None) -> DeliveryReport:
        """Send every row due at ``now`` (default: the clock), digests first; returns counts."""
        report = DeliveryReport()
        report.withdrawn = await self.withdraw_undeliverable(now or datetime.now(UTC))
        report.digests = await self.fold_digests(now or datetime.now(UTC))
        lane_reports = await asyncio.gather(*(self._lane(now) for _ in range(self.lanes)))
        for lane in lane_reports:
            report.add(lane)
        return report

    async def _lane(self, fixed_now: datetime | None) -> DeliveryReport:
        report = DeliveryReport()
        while True:
            now = fixed_now or datetime.now(UTC)
            rows = await self._claim(now)
            if not rows:
                return report
            report.add(await self._process(rows, now))

    async def _claim(self, now: datetime) -> list[_Claimed]:
        due = (PushOutbox.state.is_in(["pending", "sending"])) & (PushOutbox.next_attempt_at <= now)
        candidates = (
            PushOutbox.select(PushOutbox.id)
            .where(due & _OLDEST_OF_ITS_TOPIC & _for_its_recipient())
            .order_by(PushOutbox.next_attempt_at)
            .limit(self.batch)
        )
        if isinstance(PushOutbox._meta.db, PostgresEngine):
            # Concurrent lanes and workers take different rows instead of queueing on locks.
            candidates = candidates.lock_rows("UPDATE", skip_locked=True)
        rows = (
            await PushOutbox.update(
                {
                    PushOutbox.state: "sending",
                    PushOutbox.next_attempt_at: now + LEASE,
                    PushOutbox.attempts: PushOutbox.attempts + 1,
                }
            )
            .where(due & PushOutbox.id.is_in(candidates) & _for_its_recipient())
            .returning(
                PushOutbox.id,
                PushOutbox.user,
                PushOutbox.subscription,
                PushOutbox.event_type,
                PushOutbox.topic,
                PushOutbox.urgency,
                PushOutbox.ttl,
                PushOutbox.payload,
                PushOutbox.document_kind,
                PushOutbox.document_id,
                PushOutbox.attempts,
                PushOutbox.created_at,
            )
        )
        return cast(list[_Claimed], rows)

    async def _process(self, rows: list[_Claimed], now: datetime) -> DeliveryReport:
        report = DeliveryReport()
        sub_ids = list({r["subscription"] for r in rows if r["subscription"] is not None})
        devices = cast(list[_Device], await PushSubscription.select(
            PushSubscription.id,
            PushSubscription.user,
            PushSubscription.endpoint,
            PushSubscription.p256dh,
            PushSubscription.auth,
        ).where(PushSubscription.id.is_in(sub_ids))) if sub_ids else []
        subs = {s["id"]: s for s in devices}
        items: list[_Item] = []
        orphaned: list[UUID] = []
        withdrawn: list[UUID] = []
        for row in rows:
            sub = subs.get(row["subscription"]) if row["subscription"] is not None else None
            if sub is None:
                orphaned.append(row["id"])
            elif str(sub["user"]) != str(row["user"]):  # moved to someone else since the claim
                withdrawn.append(row["id"])
            else:
                items.append(_Item(row, sub["endpoint"], sub["p256dh"], sub["auth"]))
        if withdrawn:
            await self._set_state(withdrawn, "withdrawn", now)
            report.withdrawn += len(withdrawn)
            metrics.push_outcome("withdrawn", len(withdrawn))
        skipped = await self._skip_viewed(items)
        items = [i for i in items if i.row["id"] not in skipped]
        if orphaned:
            await self._set_state(orphaned, "gone", now)
            report.gone += len(orphaned)
            metrics.push_outcome("gone", len(orphaned))
        if skipped:
            await self._set_state(list(skipped), "skipped", now)
            report.skipped += len(skipped)
            metrics.push_outcome("skipped", len(skipped))
        if not items:
            return report
        await asyncio.to_thread(_encrypt_all, items)
        # At most one row per device and Topic here (see _OLDEST_OF_ITS_TOPIC): all at once.
        await asyncio.gather(*(self._post(item) for item in items))
        for item in items:
            item.outcome = (
                Outcome("gone", reason=f"endpoint refused ({item.refused})")
                if item.refused
                else classify(item.status, item.retry_after, int(item.row["attempts"]), now)
            )
        await self._record(items, now, report)
        return report

    async def _skip_viewed(self, items: list[_Item]) -> set[UUID]:
        watched = [i for i in items if i.row["document_id"] and i.row["event_type"] != "test"]
        if not watched:
            return set()
        presence = self._presence or get_presence()
        triples = [
            (str(i.row["user"]), i.row["document_kind"], i.row["document_id"]) for i in watched
        ]
        viewing = await presence.viewing(triples)
        return {i.row["id"] for i, t in zip(watched, triples, strict=True) if t in viewing}

    async def _post(self, item: _Item) -> None:
        row = item.row
        headers = {
            "TTL": str(int(row["ttl"])),
            "Urgency": row["urgency"],
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": self.signer.authorization(item.endpoint),
        }
        if row["topic"]:
            headers["Topic"] = row["topic"]
        async with self._semaphore:
            try:
                response = await self.transport.post(item.endpoint, item.body, headers)
            except EndpointRefusedError as exc:
                # Not a push service we may post to (allow-list changed, or its name now
                # resolves to a private address): never sent, the subscription is dropped.
                item.refused, item.error = exc.reason, str(exc)[:200]
                alert_log.error(
                    "push endpoint refused at send time",
                    extra={"reason": exc.reason, "endpoint_origin": item.endpoint.split("/")[2]
                           if item.endpoint.count("/") >= 2 else "", "detail": str(exc)[:200]},
                )
                return
            except TransportError as exc:
                item.error = str(exc)[:200]
                return
        item.status = response.status
        item.retry_after = response.retry_after
        if response.status >= 300:
            item.error = response.text[:200]

    async def _set_state(self, ids: list[UUID], state: str, now: datetime) -> None:
        await PushOutbox.update({PushOutbox.state: state, PushOutbox.sent_at: now}).where(
            PushOutbox.id.is_in(ids)
        )

    async def _record(self, items: list[_Item], now: datetime, report: DeliveryReport) -> None:
        by_kind: dict[str, list[_Item]] = defaultdict(list)
        for item in items:
            assert item.outcome is not None
            by_kind[item.outcome.kind].append(item)
        for kind, done in by_kind.items():
            metrics.push_outcome(METRIC_STATUS[kind], len(done))
        sent = by_kind["sent"]
        if sent:
            await PushOutbox.update(
                {
                    PushOutbox.state: "sent",
                    PushOutbox.sent_at: now,
                    PushOutbox.last_status: 201,
                }
            ).where(PushOutbox.id.is_in([i.row["id"] for i in sent]))
            await PushSubscription.update(
                {
                    PushSubscription.last_success_at: now,
                    PushSubscription.failure_count: 0,
                }
            ).where(PushSubscription.id.is_in(list({i.row["subscription"] for i in sent})))
            report.sent += len(sent)
        gone = by_kind["gone"]
        if gone:
            await self._finish(gone, "gone")
            await PushSubscription.delete().where(
                PushSubscription.id.is_in(list({i.row["subscription"] for i in gone}))
            )
            log.info("push subscriptions removed", extra={"count": len(gone)})
            report.gone += len(gone)
        for item in by_kind["retry"]:
            assert item.outcome is not None and item.outcome.retry_at is not None
            await PushOutbox.update(
                {
                    PushOutbox.state: "pending",
                    PushOutbox.next_attempt_at: item.outcome.retry_at,
                    PushOutbox.last_status: item.status or 0,
                    PushOutbox.last_error: item.error[:200],
                }
            ).where(PushOutbox.id == item.row["id"])
            report.retried += 1
        for item in by_kind["shorten"]:
            await self._shorten(item, now, report)
        for kind in ("alert", "failed"):
            failed = by_kind[kind]
            if not failed:
                continue
            await self._finish(failed, "failed")
            await PushSubscription.update(
                {
                    PushSubscription.failure_count: PushSubscription.failure_count + 1,
                }
            ).where(PushSubscription.id.is_in(list({i.row["subscription"] for i in failed})))
            for item in failed:
                (alert_log.error if kind == "alert" else log.warning)(
                    "push not delivered",
                    extra={
                        "status": item.status,
                        "endpoint_origin": item.endpoint.split("/")[2],
                        "event_type": item.row["event_type"],
                        "reason": item.outcome.reason if item.outcome else "",
                        "response": item.error,
                    },
                )
            report.failed += len(failed)

    async def _finish(self, items: list[_Item], state: str) -> None:
        statuses = {i.status or 0 for i in items}
        await PushOutbox.update(
            {
                PushOutbox.state: state,
                PushOutbox.last_status: max(statuses),
                PushOutbox.last_error: items[0].error[:200],
            }
        ).where(PushOutbox.id.is_in([i.row["id"] for i in items]))

    async def _shorten(self, item: _Item, now: datetime, report: DeliveryReport) -> None:
        current = item.row["payload"].encode()
        try:
            smaller = payload.shorten(current, max(len(current) // 2, 320))
        except payload.PayloadTooLargeError:
            smaller = b""
        if not smaller or len(smaller) >= len(current):
            await self._finish([item], "failed")
            alert_log.error(
                "push payload refused as too large even when shortened",
                extra={"event_type": item.row["event_type"], "size": len(current)},
            )
            report.failed += 1
            return
        await PushOutbox.update(
            {
                PushOutbox.state: "pending",
                PushOutbox.next_attempt_at: now,
                PushOutbox.payload: smaller.decode(),
                PushOutbox.last_status: 413,
            }
        ).where(PushOutbox.id == item.row["id"])
        report.shortened += 1

    async def withdraw_undeliverable(self, now: datetime) -> int:
        """Retire the due rows that may no longer go where they were written for (the
        subscription moved to someone else, its device signed out or was revoked, the person
        was deactivated): ``gone`` when the subscription no longer exists, else ``withdrawn``.
        Subscriptions left on a signed-out device are deleted (the inbox keeps everything)."""
        waiting = PushOutbox.state.is_in(["pending", "sending", "digest"]) & (
            PushOutbox.next_attempt_at <= now
        )

        def unclaimed(condition: Any) -> Any:
            # As in the claim: workers doing this at once take different rows, never wait on
            # (or deadlock over) each other's locks.
            rows = PushOutbox.select(PushOutbox.id).where(waiting & condition)
            if isinstance(PushOutbox._meta.db, PostgresEngine):
                rows = rows.lock_rows("UPDATE", skip_locked=True)
            return waiting & condition & PushOutbox.id.is_in(rows)

        orphaned = (
            await PushOutbox.update({PushOutbox.state: "gone", PushOutbox.sent_at: now})
            .where(unclaimed(PushOutbox.subscription.is_null()))
            .returning(PushOutbox.id)
        )
        withdrawn = (
            await PushOutbox.update({PushOutbox.state: "withdrawn", PushOutbox.sent_at: now})
            .where(unclaimed(_for_its_recipient(deliverable=False)))
            .returning(PushOutbox.subscription)
        )
        metrics.push_outcome("gone", len(orphaned))
        metrics.push_outcome("withdrawn", len(withdrawn))
        stale = list({r["subscription"] for r in withdrawn if r["subscription"] is not None})
        if stale:
            await PushSubscription.delete().where(
                PushSubscription.id.is_in(stale) & _subscription_signed_out()
            )
        return len(orphaned) + len(withdrawn)

    async def fold_digests(self, now: datetime) -> int:
        """Turn each device's due digest rows into one summary push; returns summaries made."""
        rows = cast(list[_Folded], await PushOutbox.select(
            PushOutbox.id,
            PushOutbox.user,
            PushOutbox.subscription,
            PushOutbox.payload,
            PushOutbox.next_attempt_at,
        ).where(
            (PushOutbox.state == "digest")
            & (PushOutbox.next_attempt_at <= now)
            & _for_its_recipient()
        ))
        if not rows:
            return 0
        groups: dict[tuple[UUID, UUID | None], list[_Folded]] = defaultdict(list)
        for row in rows:
            groups[(row["user"], row["subscription"])].append(row)
        summaries = []
        for (user, subscription), members in groups.items():
            if subscription is None:
                continue
            notes = [payload.decode(m["payload"]).notification for m in members]
            lang = notes[0].lang
            text = messages.render(
                "digest", {"count": len(notes), "titles": [n.title for n in notes]}, lang
            )
            body = payload.build(
                payload.Notice(
                    title=text.title,
                    body=text.body,
                    navigate="/inbox",
                    lang=lang,
                    tag="digest",
                    data=payload.NoticeData(type="digest", count=len(notes)),
                )
            )
            slot = min(_utc(m["next_attempt_at"]) for m in members)
            summaries.append(
                PushOutbox(
                    id=uuid.uuid4(),
                    user=user,
                    subscription=subscription,
                    event_type="digest",
                    topic="digest",
                    urgency="low",
                    ttl=12 * 3600,
                    payload=body.decode(),
                    state="pending",
                    next_attempt_at=now,
                    idempotency_key=f"digest:{subscription}:{slot.isoformat()}",
                    created_at=now,
                )
            )
        if summaries:
            await PushOutbox.insert(*summaries).on_conflict(
                target=PushOutbox.idempotency_key, action="DO NOTHING"
            )
        await PushOutbox.update({PushOutbox.state: "digested", PushOutbox.sent_at: now}).where(
            PushOutbox.id.is_in([r["id"] for r in rows])
        )
        return len(summaries)
