"""Per-intent and per-pull cost of the sync path.

``uv run python bench/sync_profile.py --db sqlite|postgres [--profile]``.

Counts the SQL statements (those Piccolo runs, and those sent straight to the driver), on
PostgreSQL the round trips (statements, BEGIN/COMMIT, pool resets), and the CPU time
(``time.process_time``, less sensitive to machine load than wall time) per applied
``expense_line.create`` intent (batches of 100), per ``expense_line.edit`` intent, per initial
pull of 10,000 rows, per incremental pull of one changed row, by its owner (an agent) and
by their manager (whose visibility needs the org chart), and per start-up sync of a new client
in an organisation with three lines (agent, manager). ``--profile`` writes cProfile stats
to /tmp/sync_profile_<db>_<phase>.prof.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import contextvars
import cProfile
import json
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sync_bench import _configure, _create_args, _drop, seed_pull_rows  # noqa: E402

COUNTS: collections.Counter[str] = collections.Counter()
ROUND_TRIPS: collections.Counter[str] = collections.Counter()
_IN_PICCOLO: contextvars.ContextVar[bool] = contextvars.ContextVar("in_piccolo", default=False)


def _instrument() -> None:
    from piccolo.engine import engine_finder

    engine_cls = type(engine_finder())
    original = engine_cls.run_querystring

    async def counted(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        COUNTS[str(querystring.template)[:60]] += 1
        token = _IN_PICCOLO.set(True)
        try:
            return await original(self, querystring, in_pool)
        finally:
            _IN_PICCOLO.reset(token)

    engine_cls.run_querystring = counted  # type: ignore[method-assign]
    try:  # every message exchange with PostgreSQL: statements, BEGIN/COMMIT, pool resets
        from asyncpg.connection import Connection
    except ImportError:
        return
    execute, extended = Connection.execute, Connection._execute

    async def counted_execute(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if not args:  # simple protocol (BEGIN, COMMIT, the pool's reset query)
            ROUND_TRIPS["simple: " + query.split(";")[0][:40]] += 1
        return await execute(self, query, *args, **kwargs)

    async def counted_extended(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        ROUND_TRIPS["statement"] += 1
        if not _IN_PICCOLO.get():
            COUNTS["asyncpg: " + query[:51]] += 1  # sent past Piccolo (sync.storage)
        return await extended(self, query, *args, **kwargs)

    Connection.execute = counted_execute  # type: ignore[method-assign]
    Connection._execute = counted_extended  # type: ignore[method-assign]


class Phase:
    """Statements, round trips, CPU and wall time of ``units`` operations, measured in one or
    more stretches (``with phase.measuring():``), optionally under cProfile."""

    def __init__(self, name: str, units: int, profile: bool, db: str) -> None:
        self.name, self.units, self.db = name, units, db
        self.prof = cProfile.Profile() if profile else None
        self.cpu = self.wall = 0.0
        self.counts: collections.Counter[str] = collections.Counter()
        self.trips: collections.Counter[str] = collections.Counter()

    @contextlib.contextmanager
    def measuring(self) -> Iterator[None]:
        COUNTS.clear()
        ROUND_TRIPS.clear()
        if self.prof:
            self.prof.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            yield
        finally:
            self.cpu += time.process_time() - cpu
            self.wall += time.perf_counter() - wall
            if self.prof:
                self.prof.disable()
            self.counts.update(COUNTS)
            self.trips.update(ROUND_TRIPS)

    def __enter__(self) -> Phase:
        self._whole = self.measuring()
        self._whole.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._whole.__exit__(None, None, None)
        self.finish()

    def finish(self) -> None:
        if self.prof:
            self.prof.dump_stats(f"/tmp/sync_profile_{self.db}_{self.name}.prof")
        n = self.units
        self.result = {"statements": sum(self.counts.values()) / n,
                       "round_trips": sum(self.trips.values()) / n,
                       "cpu_ms": 1000 * self.cpu / n, "wall_ms": 1000 * self.wall / n,
                       "by_statement": {k: v / n for k, v in self.counts.most_common(12)},
                       "by_round_trip": {k: v / n for k, v in self.trips.most_common(8)}}


async def _run(db: str, profile: bool) -> dict[str, Any]:
    import httpx
    import msgspec

    from backend.app import create_app
    from backend.migrate import migrate
    from tests.factories import make_org

    await migrate()
    app = create_app()
    out: dict[str, Any] = {"db": db}
    async with app.lifespan():
        _instrument()
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p",
                                 timeout=120)
        org = await make_org()
        agent = org.people["agent_a"]
        client_id, seq, ids = str(uuid.uuid4()), 0, []

        async def push(mutations: list[dict[str, Any]]) -> None:
            response = await http.post("/sync/v1/push", headers=agent.headers, json={
                "client_id": client_id, "schema_version": 1, "mutations": mutations})
            assert response.status_code == 200, response.text
            acks = msgspec.json.decode(response.content)["acks"]
            assert all(a["status"] == "applied" for a in acks), response.text

        def creates(n: int) -> list[dict[str, Any]]:
            nonlocal seq
            batch = []
            for _ in range(n):
                seq += 1
                line = uuid.uuid4()
                ids.append(line)
                batch.append({"seq": seq, "id": str(uuid.uuid4()), "v": 1,
                              "name": "expense_line.create", "args": _create_args(line, seq)})
            return batch

        await push(creates(100))  # warm-up
        with Phase("create", 500, profile, db) as p:
            for _ in range(5):
                await push(creates(100))
        out["push_create"] = p.result
        edits = []
        for n, line in enumerate(ids[:500]):
            seq += 1
            edits.append({"seq": seq, "id": str(uuid.uuid4()), "v": 1, "name": "expense_line.edit",
                          "args": {"id": str(line), "base_version": 1, "merchant": f"e{n}"}})
        with Phase("edit", 500, profile, db) as p:
            for start in range(0, 500, 100):
                await push(edits[start:start + 100])
        out["push_edit"] = p.result

        reader = await make_org()
        owner = reader.people["agent_a"]
        await seed_pull_rows(reader.id, owner.user_id)
        pull_client = str(uuid.uuid4())
        cookie = None
        with Phase("initial_pull", 1, profile, db) as p:
            while True:
                response = await http.post("/sync/v1/pull", headers=owner.headers, json={
                    "client_id": pull_client, "cookie": cookie, "limit": 5000})
                page = msgspec.json.decode(response.content)
                cookie = page["cookie"]
                if not page["has_more"]:
                    break
        out["initial_pull"] = p.result
        writer = str(uuid.uuid4())
        line = uuid.uuid4()
        await http.post("/sync/v1/push", headers=owner.headers, json={
            "client_id": writer, "schema_version": 1, "mutations": [
                {"seq": 1, "id": str(uuid.uuid4()), "v": 1, "name": "expense_line.create",
                 "args": _create_args(line, 1)}]})
        manager = reader.people["manager_a"]  # sees agent_a's lines: visibility needs queries
        pullers = {"agent": [owner, pull_client, cookie], "manager": [manager, str(uuid.uuid4()),
                                                                      None]}
        runs = 40
        phases = {who: Phase(f"incremental_{who}", runs, profile, db) for who in pullers}
        for n in range(-1, runs):
            if n >= 0:
                await http.post("/sync/v1/push", headers=owner.headers, json={
                    "client_id": writer, "schema_version": 1, "mutations": [
                        {"seq": n + 2, "id": str(uuid.uuid4()), "v": 1,
                         "name": "expense_line.edit",
                         "args": {"id": str(line), "base_version": n + 1, "merchant": f"m{n}"}}]})
            for who, state in pullers.items():
                person, puller, cookie = state
                with phases[who].measuring() if n >= 0 else contextlib.nullcontext():
                    while True:
                        response = await http.post("/sync/v1/pull", headers=person.headers,
                                                   json={"client_id": puller, "cookie": cookie,
                                                         "limit": 5000})
                        page = msgspec.json.decode(response.content)
                        cookie = page["cookie"]
                        if not page["has_more"]:
                            break
                state[2] = cookie
                assert n < 0 or len(page["patch"]) == 1, page
        for who, phase in phases.items():
            phase.finish()
            out[f"incremental_pull_{who}"] = phase.result

        # start-up syncs as the load bench's phones make them (limit 500): a new client of an
        # organisation with a few lines, where most entities have no row yet
        fresh = await make_org()
        await http.post("/sync/v1/push", headers=fresh.people["agent_a"].headers, json={
            "client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [
                {"seq": n + 1, "id": str(uuid.uuid4()), "v": 1, "name": "expense_line.create",
                 "args": _create_args(uuid.uuid4(), n + 1)} for n in range(3)]})
        for who in ("agent", "manager"):
            person = fresh.people[f"{who}_a"]
            with Phase(f"startup_{who}", runs, profile, db) as p:
                for _ in range(runs):
                    cookie = None
                    while True:
                        response = await http.post("/sync/v1/pull", headers=person.headers, json={
                            "client_id": str(uuid.uuid4()), "cookie": cookie, "limit": 500})
                        page = msgspec.json.decode(response.content)
                        cookie = page["cookie"]
                        if not page["has_more"]:
                            break
                    assert len(page["patch"]) == 3, page
            out[f"startup_pull_{who}"] = p.result
        await http.aclose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    name = _configure(args.db)
    try:
        result = asyncio.run(_run(args.db, args.profile))
    finally:
        _drop(name)
    for phase in ("push_create", "push_edit", "initial_pull", "incremental_pull_agent",
                  "incremental_pull_manager", "startup_pull_agent", "startup_pull_manager"):
        r = result[phase]
        print(f"{args.db:<9}{phase:<25}{r['statements']:>7.2f} stmts{r['round_trips']:>7.2f} trips"
              f"{r['cpu_ms']:>9.2f} cpu ms{r['wall_ms']:>9.2f} wall ms")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
