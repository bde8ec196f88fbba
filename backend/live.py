"""Live pokes across processes: Litestar channels on Redis Streams, or in memory."""

from __future__ import annotations

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from backend.settings import Settings

__all__ = ("make_channels",)


def make_channels(settings: Settings) -> ChannelsPlugin:
    """Redis Streams fan-out when ``REDIS_URL`` is set; one-process memory otherwise."""
    backend: ChannelsBackend
    if settings.redis_url:
        from litestar.channels.backends.redis import RedisChannelsStreamBackend
        from redis.asyncio import Redis

        backend = RedisChannelsStreamBackend(
            redis=Redis.from_url(settings.redis_url),
            history=10,
            stream_sleep_no_subscriptions=200,
            cap_streams_approximate=True,
            stream_ttl=60_000,
        )
    else:
        backend = MemoryChannelsBackend(history=10)
    return ChannelsPlugin(
        backend=backend, arbitrary_channels_allowed=True, create_ws_route_handlers=False
    )
