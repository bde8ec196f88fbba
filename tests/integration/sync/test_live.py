"""Live pokes: SSE with heartbeats and Last-Event-ID; a push through process A pokes a client
connected to process B through Redis."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from typing import Any

import httpx
import msgspec
import pytest
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

from tests.conftest import IN_CI, REDIS_TEST_URL
from tests.factories import make_org
from tests.integration.sync.helpers import line_args
from tests.integration.sync.servers import running_servers


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


async def test_event_stream_pokes_heartbeats_and_last_event_id(
        client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import sync.live
    from sync.live import event_stream, make_poke
    monkeypatch.setattr(sync.live, "HEARTBEAT_SECONDS", 0.2)
    org = await make_org()
    agent = org.people["agent_a"]
    create = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [
        {"seq": 1, "id": str(uuid.uuid4()), "name": "expense_line.create", "v": 1,
         "args": line_args()}]}
    pushed = await client.post("/sync/v1/push", headers=agent.headers, json=create)
    assert pushed.status_code == 200
    plugin = ChannelsPlugin(backend=MemoryChannelsBackend(), arbitrary_channels_allowed=True)
    async with plugin:  # type: ignore[attr-defined]
        stream = event_stream(agent.actor, plugin, None)
        assert (await anext(stream)).comment == "connected"
        first = await anext(stream)  # behind: a poke at once
        assert first.event == "poke" and msgspec.json.decode(first.data)["version"] >= 1
        version = msgspec.json.decode(first.data)["version"]
        assert (await anext(stream)).comment == "heartbeat"
        await make_poke(plugin)(org.id, version + 1)
        poke = await asyncio.wait_for(anext(stream), 2)
        assert msgspec.json.decode(poke.data) == {"organisation": org.id.hex,
                                                  "version": version + 1}
        await stream.aclose()
        # reconnecting with Last-Event-ID at the current version: no immediate poke
        stream = event_stream(agent.actor, plugin, f"{org.id.hex}:{version}")
        assert (await anext(stream)).comment == "connected"
        assert (await anext(stream)).comment == "heartbeat"
        await stream.aclose()


async def test_a_push_pokes_once_per_organisation_with_its_newest_version(client: Any) -> None:
    from kernel.errors import DomainError
    from sync.push import apply_batch
    from sync.storage import organisation_versions
    from sync.wire import MutationIn

    org = await make_org()
    agent = org.people["agent_a"]
    pokes: list[tuple[uuid.UUID, int]] = []

    async def poke(organisation: uuid.UUID, version: int) -> None:
        pokes.append((organisation, version))

    def intents(*seqs: int) -> list[MutationIn]:
        return [MutationIn(seq=seq, id=uuid.uuid4(), name="expense_line.create", v=1,
                           args=line_args()) for seq in seqs]

    client_id = uuid.uuid4()
    acks, _ = await apply_batch(agent.actor, client_id, 1, "", intents(1, 2, 3), poke)
    assert [a.status for a in acks] == ["applied"] * 3
    newest = (await organisation_versions([org.id]))[org.id][0]
    assert pokes == [(org.id, newest)]
    # a batch stopped by a gap after a committed intent still pokes for what it committed
    pokes.clear()
    with pytest.raises(DomainError) as refused:
        await apply_batch(agent.actor, client_id, 1, "", intents(4, 9), poke)
    assert refused.value.code == "SEQ_GAP"
    assert pokes == [(org.id, newest + 1)]


@pytest.mark.redis
async def test_push_through_process_a_pokes_sse_client_of_process_b(client: Any) -> None:
    if not _redis_up():
        if IN_CI:
            raise AssertionError("Redis is required under CI")
        pytest.skip("Redis not running")
    org = await make_org()
    agent, manager = org.people["agent_a"], org.people["manager_a"]
    with running_servers(2, REDIS_TEST_URL) as (url_a, url_b):
        async with httpx.AsyncClient(timeout=10) as http:
            pokes: asyncio.Queue[dict[str, int]] = asyncio.Queue()

            async def listen() -> None:
                async with http.stream("GET", f"{url_b}/sync/v1/events",
                                       params={"access_token": manager.token}) as response:
                    assert response.status_code == 200
                    async for line in response.aiter_lines():
                        if line.startswith("data:") and line[5:].strip():
                            await pokes.put(msgspec.json.decode(line[5:].strip()))

            listener = asyncio.create_task(listen())
            try:
                await asyncio.sleep(1.0)  # subscribed
                while not pokes.empty():
                    pokes.get_nowait()
                started = time.monotonic()
                response = await http.post(f"{url_a}/sync/v1/push", headers=agent.headers, json={
                    "client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [
                        {"seq": 1, "id": str(uuid.uuid4()), "name": "expense_line.create",
                         "v": 1, "args": line_args()}]})
                assert response.status_code == 200, response.text
                poke = await asyncio.wait_for(pokes.get(), 5)
                assert poke["organisation"] == org.id.hex and poke["version"] >= 1
                assert time.monotonic() - started < 5
                # the poked client pulls through process B and sees the line
                pulled = await http.post(f"{url_b}/sync/v1/pull", headers=manager.headers,
                                         json={"client_id": str(uuid.uuid4()), "cookie": None})
                assert len(pulled.json()["patch"]) == 1
            finally:
                listener.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await listener


@pytest.mark.redis
async def test_a_poke_from_the_worker_reaches_the_app_processes() -> None:
    """``nomade worker`` has no channels plugin: its pokes (an OCR reading filled a line) go
    straight to the Redis stream that the app processes' channels read."""
    if not _redis_up():
        if IN_CI:
            raise AssertionError("Redis is required under CI")
        pytest.skip("Redis not running")
    from kernel.live import redis_backend, worker_poke
    from sync.live import channel_name

    organisation = uuid.uuid4()
    app_side = redis_backend(REDIS_TEST_URL)  # what an app process's channels plugin reads
    await app_side.subscribe([channel_name(organisation)])
    events = app_side.stream_events()
    reading = asyncio.ensure_future(anext(events))
    await worker_poke(REDIS_TEST_URL)(organisation, 42)
    channel, data = await asyncio.wait_for(reading, 5)
    await events.aclose()
    assert channel == channel_name(organisation)
    assert msgspec.json.decode(data) == {"organisation": organisation.hex, "version": 42}
