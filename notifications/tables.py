"""Piccolo storage of notifications: device subscriptions, the push outbox, preferences, inbox."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

__all__ = ("InboxItem", "PushOutbox", "PushPreference", "PushSubscription")

# People and their phones are the accounts app's tables: named through Piccolo's app registry
# (piccolo_conf.py, where the apps are put together) rather than imported, as notifications
# sits below the domains. The database holds the same foreign keys.
User = LazyTableReference("User", app_name="accounts")
Device = LazyTableReference("Device", app_name="accounts")


class PushSubscription(Table, tablename="push_subscription"):
    """A browser's push subscription on one device (abonnement push), unique by endpoint."""

    id = UUID(primary_key=True)
    user: ForeignKey[Table] = ForeignKey(
        references=User, null=False, index=True, on_delete=OnDelete.cascade
    )
    device: ForeignKey[Table] = ForeignKey(
        references=Device, null=True, index=True, on_delete=OnDelete.set_null
    )
    endpoint = Varchar(length=2048, unique=True)
    p256dh = Varchar(length=128)
    auth = Varchar(length=64)
    user_agent = Varchar(length=400, default="")
    language = Varchar(length=2, default="fr")
    # The VAPID public key the browser subscribed with: a mismatch means the key was rotated.
    vapid_key = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    last_success_at = Timestamptz(null=True, default=None)
    failure_count = Integer(default=0)


class PushOutbox(Table, tablename="push_outbox"):
    """One push message to one subscription, written with the event and sent by the worker.

    ``state``: pending (due at ``next_attempt_at``; also a claimed row whose lease ran out),
    sending (claimed until ``next_attempt_at``), digest (held for the daily digest), sent,
    digested, skipped (the user was looking at the document), gone (subscription expired),
    failed (refused for good: alert logged), withdrawn (no longer for that phone: the
    subscription moved to someone else, its device signed out or was revoked, or the person
    was deactivated; the inbox item stays).
    """

    id = UUID(primary_key=True)
    user: ForeignKey[Table] = ForeignKey(
        references=User, null=False, index=True, on_delete=OnDelete.cascade
    )
    subscription = ForeignKey(
        references=PushSubscription, null=True, index=True, on_delete=OnDelete.set_null
    )
    inbox_item = UUID(null=True, default=None)
    event_type = Varchar(length=40)
    topic = Varchar(length=32, default="")
    urgency = Varchar(length=8, default="normal")
    ttl = Integer(default=86400)
    payload = Text()
    document_kind = Varchar(length=40, default="")
    document_id = Varchar(length=64, default="")
    state = Varchar(length=10, default="pending", index=True)
    attempts = SmallInt(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    idempotency_key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    last_status = SmallInt(default=0)
    last_error = Varchar(length=200, default="")


class PushPreference(Table, tablename="push_preference"):
    """A user's notification settings (préférences); absent row = the defaults.

    ``modes`` is a JSON object event type → off | immediate | digest. Times are local wall-clock
    ``HH:MM`` in ``timezone``; empty quiet hours mean none.
    """

    id = UUID(primary_key=True)
    user: ForeignKey[Table] = ForeignKey(
        references=User, null=False, unique=True, on_delete=OnDelete.cascade
    )
    modes = Text(default="{}")
    digest_time = Varchar(length=5, default="08:00")
    timezone = Varchar(length=64, default="Europe/Paris")
    quiet_start = Varchar(length=5, default="21:00")
    quiet_end = Varchar(length=5, default="07:30")
    hide_amounts = Boolean(default=True)
    version = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())


class InboxItem(Table, tablename="inbox_item"):
    """Every notification, pushed or not (boîte de réception): the source of truth."""

    id = UUID(primary_key=True)
    user: ForeignKey[Table] = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade)
    event_type = Varchar(length=40)
    title_fr = Varchar(length=300)
    title_en = Varchar(length=300)
    body_fr = Text(default="")
    body_en = Text(default="")
    url = Varchar(length=500, default="")
    document_kind = Varchar(length=40, default="")
    document_id = Varchar(length=64, default="")
    action_required = Boolean(default=False)
    idempotency_key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    read_at = Timestamptz(null=True, default=None)
