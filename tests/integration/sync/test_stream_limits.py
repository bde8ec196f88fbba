"""Live-event streams are capped per user and per process (issue #15 item 6): one user's
streams cannot take a process from everyone else."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest

from kernel.settings import get_settings
from tests.factories import Person, make_org


class OpenStream:
    """One SSE request driven straight through the ASGI app, held open until closed."""

    def __init__(self, app: Any, person: Person) -> None:
        self.status: int | None = None
        self.body = b""
        self.started = asyncio.Event()
        self._gone = asyncio.Event()
        token = person.headers["Authorization"].encode()
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "GET", "scheme": "http", "path": "/sync/v1/events",
                 "raw_path": b"/sync/v1/events", "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"127.0.0.1"), (b"authorization", token)],
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
        self.task = asyncio.create_task(app(scope, self._receive, self._send))

    async def _receive(self) -> dict[str, Any]:
        if not self.started.is_set() and self.status is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._gone.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
            self.started.set()

    async def close(self) -> None:
        self._gone.set()
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


@pytest.fixture
def small_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = msgspec.structs.replace(get_settings(), live_streams_per_user=3,
                                       live_streams_per_process=5)
    monkeypatch.setattr("sync.controllers.get_settings", lambda: settings)


async def test_streams_are_capped_per_user_then_per_process(app: Any, client: Any,
                                                            small_caps: None) -> None:
    org = await make_org()
    agent, colleague, manager = (org.people[k] for k in ("agent_a", "agent_b", "manager_a"))
    opened = [OpenStream(app, agent) for _ in range(3)]
    try:
        await asyncio.wait_for(asyncio.gather(*[s.started.wait() for s in opened]), 10)
        assert [s.status for s in opened] == [200, 200, 200]
        refused = await asyncio.wait_for(  # an accepted stream would never end: bounded
            client.get("/sync/v1/events", headers=agent.headers), 10)
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "LIVE_STREAMS_PER_USER"
        assert int(refused.headers["retry-after"]) > 0
        # others still get theirs, up to the process's cap
        others = [OpenStream(app, colleague), OpenStream(app, manager)]
        opened += others
        await asyncio.wait_for(asyncio.gather(*[s.started.wait() for s in others]), 10)
        assert [s.status for s in others] == [200, 200]
        full = await asyncio.wait_for(
            client.get("/sync/v1/events", headers=org.people["head"].headers), 10)
        assert full.status_code == 503 and full.json()["code"] == "LIVE_STREAMS_FULL"
        assert full.headers["retry-after"]
        # sign-in and reads still answer while the streams are open
        assert (await client.get("/api/v1/me", headers=agent.headers)).status_code == 200
        # a closed stream frees its place
        await opened.pop(0).close()
        again = OpenStream(app, agent)
        opened.append(again)
        await asyncio.wait_for(again.started.wait(), 10)
        assert again.status == 200
    finally:
        for stream in opened:
            await stream.close()
    from sync.controllers import STREAMS
    assert STREAMS.total == 0 and not STREAMS.per_user
