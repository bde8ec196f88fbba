"""Process lifecycle: the shutdown signal that long-lived streams and probes watch.

On SIGTERM (or SIGINT) the server stops accepting connections and waits for the requests in
flight to finish (granian drains them). A Server-Sent Events stream never finishes by itself,
so it watches :func:`shutdown_event` and ends with a ``reconnect`` event carrying a short
``retry:``; the phone reconnects at once, through nginx, to a process that is still running.
``/ready`` answers 503 from the same moment so a load balancer stops sending new work.

The signal is chained, not stolen: :func:`watch_signals` installs a Python-level handler that
sets the event and then calls the handler that was there (the server's); the server's own
asyncio handler still runs through the loop's wake-up file descriptor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import AsyncIterator, Callable
from types import FrameType
from typing import Any, TypeVar

from litestar.response import ServerSentEventMessage

__all__ = (
    "RECONNECT_EVENT",
    "begin_shutdown",
    "closing_on_shutdown",
    "is_shutting_down",
    "reconnect_message",
    "reset",
    "shutdown_event",
    "until_shutdown",
    "watch_signals",
)

log = logging.getLogger("nomade.lifecycle")
T = TypeVar("T")
RECONNECT_EVENT = "reconnect"
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _State:
    event: asyncio.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None
    flag = False


_state = _State()


def shutdown_event() -> asyncio.Event:
    """The event set when this process begins to shut down (bound to the running loop)."""
    loop = asyncio.get_running_loop()
    if _state.event is None or _state.loop is not loop:
        _state.event, _state.loop = asyncio.Event(), loop
        if _state.flag:
            _state.event.set()
    return _state.event


def is_shutting_down() -> bool:
    """True once shutdown has begun."""
    return _state.flag


def begin_shutdown() -> None:
    """Tell every watcher that the process is stopping (safe from a signal handler)."""
    if not _state.flag:
        log.info("shutdown begun: draining requests, asking live streams to reconnect")
    _state.flag = True
    event, loop = _state.event, _state.loop
    if event is None or loop is None or loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        event.set()
    else:
        loop.call_soon_threadsafe(event.set)


def reset() -> None:
    """Forget a past shutdown (tests reuse one process)."""
    _state.event, _state.loop, _state.flag = None, None, False


def watch_signals() -> Callable[[], None]:
    """Chain :func:`begin_shutdown` before the current SIGTERM/SIGINT handlers.

    Only where a handler is already installed by the server (granian, uvicorn): with the
    default action the process would otherwise stop dying on SIGTERM. Returns an undo function.
    Does nothing outside the main thread, where signal handlers cannot be set.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous: dict[int, Any] = {}
    for sig in _SIGNALS:
        prev = signal.getsignal(sig)
        if not callable(prev):
            continue

        def handler(signum: int, frame: FrameType | None, _prev: Any = prev) -> None:
            begin_shutdown()
            _prev(signum, frame)

        previous[sig] = prev
        signal.signal(sig, handler)

    def undo() -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig, prev in previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, prev)

    return undo


async def until_shutdown(source: AsyncIterator[T]) -> AsyncIterator[T]:
    """Yield from ``source`` until the process begins to shut down.

    For long-lived streams: ``async for item in until_shutdown(pokes): yield item`` and then
    send :func:`reconnect_message` as the last event.
    """
    stop = shutdown_event()
    stopper = asyncio.ensure_future(stop.wait())
    iterator = aiter(source)
    step: asyncio.Future[tuple[bool, T | None]] | None = None
    try:
        while not stop.is_set():
            step = asyncio.ensure_future(_next(iterator))
            done, _ = await asyncio.wait({step, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if step not in done:
                step.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await step
                return
            more, item = step.result()
            if not more:
                return
            yield item  # type: ignore[misc]
    finally:
        stopper.cancel()
        if step is not None and not step.done():  # the client left mid-wait (cancelled):
            step.cancel()  # end the pending step now, so the source closes at once
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await step
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()


async def _next(iterator: AsyncIterator[T]) -> tuple[bool, T | None]:
    try:
        return True, await anext(iterator)
    except StopAsyncIteration:
        return False, None


async def closing_on_shutdown(
    stream: AsyncIterator[ServerSentEventMessage], retry_ms: int = 500
) -> AsyncIterator[ServerSentEventMessage]:
    """``stream`` until shutdown, then :func:`reconnect_message` (wrap every SSE stream in it)."""
    async for message in until_shutdown(stream):
        yield message
    if is_shutting_down():
        yield reconnect_message(retry_ms)


def reconnect_message(retry_ms: int = 500) -> ServerSentEventMessage:
    """The last event of a stream closed by shutdown: reconnect after ``retry_ms``."""
    return ServerSentEventMessage(event=RECONNECT_EVENT, data='{"reason":"shutdown"}',
                                  retry=retry_ms)
