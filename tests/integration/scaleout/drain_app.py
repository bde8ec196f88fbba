"""The real app plus two probe routes, served by granian in the graceful-shutdown test.

``/test/slow`` stands for a push in flight; ``/test/stream`` is a live stream written the way
``GET /sync/v1/events`` must be: it watches the shutdown signal and ends with a reconnect event.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from litestar import get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from backend.app import create_app
from kernel import lifecycle


@get("/test/slow", opt={"public": True}, sync_to_thread=False)
async def slow(seconds: float = 2.0) -> dict[str, str]:
    await asyncio.sleep(seconds)
    return {"status": "done"}


async def _heartbeats() -> AsyncIterator[ServerSentEventMessage]:
    n = 0
    while True:
        n += 1
        yield ServerSentEventMessage(event="heartbeat", data=str(n), id=n)
        await asyncio.sleep(0.2)


@get("/test/stream", opt={"public": True})
async def stream() -> ServerSentEvent:
    async def events() -> AsyncIterator[ServerSentEventMessage]:
        async for message in lifecycle.until_shutdown(_heartbeats()):
            yield message
        yield lifecycle.reconnect_message(250)

    return ServerSentEvent(events())


app = create_app()
app.register(slow)
app.register(stream)
