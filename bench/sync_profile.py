"""Per-intent and per-pull cost of the sync path.

``uv run python bench/sync_profile.py --db sqlite|postgres [--profile]``.

Counts the SQL statements the engine runs (``run_querystring``; BEGIN/COMMIT not counted) and
the CPU time (``time.process_time``, less sensitive to machine load than wall time) per applied
``expense_line.create`` intent (batches of 100), per ``expense_line.edit`` intent, per initial
pull of 10,000 rows and per incremental pull of one changed row. ``--profile`` writes cProfile
stats to /tmp/sync_profile_<db>_<phase>.prof.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sync_bench import PULL_ROWS, _configure, _create_args, _drop  # noqa: E402

COUNTS: collections.Counter[str] = collections.Counter()


def _instrument() -> None:
    from piccolo.engine import engine_finder

    engine_cls = type(engine_finder())
    original = engine_cls.run_querystring

    async def counted(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        COUNTS[str(querystring.template)[:60]] += 1
        return await original(self, querystring, in_pool)

    engine_cls.run_querystring = counted  # type: ignore[method-assign]
    try:  # statements sent straight to asyncpg (sync.storage.finish_intent_pg)
        from asyncpg.connection import Connection
    except ImportError:
        return
    fetchrow = Connection.fetchrow

    async def counted_fetchrow(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        COUNTS["asyncpg: " + query[:51]] += 1
        return await fetchrow(self, query, *args, **kwargs)

    Connection.fetchrow = counted_fetchrow  # type: ignore[method-assign]


class Phase:
    def __init__(self, name: str, units: int, profile: bool, db: str) -> None:
        self.name, self.units, self.profile, self.db = name, units, profile, db

    def __enter__(self) -> Phase:
        COUNTS.clear()
        self.prof = cProfile.Profile() if self.profile else None
        if self.prof:
            self.prof.enable()
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        cpu, wall = time.process_time() - self.cpu, time.perf_counter() - self.wall
        if self.prof:
            self.prof.disable()
            self.prof.dump_stats(f"/tmp/sync_profile_{self.db}_{self.name}.prof")
        self.result = {"statements": sum(COUNTS.values()) / self.units,
                       "cpu_ms": 1000 * cpu / self.units, "wall_ms": 1000 * wall / self.units,
                       "by_statement": {k: v / self.units for k, v in COUNTS.most_common(12)}}


async def _run(db: str, profile: bool) -> dict[str, Any]:
    import httpx
    import msgspec

    from backend.app import create_app
    from backend.expenses.tables import ExpenseLine
    from backend.migrate import migrate
    from sync.tables import OrganisationVersion
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
        rows = [ExpenseLine(id=uuid.uuid4(), owner=owner.user_id, organisation=reader.id,
                            row_version=1, sync_version=1 + n // 100, receipts="[]",
                            field_versions="{}", field_sources="{}",
                            **{k: v for k, v in _create_args(uuid.uuid4(), n).items()
                               if k not in ("id", "date")},
                            date=__import__("datetime").date(2026, 11, 2))
                for n in range(PULL_ROWS)]
        for offset in range(0, PULL_ROWS, 1000):
            await ExpenseLine.insert(*rows[offset:offset + 1000])
        await OrganisationVersion.insert(OrganisationVersion(
            organisation=reader.id, version=PULL_ROWS // 100 + 1, horizon=0))
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
        runs = 40
        cpu = wall = 0.0
        statements = 0
        prof = cProfile.Profile() if profile else None
        for n in range(runs):
            await http.post("/sync/v1/push", headers=owner.headers, json={
                "client_id": writer, "schema_version": 1, "mutations": [
                    {"seq": n + 2, "id": str(uuid.uuid4()), "v": 1, "name": "expense_line.edit",
                     "args": {"id": str(line), "base_version": n + 1, "merchant": f"m{n}"}}]})
            COUNTS.clear()
            if prof:
                prof.enable()
            c0, w0 = time.process_time(), time.perf_counter()
            response = await http.post("/sync/v1/pull", headers=owner.headers, json={
                "client_id": pull_client, "cookie": cookie})
            cpu += time.process_time() - c0
            wall += time.perf_counter() - w0
            if prof:
                prof.disable()
            statements += sum(COUNTS.values())
            page = msgspec.json.decode(response.content)
            assert len(page["patch"]) == 1, page
            cookie = page["cookie"]
        if prof:
            prof.dump_stats(f"/tmp/sync_profile_{db}_incremental.prof")
        out["incremental_pull"] = {"statements": statements / runs, "cpu_ms": 1000 * cpu / runs,
                                   "wall_ms": 1000 * wall / runs,
                                   "by_statement": dict(COUNTS.most_common(12))}
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
    for phase in ("push_create", "push_edit", "initial_pull", "incremental_pull"):
        r = result[phase]
        print(f"{args.db:<9}{phase:<18}{r['statements']:>8.2f} stmts{r['cpu_ms']:>10.2f} cpu ms"
              f"{r['wall_ms']:>10.2f} wall ms")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
