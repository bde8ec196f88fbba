"""Live pokes: ``{version}`` on a channel per organisation, streamed to clients as SSE."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from uuid import UUID

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.response.sse import ServerSentEventMessage

from kernel.actor import Actor
from kernel.live import channel_name, poke_data
from sync.registry import visible_organisations
from sync.storage import organisation_versions

__all__ = ("HEARTBEAT_SECONDS", "channel_name", "event_stream", "make_poke", "poke_data")

HEARTBEAT_SECONDS = 15.0


def make_poke(channels: ChannelsPlugin):  # type: ignore[no-untyped-def]
    """A poke function publishing ``{"organisation", "version"}`` (no content) after commit."""

    async def poke(organisation_id: UUID, version: int) -> None:
        channels.publish(poke_data(organisation_id, version), channel_name(organisation_id))

    return poke


def _last_seen(last_event_id: str | None) -> dict[str, int]:
    """Last-Event-ID is ``<org hex>:<version>[,…]``; unreadable parts are ignored."""
    seen: dict[str, int] = {}
    for part in (last_event_id or "").split(","):
        org, _, version = part.partition(":")
        if version.isdigit():
            seen[org] = int(version)
    return seen


async def event_stream(actor: Actor, channels: ChannelsPlugin, last_event_id: str | None
                       ) -> AsyncGenerator[ServerSentEventMessage, None]:
    """Pokes for the actor's organisations, a heartbeat comment every HEARTBEAT_SECONDS.

    On connect, a poke is sent at once for every organisation whose version is past the one in
    ``Last-Event-ID`` (or always, without it), so a reconnecting client never misses a change.
    """
    orgs = await visible_organisations(actor)
    queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=1000)

    async def on_event(data: bytes) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(data)

    seen = _last_seen(last_event_id)
    yield ServerSentEventMessage(data=None, comment="connected", retry=3000)
    if not orgs:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            yield ServerSentEventMessage(data=None, comment="heartbeat")
    async with (
        channels.start_subscription([channel_name(o) for o in orgs]) as subscriber,
        subscriber.run_in_background(on_event),
    ):
        versions = await organisation_versions(orgs)
        for org, (version, _) in versions.items():
            if seen.get(org.hex, -1) < version:
                seen[org.hex] = version
                yield _poke_message(org.hex, version, seen)
        while True:
            try:
                data = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                yield ServerSentEventMessage(data=None, comment="heartbeat")
                continue
            poke = msgspec.json.decode(data)
            org_hex, version = str(poke["organisation"]), int(poke["version"])
            if seen.get(org_hex, -1) >= version:
                continue
            seen[org_hex] = version
            yield _poke_message(org_hex, version, seen)


def _poke_message(org_hex: str, version: int, seen: dict[str, int]) -> ServerSentEventMessage:
    return ServerSentEventMessage(
    event="poke",
    data=msgspec.json.encode({"organisation": org_hex, "version": version}).decode(),
    id=",".join(f"{o}:{v}" for o, v in sorted(seen.items())),
    )
