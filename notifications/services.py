"""The only code querying the notifications tables: subscriptions, preferences, inbox, outbox."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypedDict, cast
from uuid import UUID

import msgspec
from piccolo.columns import Column
from piccolo.query.functions.aggregate import Count

from kernel.actor import Actor
from kernel.errors import DomainError, Problem, register_codes
from kernel.ratelimit import get_store
from kernel.settings import get_settings
from notifications import messages, payload, people, policy
from notifications.endpoints import (
    EndpointRefusedError,
    EndpointUnresolvedError,
    current_policy,
)
from notifications.events import EVENT_TYPES, EventData, traits_of
from notifications.schemas import (
    DocumentRef,
    InboxItemOut,
    InboxPage,
    MarkedRead,
    PreferencesIn,
    PreferencesOut,
    SubscriptionIn,
    SubscriptionOut,
)
from notifications.tables import InboxItem, PushOutbox, PushPreference, PushSubscription
from notifications.webpush import InvalidSubscriptionKeysError, check_subscription_keys

__all__ = (
    "Recipient",
    "allow_test_push",
    "forget_device_subscriptions",
    "get_preferences",
    "inbox_page",
    "mark_all_read",
    "mark_read",
    "preference_views",
    "put_preferences",
    "register_subscription",
    "remove_subscription",
    "unread_count",
    "write_event",
)

register_codes(
    {
        "PUSH_ENDPOINT_REFUSED": Problem(
            400,
            "Adresse de notification refusée : seuls les services de notification des "
            "navigateurs sont acceptés (https, adresse publique).",
            "Push endpoint refused: only the browsers' push services are accepted (https, "
            "public address).",
        ),
        "PUSH_ENDPOINT_UNRESOLVED": Problem(
            503,
            "Le service de notification est injoignable pour l'instant ; réessayez plus tard.",
            "The push service cannot be reached right now; try again later.",
        ),
        "PUSH_SUBSCRIPTIONS_LIMIT": Problem(
            409,
            "Trop d'appareils reçoivent vos notifications : désactivez-les sur un appareil "
            "que vous n'utilisez plus (ou déconnectez-le).",
            "Too many devices receive your notifications: turn them off on a device you no "
            "longer use (or sign it out).",
        ),
        "PUSH_TEST_RATE_LIMITED": Problem(
            429,
            "Trop de notifications de test ; réessayez dans quelques minutes.",
            "Too many test notifications; try again in a few minutes.",
        ),
        "PUSH_KEYS_INVALID": Problem(
            400,
            "Clés de notification invalides ; réactivez les notifications.",
            "Invalid push keys; turn notifications on again.",
        ),
        "PUSH_SUBSCRIPTION_NOT_FOUND": Problem(
            404, "Cet appareil n'est pas abonné.", "This device is not subscribed."
        ),
        "PUSH_PREFERENCES_INVALID": Problem(
            400, "Préférences de notification invalides.", "Invalid notification preferences."
        ),
        "INBOX_ITEM_NOT_FOUND": Problem(
            404, "Notification introuvable.", "Notification not found."
        ),
        "INBOX_CURSOR_INVALID": Problem(400, "Curseur de page invalide.", "Invalid page cursor."),
        "NOTIFY_EVENT_UNKNOWN": Problem(
            400, "Type de notification inconnu.", "Unknown notification type."
        ),
    }
)

_json = msgspec.json.Encoder()
TEST_PUSH_WINDOW_SECONDS = 10 * 60


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    stamp = cast(datetime, value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


class _DeviceFields(TypedDict):
    """What a subscription's registration writes, and refreshes when it comes again."""

    user: UUID
    device: UUID | None
    p256dh: str
    auth: str
    user_agent: str
    language: str
    vapid_key: str
    updated_at: datetime
    failure_count: int


class _PreferenceFields(TypedDict):
    """What saving preferences writes (``modes``: JSON of event type → mode)."""

    modes: str
    digest_time: str
    timezone: str
    quiet_start: str
    quiet_end: str
    hide_amounts: bool
    updated_at: datetime


class _PreferenceRow(_PreferenceFields):
    """A ``push_preference`` row as ``select()`` returns it."""

    id: UUID
    user: UUID
    version: int


class _InboxRow(TypedDict):
    """An ``inbox_item`` row as ``select()`` returns it."""

    id: UUID
    user: UUID
    event_type: str
    title_fr: str
    title_en: str
    body_fr: str
    body_en: str
    url: str
    document_kind: str
    document_id: str
    action_required: bool
    idempotency_key: str
    created_at: datetime
    read_at: datetime | None


class _PreferenceProblems(TypedDict, total=False):
    """Why preferences were refused (the details of PUSH_PREFERENCES_INVALID)."""

    unknown_types: list[str]
    timezone: str
    quiet_hours: str


# --- subscriptions ------------------------------------------------------------------------


async def _check_endpoint(endpoint: str) -> None:
    """Known push services at public addresses only (:mod:`notifications.endpoints`)."""
    try:
        await current_policy().check(endpoint)
    except EndpointRefusedError as exc:
        raise DomainError(
            "PUSH_ENDPOINT_REFUSED", {"reason": exc.reason, "endpoint": endpoint[:200]}
        ) from exc
    except EndpointUnresolvedError as exc:
        raise DomainError(
            "PUSH_ENDPOINT_UNRESOLVED", {"endpoint": endpoint[:200]},
            headers={"Retry-After": "60"},
        ) from exc


async def _within_cap(user_id: UUID, subscription_id: UUID) -> None:
    """Refuse (and undo) a new subscription past the person's cap. Counted after the insert,
    so two registrations at once cannot both slip under it."""
    cap = get_settings().push_subscriptions_per_user
    if await subscription_count(user_id) <= cap:
        return
    await PushSubscription.delete().where(PushSubscription.id == subscription_id)
    raise DomainError("PUSH_SUBSCRIPTIONS_LIMIT", {"limit": cap})


async def allow_test_push(user_id: UUID) -> None:
    """Allow a "send me a test" push ``push_tests_per_10min`` times per person in 10 minutes,
    else PUSH_TEST_RATE_LIMITED: each goes to every device of the person, so it must not become
    a way to make the server hammer push services."""
    settings = get_settings()
    window = await get_store(settings.redis_url).hit(
        f"push:test:{user_id}", TEST_PUSH_WINDOW_SECONDS
    )
    if window.count > settings.push_tests_per_10min:
        raise DomainError(
            "PUSH_TEST_RATE_LIMITED",
            {"limit": settings.push_tests_per_10min, "retry_after": window.retry_after},
            headers={"Retry-After": str(window.retry_after)},
        )


async def register_subscription(
    actor: Actor, data: SubscriptionIn, vapid_key: str
) -> SubscriptionOut:
    """Create or refresh the device's subscription; the same endpoint is never stored twice.

    The app calls this at every start, so a browser that renewed its keys or signed in again is
    brought up to date here (the subscription follows the caller's current device). When
    another person registers the endpoint, the previous person's subscription is deleted with
    what was waiting for it, and a new one is made: the endpoint, refused unless it is a push
    service at a public address, counts against the person's cap.
    """
    await _check_endpoint(data.endpoint)
    try:
        check_subscription_keys(data.keys.p256dh, data.keys.auth)
    except InvalidSubscriptionKeysError as exc:
        raise DomainError("PUSH_KEYS_INVALID") from exc
    language = data.language or actor.language or "fr"
    now = datetime.now(UTC)
    fields = _DeviceFields(
        user=actor.user_id,
        device=actor.device_id,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        user_agent=data.user_agent,
        language=language,
        vapid_key=vapid_key,
        updated_at=now,
        failure_count=0,
    )
    created = False
    existing = (
        await PushSubscription.select(
            PushSubscription.id, PushSubscription.user, PushSubscription.created_at
        )
        .where(PushSubscription.endpoint == data.endpoint)
        .first()
    )
    if existing is not None and str(existing["user"]) != str(actor.user_id):
        # The phone changed hands: what was queued for the previous person stays theirs (their
        # inbox, their other devices); this browser starts afresh under a new subscription id.
        await _forget_subscriptions([existing["id"]])
        existing = None
    if existing is None:
        row = PushSubscription(
            id=uuid.uuid4(),
            endpoint=data.endpoint,
            created_at=now,
            **fields,
        )
        inserted = (
            await PushSubscription.insert(row)
            .on_conflict(target=PushSubscription.endpoint, action="DO NOTHING")
            .returning(PushSubscription.id)
        )
        created = bool(inserted)
        if created:
            await _within_cap(actor.user_id, row.id)
            return SubscriptionOut(
                id=row.id, endpoint=data.endpoint, language=language, created_at=now, created=True
            )
        existing = (
            await PushSubscription.select(PushSubscription.id, PushSubscription.created_at)
            .where(PushSubscription.endpoint == data.endpoint)
            .first()
        )
        assert existing is not None
    await PushSubscription.update(**fields).where(
        (PushSubscription.id == existing["id"]) & (PushSubscription.user == actor.user_id)
    )
    return SubscriptionOut(
        id=existing["id"],
        endpoint=data.endpoint,
        language=language,
        created_at=_utc(existing["created_at"]),
        created=created,
    )


async def remove_subscription(actor: Actor, endpoint: str) -> None:
    """Forget the device's subscription (the user turned notifications off)."""
    found = await PushSubscription.select(PushSubscription.id).where(
        (PushSubscription.endpoint == endpoint) & (PushSubscription.user == actor.user_id)
    )
    if not found or not await _forget_subscriptions([r["id"] for r in found]):
        raise DomainError("PUSH_SUBSCRIPTION_NOT_FOUND")


async def forget_device_subscriptions(device_id: UUID) -> int:
    """A device signed out (logout, revoked from the device list, refresh-token reuse, PIN
    failures, its person deactivated): its subscriptions are deleted and what was waiting for
    them is withdrawn, so the phone gets nothing more for that session. Returns the count."""
    found = await PushSubscription.select(PushSubscription.id).where(
        PushSubscription.device == device_id
    )
    return await _forget_subscriptions([r["id"] for r in found]) if found else 0


async def _forget_subscriptions(ids: list[Any]) -> int:
    """Withdraw the messages waiting for these subscriptions, then delete them."""
    await PushOutbox.update(
        {PushOutbox.state: "withdrawn", PushOutbox.sent_at: datetime.now(UTC)}
    ).where(
        PushOutbox.subscription.is_in(ids)
        & PushOutbox.state.is_in(["pending", "sending", "digest"])
    )
    deleted = await PushSubscription.delete().where(PushSubscription.id.is_in(ids)).returning(
        PushSubscription.id
    )
    return len(deleted)


# --- preferences --------------------------------------------------------------------------

DEFAULT_MODES: dict[str, policy.Mode] = {
    t: traits_of(t).default_mode for t in EVENT_TYPES if traits_of(t).user_can_disable
}


def _preferences_out(row: _PreferenceRow | None) -> PreferencesOut:
    if row is None:
        return PreferencesOut(
            modes=dict(DEFAULT_MODES),
            digest_time="08:00",
            timezone=policy.DEFAULT_TIMEZONE,
            quiet_start="21:00",
            quiet_end="07:30",
            hide_amounts=True,
            version=0,
        )
    modes = {**DEFAULT_MODES, **msgspec.json.decode(row["modes"], type=dict[str, policy.Mode])}
    return PreferencesOut(
        modes=modes,
        digest_time=row["digest_time"],
        timezone=row["timezone"],
        quiet_start=row["quiet_start"] or None,
        quiet_end=row["quiet_end"] or None,
        hide_amounts=bool(row["hide_amounts"]),
        version=int(row["version"]),
    )


async def get_preferences(user_id: UUID) -> PreferencesOut:
    row = await PushPreference.select().where(PushPreference.user == user_id).first()
    return _preferences_out(cast(_PreferenceRow | None, row))


async def put_preferences(user_id: UUID, data: PreferencesIn) -> PreferencesOut:
    """Replace the user's settings (validated: known types, real time zone, both quiet ends)."""
    unknown = sorted(set(data.modes) - set(DEFAULT_MODES))
    problems = _PreferenceProblems()
    if unknown:
        problems["unknown_types"] = unknown
    if not policy.valid_timezone(data.timezone):
        problems["timezone"] = data.timezone
    if (data.quiet_start is None) != (data.quiet_end is None):
        problems["quiet_hours"] = "set both ends or neither"
    if problems:
        raise DomainError("PUSH_PREFERENCES_INVALID", msgspec.to_builtins(problems))
    current = await get_preferences(user_id)
    modes = {**current.modes, **data.modes}
    fields = _PreferenceFields(
        modes=_json.encode(modes).decode(),
        digest_time=data.digest_time,
        timezone=data.timezone,
        quiet_start=data.quiet_start or "",
        quiet_end=data.quiet_end or "",
        hide_amounts=data.hide_amounts,
        updated_at=datetime.now(UTC),
    )
    if current.version == 0:
        row = PushPreference(id=uuid.uuid4(), user=user_id, version=1, **fields)
        await PushPreference.insert(row).on_conflict(
            target=PushPreference.user, action="DO NOTHING"
        )
    bump: dict[Column | str, Any] | None = (
        {PushPreference.version: PushPreference.version + 1} if current.version else None
    )
    await PushPreference.update(bump, **fields).where(PushPreference.user == user_id)
    return await get_preferences(user_id)


def _view(prefs: PreferencesOut) -> tuple[policy.PreferenceView, bool]:
    view = policy.PreferenceView(
        modes=dict(prefs.modes),
        default_modes=DEFAULT_MODES,
        timezone=prefs.timezone,
        digest_time=policy.parse_hhmm(prefs.digest_time),
        quiet_start=policy.parse_hhmm(prefs.quiet_start) if prefs.quiet_start else None,
        quiet_end=policy.parse_hhmm(prefs.quiet_end) if prefs.quiet_end else None,
    )
    return view, prefs.hide_amounts


async def preference_views(user_ids: list[UUID]) -> dict[UUID, tuple[policy.PreferenceView, bool]]:
    """Policy views (and the hide-amounts flag) of several users, defaults filled in."""
    rows = cast(list[_PreferenceRow], (
        await PushPreference.select().where(PushPreference.user.is_in(user_ids)) if user_ids else []
    ))
    by_user = {UUID(str(r["user"])): r for r in rows}
    return {uid: _view(_preferences_out(by_user.get(uid))) for uid in user_ids}


# --- writing an event ---------------------------------------------------------------------


class Recipient(msgspec.Struct, frozen=True):
    user_id: UUID
    language: str


async def _recipients(user_ids: Iterable[UUID]) -> list[Recipient]:
    languages = await people.active_languages(user_ids)
    return [Recipient(user_id, language) for user_id, language in languages.items()]


async def _unread_counts(user_ids: list[UUID]) -> dict[UUID, int]:
    rows = (
        await InboxItem.select(InboxItem.user, Count(InboxItem.id, alias="n"))
        .where(InboxItem.user.is_in(user_ids) & InboxItem.read_at.is_null())
        .group_by(InboxItem.user)
    )
    return {UUID(str(r["user"])): int(r["n"]) for r in rows}


def _ttl(event_type: str, data: EventData, now: datetime) -> int:
    ttl = traits_of(event_type).ttl
    deadline = data.get("deadline")
    if isinstance(deadline, str):
        try:
            left = int((_utc(deadline) - now).total_seconds())
        except ValueError:
            return ttl
        ttl = max(60, min(ttl, left))
    return ttl


def _notice(
    event_type: str,
    document: DocumentRef,
    data: EventData,
    lang: str,
    hide_amounts: bool,
    inbox_id: UUID,
    unread: int,
    action_required: bool,
) -> payload.Notice:
    text = messages.render(event_type, data, lang, hide_amounts=hide_amounts)
    url = document.url or "/inbox"
    actions: tuple[payload.Action, ...] = ()
    decision: payload.Decision | None = None
    intents = data.get("intents") if event_type == "approval_requested" else None
    if event_type == "approval_requested":
        titles = messages.action_titles(lang)
        sep = "&" if "?" in url else "?"
        actions = tuple(
            payload.Action(a, titles[a], f"{url}{sep}decision={a}") for a in ("approve", "refuse")
        )
        # The decision the service worker queues as a sync intent from either button (refusing
        # takes the typed reply where the platform offers one, else a stated default reason).
        approve = intents.get("approve") if intents is not None else None
        if document.kind in ("mission", "claim") and approve is not None:
            args = approve["args"]
            decision = payload.Decision(entity=document.kind, id=document.id, lang=lang,
                                        expected_state=args.get("expected_state", "submitted"),
                                        content_hash=args.get("content_hash"))
    sw_data = payload.NoticeData(
        type=event_type,
        inbox_id=str(inbox_id),
        document=payload.DocumentLink(kind=document.kind, id=document.id, url=url),
        intents=intents,
    )
    return payload.Notice(
        title=text.title,
        body=text.body,
        navigate=url,
        lang=lang,
        tag=f"{document.kind}:{document.id}" if document.id else event_type,
        badge_count=unread,
        actions=actions,
        data=sw_data,
        require_interaction=action_required,
        silent=traits_of(event_type).settles_requests,
        decision=decision,
    )


async def _settle_requests(user_ids: list[UUID], document: DocumentRef, now: datetime) -> None:
    """The approval requests of ``document`` no longer ask these people anything: read."""
    await InboxItem.update({InboxItem.read_at: now}).where(
        InboxItem.user.is_in(user_ids)
        & (InboxItem.event_type == "approval_requested")
        & (InboxItem.document_kind == document.kind)
        & (InboxItem.document_id == document.id)
        & InboxItem.read_at.is_null()
    )


async def write_event(
    event_type: str,
    recipients: Iterable[UUID],
    document: DocumentRef,
    data: EventData,
    *,
    action_required: bool,
    key: str,
    now: datetime,
) -> int:
    """Inbox items for every recipient and outbox rows for their devices; returns rows due now.

    Idempotent by ``key``: writing the same event again changes nothing.
    """
    if event_type not in EVENT_TYPES:
        raise DomainError("NOTIFY_EVENT_UNKNOWN", {"event_type": event_type})
    people = await _recipients(recipients)
    if not people:
        return 0
    user_ids = [p.user_id for p in people]
    views = await preference_views(user_ids)
    subscriptions = await PushSubscription.select(
        PushSubscription.id, PushSubscription.user, PushSubscription.language
    ).where(PushSubscription.user.is_in(user_ids))
    texts = {lang: messages.render(event_type, data, lang) for lang in ("fr", "en")}
    settles = traits_of(event_type).settles_requests
    if settles:
        await _settle_requests(user_ids, document, now)
    inbox_rows, inbox_ids = [], {}
    for person in people:
        inbox_id = uuid.uuid5(uuid.NAMESPACE_URL, f"nomade:inbox:{key}:{person.user_id}")
        inbox_ids[person.user_id] = inbox_id
        inbox_rows.append(
            InboxItem(
                id=inbox_id,
                user=person.user_id,
                event_type=event_type,
                title_fr=texts["fr"].title[:300],
                title_en=texts["en"].title[:300],
                body_fr=texts["fr"].body,
                body_en=texts["en"].body,
                url=document.url,
                document_kind=document.kind,
                document_id=document.id,
                action_required=action_required,
                idempotency_key=f"{key}:{person.user_id}"[:200],
                created_at=now,
                read_at=now if settles else None,
            )
        )
    await InboxItem.insert(*inbox_rows).on_conflict(
        target=InboxItem.idempotency_key, action="DO NOTHING"
    )
    unread = await _unread_counts(user_ids)
    traits = traits_of(event_type)
    topic = payload.topic_for(document.kind, document.id) if document.id else ""
    ttl = _ttl(event_type, data, now)
    outbox_rows, due_now = [], 0
    languages = {p.user_id: p.language for p in people}
    for sub in subscriptions:
        user_id = UUID(str(sub["user"]))
        view, hide_amounts = views[user_id]
        # A settling push rings nothing: it goes when the request it replaces went.
        decision = policy.decide(event_type, view, now,
                                 action_required=action_required or settles)
        if decision.kind == "off":
            continue
        lang = sub["language"] or languages[user_id]
        body = payload.build(
            _notice(
                event_type,
                document,
                data,
                lang,
                hide_amounts,
                inbox_ids[user_id],
                unread.get(user_id, 0),
                action_required,
            )
        )
        due_now += decision.kind == "send" and decision.at <= now
        outbox_rows.append(
            PushOutbox(
                id=uuid.uuid4(),
                user=user_id,
                subscription=sub["id"],
                inbox_item=inbox_ids[user_id],
                event_type=event_type,
                topic=topic,
                urgency="high" if action_required else traits.urgency,
                ttl=ttl,
                payload=body.decode(),
                document_kind=document.kind,
                document_id=document.id,
                state="digest" if decision.kind == "digest" else "pending",
                next_attempt_at=decision.at,
                idempotency_key=f"{key}:{sub['id']}"[:200],
                created_at=now,
            )
        )
    if outbox_rows:
        await PushOutbox.insert(*outbox_rows).on_conflict(
            target=PushOutbox.idempotency_key, action="DO NOTHING"
        )
        if topic:
            await _bring_forward_older(topic, outbox_rows, now)
    return due_now


async def _bring_forward_older(topic: str, rows: list[PushOutbox], now: datetime) -> None:
    """Older rows about the same document held for a device (quiet hours) leave with the new
    one: the sender keeps a device's messages about one document in order, so a newer push
    that breaks through quiet hours would otherwise wait behind them, and an older one sent
    after it would end on the lock screen in its place. Retrying rows keep their back-off."""
    by_time: dict[datetime, list[Any]] = defaultdict(list)
    for row in rows:
        if row.state == "pending":
            by_time[row.next_attempt_at].append(row.subscription)
    for at, subscriptions in by_time.items():
        await PushOutbox.update({PushOutbox.next_attempt_at: at}).where(
            PushOutbox.subscription.is_in(subscriptions)
            & (PushOutbox.topic == topic)
            & (PushOutbox.state == "pending")
            & (PushOutbox.attempts == 0)
            & (PushOutbox.next_attempt_at > at)
            & (PushOutbox.created_at < now)
        )


async def next_due_at() -> datetime | None:
    """When the next waiting push is due (quiet hours, retries, digests), if any."""
    row = (
        await PushOutbox.select(PushOutbox.next_attempt_at)
        .where(PushOutbox.state.is_in(["pending", "sending", "digest"]))
        .order_by(PushOutbox.next_attempt_at)
        .first()
    )
    return _utc(row["next_attempt_at"]) if row else None


# --- inbox --------------------------------------------------------------------------------


def _item_out(row: _InboxRow, lang: str) -> InboxItemOut:
    en = lang == "en"
    return InboxItemOut(
        id=row["id"],
        event_type=row["event_type"],
        title=row["title_en"] if en else row["title_fr"],
        body=row["body_en"] if en else row["body_fr"],
        url=row["url"],
        document=DocumentRef(row["document_kind"], row["document_id"], row["url"])
        if row["document_id"]
        else None,
        action_required=bool(row["action_required"]),
        created_at=_utc(row["created_at"]),
        read_at=_utc(row["read_at"]) if row["read_at"] else None,
    )


async def unread_count(user_id: UUID) -> int:
    return int(
        await InboxItem.count().where((InboxItem.user == user_id) & InboxItem.read_at.is_null())
    )


def _cursor(row: _InboxRow) -> str:
    return f"{_utc(row['created_at']).isoformat()}|{row['id']}"


async def inbox_page(
    actor: Actor, *, before: str | None, limit: int, unread_only: bool
) -> InboxPage:
    """The actor's inbox, newest first, ``limit`` items after the cursor ``before``."""
    query = InboxItem.select().where(InboxItem.user == actor.user_id)
    if unread_only:
        query = query.where(InboxItem.read_at.is_null())
    if before:
        stamp, _, last_id = before.partition("|")
        try:
            at, after_id = _utc(stamp), UUID(last_id)
        except ValueError as exc:
            raise DomainError("INBOX_CURSOR_INVALID") from exc
        query = query.where(
            (InboxItem.created_at < at) | ((InboxItem.created_at == at) & (InboxItem.id < after_id))
        )
    rows = cast(list[_InboxRow], await query.order_by(
        InboxItem.created_at, InboxItem.id, ascending=False).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    # The language the person chose last (PATCH /api/v1/me), not the one their token carries.
    people = await _recipients([actor.user_id])
    language = people[0].language if people else actor.language
    return InboxPage(
        items=[_item_out(r, language) for r in rows],
        unread=await unread_count(actor.user_id),
        next_before=_cursor(rows[-1]) if more and rows else None,
    )


async def mark_read(actor: Actor, item_id: UUID) -> MarkedRead:
    """Mark one item read (idempotent; another user's item is not found)."""
    row = (
        await InboxItem.select(InboxItem.read_at)
        .where((InboxItem.id == item_id) & (InboxItem.user == actor.user_id))
        .first()
    )
    if row is None:
        raise DomainError("INBOX_ITEM_NOT_FOUND")
    marked = 0
    if row["read_at"] is None:
        await InboxItem.update({InboxItem.read_at: datetime.now(UTC)}).where(
            InboxItem.id == item_id
        )
        marked = 1
    return MarkedRead(marked=marked, unread=await unread_count(actor.user_id))


async def mark_all_read(actor: Actor) -> MarkedRead:
    changed = (
        await InboxItem.update({InboxItem.read_at: datetime.now(UTC)})
        .where((InboxItem.user == actor.user_id) & InboxItem.read_at.is_null())
        .returning(InboxItem.id)
    )
    return MarkedRead(marked=len(changed), unread=0)


async def subscription_count(user_id: UUID) -> int:
    return int(await PushSubscription.count().where(PushSubscription.user == user_id))
