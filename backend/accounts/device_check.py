"""Is the device behind a token still signed in (and its user active)? Asked on every
authenticated request.

The answer comes from PostgreSQL (the ``device`` row: not revoked, refresh window open) and,
when the processes share a Redis, is remembered by the process for ``device_check_seconds``
(default 30 s) so that a phone's burst of requests (pull pages, receipt chunks, a push then a
pull) costs one read. Revocation stays immediate:

- revoking through Nomade (sign-out, revocation from the device list, refresh-token reuse,
  PIN failures, a deactivated user at refresh) forgets the device in this process and
  publishes its id on the Redis channel ``nomade:device-revoked``; every process forgets it on
  receipt (milliseconds);
- a process remembers devices only while it is subscribed to that channel: when Redis is down
  or the subscription restarts it forgets everything and asks PostgreSQL on every request;
- a device revoked by hand in the database (SQL, not through Nomade) is refused by every
  process within ``device_check_seconds``.

Without Redis (embedded mode) nothing is remembered. The device's ``last_seen_at`` is written
at most once a minute, on the requests that read the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from redis.asyncio import Redis

from backend.accounts.tables import Device
from kernel.settings import get_settings

__all__ = (
    "CHANNEL",
    "LAST_SEEN_PRECISION",
    "RevocationListener",
    "device_is_active",
    "device_revoked",
    "on_device_revoked",
    "start_revocation_listener",
)

log = logging.getLogger("nomade.accounts")

CHANNEL = "nomade:device-revoked"
LAST_SEEN_PRECISION = timedelta(minutes=1)
_MAX_REMEMBERED = 200_000

# device id -> (remembered until, on the monotonic clock; end of its refresh window)
_remembered: dict[UUID, tuple[float, datetime]] = {}
# Counts revocations heard: a read that overlapped one is not remembered (it may predate it).
_heard = 0
# Subscriptions to revocations in this process (an app each): remember only while one is up.
_subscribed = 0


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def device_is_active(device_id: UUID) -> bool:
    """A device counts while it is not revoked, its refresh window is open and its user is
    active."""
    now = datetime.now(UTC)
    known = _remembered.get(device_id)
    if known is not None and known[0] > time.monotonic() and known[1] > now:
        return True
    heard_before = _heard
    rows = await Device.raw(  # raw: Piccolo's select building cost more than the statement
        "SELECT d.revoked_at, d.refresh_expires_at, d.last_seen_at, u.is_active FROM device d "
        'JOIN app_user u ON u.id = d."user" WHERE d.id = {}', device_id)
    row = rows[0] if rows else None
    expires = None if row is None else _aware(row["refresh_expires_at"])
    if (row is None or row["revoked_at"] is not None or expires is None or expires <= now
            or not row["is_active"]):
        _remembered.pop(device_id, None)
        return False
    last_seen = _aware(row["last_seen_at"])
    if last_seen is None or now - last_seen >= LAST_SEEN_PRECISION:
        await Device.update({Device.last_seen_at: now}).where(Device.id == device_id)
    seconds = get_settings().device_check_seconds
    if _subscribed and seconds > 0 and _heard == heard_before:
        if len(_remembered) >= _MAX_REMEMBERED:
            _remembered.clear()
        _remembered[device_id] = (time.monotonic() + seconds, expires)
    return True


# What else ends with a device's session (its push subscriptions: notifications), registered
# by the composition root at start-up; accounts knows nothing of the packages above it.
_revocation_hooks: dict[str, Callable[[UUID], Awaitable[object]]] = {}


def on_device_revoked(name: str, hook: Callable[[UUID], Awaitable[object]]) -> None:
    """Run ``hook(device_id)`` after every revocation through Nomade (once per ``name``)."""
    _revocation_hooks[name] = hook


async def device_revoked(device_id: UUID) -> None:
    """Call once the revocation of ``device_id`` is committed: every process stops accepting
    it, and what hangs on its session (push subscriptions) is dropped. Revocations are rare: a
    connection of its own each time."""
    _remembered.pop(device_id, None)
    for name, hook in list(_revocation_hooks.items()):
        try:
            await hook(device_id)
        except Exception:  # the sender also refuses a signed-out device: never fail sign-out
            log.warning("device revocation hook failed", exc_info=True,
                        extra={"device": str(device_id), "hook": name})
    url = get_settings().redis_url
    if not url:
        return
    client = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.publish(CHANNEL, str(device_id))
    except Exception:  # the other processes stopped remembering when they lost Redis too
        log.warning("device revocation not broadcast", exc_info=True,
                    extra={"device": str(device_id)})
    finally:
        with contextlib.suppress(Exception):
            await client.aclose()


async def _listen(url: str, stop: asyncio.Event) -> None:
    """Forget revoked devices as they are announced; remember nothing while not subscribed."""
    global _subscribed, _heard
    while not stop.is_set():
        client = Redis.from_url(url, health_check_interval=10, socket_connect_timeout=2)
        subscribed = False
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(CHANNEL)
                _remembered.clear()  # announcements may have been missed meanwhile
                _heard += 1  # nor remember what a read begun before now found
                _subscribed += 1
                subscribed = True
                # Polled (not ``listen()``): a stop is seen within a second even if a
                # cancellation is swallowed inside the Redis client.
                while not stop.is_set():
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        _heard += 1
                        with contextlib.suppress(ValueError, AttributeError):
                            _remembered.pop(UUID(message["data"].decode()), None)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("device revocation channel lost; checking every request meanwhile",
                        exc_info=True)
        finally:
            if subscribed:
                _subscribed -= 1
            _remembered.clear()
            with contextlib.suppress(Exception):
                await client.aclose()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


class RevocationListener:
    """One app's subscription to revocations (started and stopped by its lifespan)."""

    def __init__(self, url: str) -> None:
        self._stop = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(_listen(url, self._stop))

    async def stop(self) -> None:
        self._stop.set()
        self._task.cancel()
        done, _ = await asyncio.wait({self._task}, timeout=3.0)
        if not done:
            log.warning("device revocation listener did not stop in time")


def start_revocation_listener() -> RevocationListener | None:
    """At app start: follow revocations from the other processes (only with Redis)."""
    settings = get_settings()
    if not settings.redis_url or settings.device_check_seconds <= 0:
        return None
    return RevocationListener(settings.redis_url)
