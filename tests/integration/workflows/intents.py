"""Sending sync intents as a device would: through POST /sync/v1/push when it exists."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from tests.factories import Person

try:
    import sync.push  # noqa: F401
    _HAS_PUSH = True
except ImportError:
    _HAS_PUSH = False

_SEQ: dict[uuid.UUID, tuple[uuid.UUID, int]] = {}


class Ack(msgspec.Struct):
    status: str
    code: str | None = None
    details: dict[str, Any] = {}
    conflicts: list[dict[str, Any]] = []


async def send(client: Any, person: Person, name: str, args: dict[str, Any], *,
               v: int = 1) -> Ack:
    """Push one intent from ``person``'s device and return its ack."""
    if not _HAS_PUSH:
        return await run_direct(person, name, args)
    client_id, seq = _SEQ.get(person.user_id, (uuid.uuid4(), 0))
    seq += 1
    _SEQ[person.user_id] = (client_id, seq)
    body = {"client_id": str(client_id), "schema_version": 1, "mutations": [{
        "seq": seq, "id": str(uuid.uuid4()), "name": name, "v": v,
        "args": msgspec.to_builtins(args), "client_time": datetime.now(UTC).isoformat()}]}
    response = await client.post("/sync/v1/push", json=body, headers=person.headers)
    if response.status_code != 200:
        _SEQ[person.user_id] = (client_id, seq - 1)
        raise AssertionError(f"push failed {response.status_code}: {response.text}")
    return msgspec.convert(response.json()["acks"][0], Ack)


async def run_direct(person: Person, name: str, args: dict[str, Any]) -> Ack:
    """Run an intent's handler in one transaction, as push does (for use before push exists)."""
    from piccolo.engine import engine_finder

    from sync.outcomes import Noop, Rejected
    from sync.registry import MutationContext, get_entity, get_mutation

    spec = get_mutation(name)
    assert spec is not None, name
    ctx = MutationContext(actor=person.actor, mutation_id=uuid.uuid4(),
                          client_time=datetime.now(UTC), server_time=datetime.now(UTC),
                          device_id=person.device_id, client_id=uuid.uuid4(), seq=1)
    parsed = msgspec.convert(msgspec.to_builtins(args), spec.args, strict=False)

    class _Rollback(Exception):
        pass

    outcome: Any = None
    engine = engine_finder()
    try:
        async with engine.transaction():
            try:
                outcome = await spec.handler(ctx, parsed)
            except Rejected as exc:
                outcome = exc
            if outcome is not None:
                raise _Rollback
            for touched in ctx.touched.values():
                for entity, ids in touched.items():
                    table = get_entity(entity).table
                    await table.update({table.row_version: table.row_version + 1}).where(
                        table._meta.primary_key.is_in(list(ids)))
    except _Rollback:
        pass
    if isinstance(outcome, Rejected):
        return Ack("rejected", outcome.code, outcome.details)
    if isinstance(outcome, Noop):
        return Ack("noop", outcome.code, outcome.details)
    return Ack("applied", conflicts=[{"field": c.field} for c in ctx.conflicts])


async def send_retrying(client: Any, person: Person, name: str, args: dict[str, Any]) -> Ack:
    """Like :func:`send`, retrying a transient 503 with the same seq, as a device would."""
    import asyncio

    client_id, seq = _SEQ.get(person.user_id, (uuid.uuid4(), 0))
    seq += 1
    _SEQ[person.user_id] = (client_id, seq)
    body = {"client_id": str(client_id), "schema_version": 1, "mutations": [{
        "seq": seq, "id": str(uuid.uuid4()), "name": name, "v": 1,
        "args": msgspec.to_builtins(args), "client_time": datetime.now(UTC).isoformat()}]}
    for _ in range(20):
        response = await client.post("/sync/v1/push", json=body, headers=person.headers)
        if response.status_code == 200:
            return msgspec.convert(response.json()["acks"][0], Ack)
        assert response.status_code == 503, response.text
        await asyncio.sleep(0.05)
    raise AssertionError("still unavailable after retries")
