"""Live pokes across processes: Litestar channels on Redis Streams, or in memory.

Litestar's Redis Streams backend stops for good at the first Redis error: the plugin's
publishing and reading tasks die with it, so after a Redis restart a process would neither
send nor receive pokes until it is restarted itself. :class:`ResilientRedisStreamBackend`
keeps both loops alive: a failed publish is retried briefly then dropped (a lost poke costs
only delay: phones also pull on start, when online, when visible and on a timer), and the
reading loop waits with backoff and resumes from the last stream ids it saw.

``nomade worker`` has no web app: :func:`worker_poke` writes its pokes (an OCR reading filled a
line) straight to the same Redis streams.

Each process installs its publisher once (:func:`set_poke_publisher`): the web app its channels
plugin (``backend.app``), ``nomade worker`` :func:`worker_poke`. The unit of work publishes the
pokes of committed writes through it (:func:`publish_poke`), from its outbox rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from typing import Any
from uuid import UUID

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsStreamBackend
from redis.exceptions import RedisError

from kernel.settings import Settings

__all__ = ("Poke", "ResilientRedisStreamBackend", "channel_name", "make_channels", "poke_data",
           "publish_poke", "redis_backend", "set_poke_publisher", "worker_poke")

log = logging.getLogger("nomade.live")
_PUBLISH_ATTEMPTS = 3
_MAX_BACKOFF = 5.0
Poke = Callable[[UUID, int], Awaitable[None]]

_publisher: Poke | None = None


def set_poke_publisher(poke: Poke | None) -> Poke | None:
    """Install this process's publisher; returns the one it replaces (to put back later)."""
    global _publisher
    previous, _publisher = _publisher, poke
    return previous


async def publish_poke(organisation_id: UUID, version: int) -> bool:
    """Poke the organisation at ``version`` (after commit); False when this process has no
    publisher (a command-line tool: the worker's outbox sweep pokes instead)."""
    if _publisher is None:
        return False
    await _publisher(organisation_id, version)
    return True


def channel_name(organisation_id: UUID) -> str:
    """The channel carrying an organisation's pokes."""
    return f"sync:{organisation_id.hex}"


def poke_data(organisation_id: UUID, version: int) -> bytes:
    """The body of a poke: ``{"organisation", "version"}``, no content."""
    return msgspec.json.encode({"organisation": organisation_id.hex, "version": version})


class ResilientRedisStreamBackend(RedisChannelsStreamBackend):
    """Redis Streams fan-out that survives Redis restarts and network cuts."""

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        channels = list(channels)
        for attempt in range(_PUBLISH_ATTEMPTS):
            try:
                await super().publish(data, channels)
                return
            except (RedisError, OSError) as exc:
                log.warning("poke publish failed, retrying",
                            extra={"attempt": attempt + 1, "error": type(exc).__name__})
                await asyncio.sleep(0.2 * 2**attempt)
        log.warning("poke dropped after %d attempts (clients still pull on their own)",
                    _PUBLISH_ATTEMPTS)

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        stream_ids: dict[str, bytes] = {}
        backoff = 0.1
        while True:
            stream_keys = [self._make_key(c) for c in await self._get_subscribed_channels()]
            try:
                data: Any = await self._redis.xread(
                    {key: stream_ids.get(key, 0) for key in stream_keys},
                    block=self._stream_sleep_no_subscriptions,
                )
            except (RedisError, OSError) as exc:
                log.warning("live stream read failed, retrying",
                            extra={"error": type(exc).__name__, "retry_in": backoff})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF)
                continue
            if backoff > 0.1:
                log.info("live stream reading again")
                backoff = 0.1
            for stream_key, channel_events in data or []:
                for event_id, fields in channel_events:
                    stream_ids[stream_key.decode()] = event_id
                    yield fields[b"channel"].decode(), fields[b"data"]


def redis_backend(redis_url: str) -> ResilientRedisStreamBackend:
    """The Redis Streams backend of every process (same keys, caps and expiry everywhere)."""
    from redis.asyncio import Redis

    return ResilientRedisStreamBackend(
        redis=Redis.from_url(redis_url, socket_connect_timeout=2, health_check_interval=15),
        history=10,
        stream_sleep_no_subscriptions=200,
        cap_streams_approximate=True,
        stream_ttl=60_000,
    )


def make_channels(settings: Settings) -> ChannelsPlugin:
    """Redis Streams fan-out when ``REDIS_URL`` is set; one-process memory otherwise."""
    backend: ChannelsBackend = (
        redis_backend(settings.redis_url) if settings.redis_url
        else MemoryChannelsBackend(history=10)
    )
    return ChannelsPlugin(
        backend=backend, arbitrary_channels_allowed=True, create_ws_route_handlers=False
    )


def worker_poke(redis_url: str) -> Callable[[UUID, int], Awaitable[None]]:
    """Pokes from ``nomade worker`` (no web app, no subscribers): written straight to the Redis
    streams that the app processes read, in the format of their channels plugin. The worker
    installs it with ``sync.pokes.set_poke_publisher`` (a ``sync.pokes.Poke``)."""
    backend = redis_backend(redis_url)

    async def poke(organisation_id: UUID, version: int) -> None:
        await backend.publish(poke_data(organisation_id, version), [channel_name(organisation_id)])

    return poke
