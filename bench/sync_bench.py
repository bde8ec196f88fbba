"""Sync protocol benchmark: ``uv run python bench/sync_bench.py [--db sqlite|postgres|both]``.

For one organisation, through the real application (in-process ASGI, no network): push
throughput (expense_line.create intents in batches of 100), initial pull of 10,000 rows,
incremental pull latency, and poke latency across two server processes through Redis. Each
figure is printed beside a baseline measured in the same run: the raw Piccolo insert or select
of the same rows without the protocol (push and raw inserts alternate every 100 rows, so a
change in the machine's load weighs on both). Writes ``bench/results/sync.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/14"
PUSH_INTENTS = 2000
PULL_ROWS = 10_000
INCREMENTAL_RUNS = 60
POKE_RUNS = 40


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _configure(db: str) -> str | None:
    data_dir = tempfile.mkdtemp(prefix=f"nomade-bench-{db}-")
    os.environ.update({"NOMADE_ENV": "test", "NOMADE_SECRET_KEY": "bench-" + "x" * 40,
                       "NOMADE_DATA_DIR": data_dir, "NOMADE_LOG_LEVEL": "WARNING",
                       "NOMADE_LOG_JSON": "false"})
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DATABASE_URL", None)
    if db == "postgres":
        import asyncpg

        name = f"nomade_bench_{os.getpid()}"

        async def create() -> None:
            conn = await asyncpg.connect(PG_ADMIN)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()

        asyncio.run(create())
        os.environ["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        return name
    return None


def _drop(name: str | None) -> None:
    if not name:
        return
    import asyncpg

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(drop())


def _create_args(line_id: uuid.UUID, n: int) -> dict[str, Any]:
    return {"id": str(line_id), "date": date(2026, 11, 2).isoformat(), "amount_cents": 1000 + n,
            "currency": "EUR", "category": "train", "merchant": f"Marchand {n}",
            "description": "Déplacement", "vat_rate_bp": 1000, "vat_cents": 91}


def pull_row(n: int, owner: uuid.UUID, organisation: uuid.UUID, sv: int = 0) -> Any:
    """An expense line row written straight through Piccolo (no protocol)."""
    from backend.expenses.tables import ExpenseLine

    args = _create_args(uuid.uuid4(), n)
    args.pop("id")
    args["date"] = date(2026, 11, 2)
    return ExpenseLine(id=uuid.uuid4(), owner=owner, organisation=organisation, row_version=1,
                       sync_version=sv, receipts="[]", field_versions="{}", field_sources="{}",
                       **args)


async def seed_pull_rows(organisation: uuid.UUID, owner: uuid.UUID) -> None:
    """PULL_ROWS lines of ``owner`` (100 per version) for the initial pull to fetch."""
    from backend.expenses.tables import ExpenseLine
    from sync.tables import OrganisationVersion

    rows = [pull_row(n, owner, organisation, sv=1 + n // 100) for n in range(PULL_ROWS)]
    for offset in range(0, PULL_ROWS, 1000):
        await ExpenseLine.insert(*rows[offset:offset + 1000])
    del rows  # the server's heap should not hold the bench's 10,000 objects while it pulls
    await OrganisationVersion.insert(OrganisationVersion(
        organisation=organisation, version=PULL_ROWS // 100 + 1, horizon=0))


async def _run_one(db: str, with_poke: bool) -> dict[str, Any]:
    import httpx
    import msgspec

    sys.path.insert(0, str(ROOT))
    from backend.app import create_app
    from backend.expenses.tables import ExpenseLine
    from backend.migrate import migrate
    from tests.factories import make_org

    await migrate()
    app = create_app()
    results: dict[str, Any] = {"db": db}
    async with app.lifespan():
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                 timeout=120)
        org = await make_org()
        agent = org.people["agent_a"]

        def raw_row(n: int, owner: uuid.UUID, sv: int = 0) -> Any:
            return pull_row(n, owner, org.id, sv)

        # -- push throughput vs raw insert (one transaction per row on both sides), measured
        # in alternating stretches of 100 rows so that the load of the machine weighs on both
        raw_owner = org.people["agent_a2"].user_id
        client_id = str(uuid.uuid4())
        seq = 0
        raw_insert = protocol_push = 0.0
        for _ in range(PUSH_INTENTS // 100):
            start = time.perf_counter()
            for _ in range(100):
                await ExpenseLine.insert(raw_row(seq, raw_owner))
            raw_insert += time.perf_counter() - start
            mutations = []
            for _ in range(100):
                seq += 1
                mutations.append({"seq": seq, "id": str(uuid.uuid4()), "v": 1,
                                  "name": "expense_line.create",
                                  "args": _create_args(uuid.uuid4(), seq)})
            start = time.perf_counter()
            response = await http.post("/sync/v1/push", headers=agent.headers, json={
                "client_id": client_id, "schema_version": 1, "mutations": mutations})
            protocol_push += time.perf_counter() - start
            assert response.status_code == 200, response.text
            assert response.json()["last_seq"] == seq
        results["push"] = {
            "intents": PUSH_INTENTS, "seconds": protocol_push,
            "intents_per_s": PUSH_INTENTS / protocol_push,
            "raw_insert_seconds": raw_insert, "raw_rows_per_s": PUSH_INTENTS / raw_insert,
            "ratio_to_raw": protocol_push / raw_insert,
        }

        # -- initial pull of 10,000 rows vs raw select of the same rows
        reader = await make_org()
        owner = reader.people["agent_a"]
        await seed_pull_rows(reader.id, owner.user_id)
        start = time.perf_counter()
        raw = await ExpenseLine.select().where(ExpenseLine.organisation == reader.id,
                                               ExpenseLine.owner.is_in([owner.user_id]))
        raw_select = time.perf_counter() - start
        assert len(raw) == PULL_ROWS
        pull_client = str(uuid.uuid4())
        start = time.perf_counter()
        cookie, received, pages = None, 0, 0
        while True:
            response = await http.post("/sync/v1/pull", headers=owner.headers, json={
                "client_id": pull_client, "cookie": cookie, "limit": 5000})
            page = msgspec.json.decode(response.content)
            received += len(page["patch"])
            cookie, pages = page["cookie"], pages + 1
            if not page["has_more"]:
                break
        initial_pull = time.perf_counter() - start
        assert received == PULL_ROWS, received
        results["initial_pull"] = {"rows": PULL_ROWS, "pages": pages, "seconds": initial_pull,
                                   "raw_select_seconds": raw_select,
                                   "ratio_to_raw": initial_pull / raw_select}

        # -- incremental pull after one change, vs raw select of changed rows
        line_id = uuid.uuid4()
        writer_client = str(uuid.uuid4())
        push = await http.post("/sync/v1/push", headers=owner.headers, json={
            "client_id": writer_client, "schema_version": 1, "mutations": [
                {"seq": 1, "id": str(uuid.uuid4()), "v": 1, "name": "expense_line.create",
                 "args": _create_args(line_id, 1)}]})
        assert push.status_code == 200
        incremental, raw_incremental = [], []
        for n in range(INCREMENTAL_RUNS):
            await http.post("/sync/v1/push", headers=owner.headers, json={
                "client_id": writer_client, "schema_version": 1, "mutations": [
                    {"seq": n + 2, "id": str(uuid.uuid4()), "v": 1, "name": "expense_line.edit",
                     "args": {"id": str(line_id), "base_version": n + 1,
                              "merchant": f"m{n}"}}]})
            start = time.perf_counter()
            response = await http.post("/sync/v1/pull", headers=owner.headers, json={
                "client_id": pull_client, "cookie": cookie})
            incremental.append(time.perf_counter() - start)
            page = response.json()
            assert len(page["patch"]) == 1, page
            cookie = page["cookie"]
            start = time.perf_counter()
            await ExpenseLine.select().where(ExpenseLine.organisation == reader.id,
                                             ExpenseLine.sync_version > PULL_ROWS // 100 + n)
            raw_incremental.append(time.perf_counter() - start)
        results["incremental_pull"] = {
            "runs": INCREMENTAL_RUNS, "p50_ms": 1000 * statistics.median(incremental),
            "p95_ms": 1000 * _pct(incremental, 0.95),
            "raw_select_p50_ms": 1000 * statistics.median(raw_incremental),
            "raw_select_p95_ms": 1000 * _pct(raw_incremental, 0.95)}
        await http.aclose()
        if with_poke:
            results["poke"] = await _poke_latency(reader.people["agent_a"],
                                                  reader.people["manager_a"])
    return results


async def _poke_latency(agent: Any, manager: Any) -> dict[str, Any]:
    import httpx
    import msgspec

    from tests.integration.sync.servers import running_servers

    latencies: list[float] = []
    baseline: list[float] = []
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    pubsub = redis.pubsub()
    await pubsub.subscribe("bench-baseline")
    for _ in range(POKE_RUNS):  # baseline: a bare Redis publish/subscribe round trip
        start = time.perf_counter()
        await redis.publish("bench-baseline", b"x")
        while (await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)) is None:
            pass
        baseline.append(time.perf_counter() - start)
    await pubsub.aclose()
    await redis.aclose()
    with running_servers(2, REDIS_URL) as (url_a, url_b):
        async with httpx.AsyncClient(timeout=30) as http:
            arrivals: asyncio.Queue[float] = asyncio.Queue()

            async def listen() -> None:
                async with http.stream("GET", f"{url_b}/sync/v1/events",
                                       params={"access_token": manager.token}) as response:
                    async for line in response.aiter_lines():
                        if line.startswith("data:") and line[5:].strip():
                            msgspec.json.decode(line[5:].strip())
                            await arrivals.put(time.perf_counter())

            listener = asyncio.create_task(listen())
            await asyncio.sleep(1.5)
            while not arrivals.empty():
                arrivals.get_nowait()
            client_id = str(uuid.uuid4())
            for n in range(POKE_RUNS):
                start = time.perf_counter()
                response = await http.post(f"{url_a}/sync/v1/push", headers=agent.headers, json={
                    "client_id": client_id, "schema_version": 1, "mutations": [
                        {"seq": n + 1, "id": str(uuid.uuid4()), "v": 1,
                         "name": "expense_line.create", "args": _create_args(uuid.uuid4(), n)}]})
                assert response.status_code == 200, response.text
                arrived = await asyncio.wait_for(arrivals.get(), 10)
                latencies.append(arrived - start)
                await asyncio.sleep(0.05)
            listener.cancel()
    return {"runs": POKE_RUNS, "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * _pct(latencies, 0.95),
            "redis_pubsub_p50_ms": 1000 * statistics.median(baseline),
            "redis_pubsub_p95_ms": 1000 * _pct(baseline, 0.95)}


def _child(db: str, with_poke: bool) -> dict[str, Any]:
    name = _configure(db)
    try:
        return asyncio.run(_run_one(db, with_poke))
    finally:
        _drop(name)


def _table(results: list[dict[str, Any]]) -> str:
    lines = [f"{'measure':<34}{'db':<10}{'protocol':>14}{'baseline (raw)':>18}{'ratio':>8}  target"]
    for r in results:
        db, p, i, q = r["db"], r["push"], r["initial_pull"], r["incremental_pull"]
        lines.append(f"{'push, intents/s (batches of 100)':<34}{db:<10}{p['intents_per_s']:>14.0f}"
                     f"{p['raw_rows_per_s']:>18.0f}{p['ratio_to_raw']:>7.2f}x  "
                     f"{'>=500/s (pg), <=3x raw'}")
        lines.append(f"{'initial pull 10k rows, s':<34}{db:<10}{i['seconds']:>14.3f}"
                     f"{i['raw_select_seconds']:>18.3f}{i['ratio_to_raw']:>7.2f}x  <=1 s")
        lines.append(f"{'incremental pull p50/p95, ms':<34}{db:<10}"
                     f"{q['p50_ms']:>7.1f}/{q['p95_ms']:<6.1f}"
                     f"{q['raw_select_p50_ms']:>11.1f}/{q['raw_select_p95_ms']:<6.1f}{'':>8}"
                     "  p95<=20 ms")
        if "poke" in r:
            k = r["poke"]
            lines.append(f"{'poke A->B via Redis p50/p95, ms':<34}{db:<10}"
                         f"{k['p50_ms']:>7.1f}/{k['p95_ms']:<6.1f}"
                         f"{k['redis_pubsub_p50_ms']:>11.1f}/{k['redis_pubsub_p95_ms']:<6.1f}"
                         f"{'':>8}  p95<=250 ms")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--no-poke", action="store_true", help="skip the two-process poke test")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.db, not args.no_poke)))
        return 0
    results = []
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        command = [sys.executable, __file__, "--db", db, "--child"]
        if args.no_poke:
            command.append("--no-poke")
        out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr[-4000:], file=sys.stderr)
            return out.returncode
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"Nomade sync benchmark — {os.cpu_count()} CPUs, one organisation")
    print(_table(results))
    target = ROOT / "bench" / "results" / "sync.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=2) + "\n")
    print(f"written {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
