"""Thin HTTP routes of notifications: VAPID key, subscriptions, preferences, presence, inbox."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.params import Parameter

from kernel.guards import current_actor, signed_in
from notifications import notify, services
from notifications.presence import get_presence
from notifications.schemas import (
    InboxPage,
    MarkedRead,
    PreferencesIn,
    PreferencesOut,
    PresenceIn,
    SubscriptionIn,
    SubscriptionOut,
    TestPushOut,
    UnreadCount,
    VapidPublicKey,
)
from notifications.vapid import get_signer

__all__ = ("InboxController", "PushController", "vapid_public_key")

AnyRequest = Request[Any, Any, Any]


@get(
    "/api/v1/push/vapid-public-key",
    operation_id="pushVapidPublicKey",
    tags=["notifications"],
    opt={"public": True},
    sync_to_thread=False,
)
def vapid_public_key() -> VapidPublicKey:
    """The application server key for ``pushManager.subscribe`` (public)."""
    return VapidPublicKey(public_key=get_signer().public_key)


class PushController(Controller):
    """This device's push subscription, the user's preferences and presence reports."""

    path = "/api/v1/push"
    guards = [signed_in]  # noqa: RUF012 - Litestar's declared attribute
    tags = ["notifications"]  # noqa: RUF012

    @post("/subscriptions", operation_id="pushSubscribe", status_code=200)
    async def subscribe(self, request: AnyRequest, data: SubscriptionIn) -> SubscriptionOut:
        """Register (or refresh) this device's subscription; idempotent by endpoint."""
        return await services.register_subscription(
            current_actor(request), data, get_signer().public_key
        )

    @delete("/subscriptions", operation_id="pushUnsubscribe", status_code=204)
    async def unsubscribe(
        self, request: AnyRequest, endpoint: Annotated[str, Parameter(max_length=2048)]
    ) -> None:
        """Forget this device's subscription (``?endpoint=`` as given by the browser)."""
        await services.remove_subscription(current_actor(request), endpoint)

    @get("/preferences", operation_id="pushGetPreferences")
    async def get_preferences(self, request: AnyRequest) -> PreferencesOut:
        return await services.get_preferences(current_actor(request).user_id)

    @put("/preferences", operation_id="pushPutPreferences")
    async def put_preferences(self, request: AnyRequest, data: PreferencesIn) -> PreferencesOut:
        return await services.put_preferences(current_actor(request).user_id, data)

    @post("/test", operation_id="pushSendTest", status_code=202)
    async def send_test(self, request: AnyRequest) -> TestPushOut:
        """ "Send me a test": a push to each of the user's devices, now, whatever the hour."""
        actor = current_actor(request)
        await services.allow_test_push(actor.user_id)
        devices = await services.subscription_count(actor.user_id)
        await notify(
            "test",
            [actor.user_id],
            {"kind": "", "id": "", "url": "/settings"},
            action_required=True,
        )
        return TestPushOut(devices=devices)

    @post("/presence", operation_id="pushReportPresence", status_code=204)
    async def presence(self, request: AnyRequest, data: PresenceIn) -> None:
        """The document on screen: no push about it for the next 45 s (the inbox still gets it)."""
        await get_presence().report(
            current_actor(request).user_id, data.document_kind, data.document_id
        )


class InboxController(Controller):
    """The in-app inbox (boîte de réception): every notification, read or not."""

    path = "/api/v1/inbox"
    guards = [signed_in]  # noqa: RUF012
    tags = ["notifications"]  # noqa: RUF012

    @get("/", operation_id="inboxList")
    async def list_items(
        self,
        request: AnyRequest,
        before: str | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 30,
        unread_only: bool = False,
    ) -> InboxPage:
        return await services.inbox_page(
            current_actor(request), before=before, limit=limit, unread_only=unread_only
        )

    @get("/unread-count", operation_id="inboxUnreadCount")
    async def unread(self, request: AnyRequest) -> UnreadCount:
        """The badge number."""
        return UnreadCount(await services.unread_count(current_actor(request).user_id))

    @post("/{item_id:uuid}/read", operation_id="inboxMarkRead", status_code=200)
    async def mark_read(self, request: AnyRequest, item_id: UUID) -> MarkedRead:
        return await services.mark_read(current_actor(request), item_id)

    @post("/read-all", operation_id="inboxMarkAllRead", status_code=200)
    async def mark_all_read(self, request: AnyRequest) -> MarkedRead:
        return await services.mark_all_read(current_actor(request))
