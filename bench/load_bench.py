"""Load test: simulated phones against the multi-process topology (one command).

    uv run python bench/load_bench.py                      # levels 50,150,300,500 phones
    uv run python bench/load_bench.py --levels 50,500 --duration 20

Starts its own PostgreSQL cluster and redis-server on free loopback ports (never the shared
ones), then ``infra/topology.sh`` (N app processes, M workers, nginx in front), seeds
organisations, and runs rising numbers of concurrent phones. Each phone (asyncio + httpx, on
loopback) loops for the level's duration: think time, then one operation of a realistic mix —

- ``initial_pull`` the phone's first sync: a full snapshot of what it may see (several pages),
  reported apart (its size has nothing to do with the incremental pulls of the target);
- ``pull``     POST /sync/v1/pull from the phone's cookie until ``has_more`` is false (also
  right after an SSE poke);
- ``push``     POST /sync/v1/push of 1–3 intents (create or edit an expense line draft);
- ``receipt``  resumable upload of a ~40 KB receipt (create + chunks), then attach intent;
- ``sse``      a share of phones hold ``GET /sync/v1/events`` open and pull when poked;
- approvals and supplier invoice searches when their routes exist (else reported skipped).

A probe measures poke latency across processes: a push sent straight to app process 1, the
poke read by an SSE client connected straight to app process 2 (p95 target < 500 ms).

Prints a table (throughput, p50/p95/p99 per operation, errors) and writes
``bench/results/load.json``. Every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import resource
import statistics
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.integration.scaleout.harness import (  # noqa: E402
    PrivatePostgres,
    PrivateRedis,
    Topology,
)

SECRET = "load-bench-secret-" + "b" * 40
TARGET_P99_MS = 300.0
TARGET_POKE_P95_MS = 500.0


# --------------------------------------------------------------------------- figures
@dataclass
class Recorder:
    """Latencies (ms) and errors per operation, for one level."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def ok(self, op: str, ms: float) -> None:
        self.latencies[op].append(ms)

    def error(self, op: str, kind: str) -> None:
        self.errors[op][kind] += 1


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --------------------------------------------------------------------------- server CPU
def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(session id, CPU seconds) of a process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[3]), (int(fields[11]) + int(fields[12])) / ticks


def server_cpu_seconds(
    topology: Topology, pg: PrivatePostgres, redis: PrivateRedis
) -> dict[str, float]:
    """CPU seconds used so far by the app processes (sessions), PostgreSQL and Redis."""
    sessions = {topology.pid(f"app-{i}"): "apps" for i in range(1, topology.apps + 1)}
    pg_pid = (
        int((pg.directory / "data" / "postmaster.pid").read_text().split()[0])
        if pg.directory
        else -1
    )
    totals = {"apps": 0.0, "postgres": 0.0, "redis": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        stat = _proc_stat(pid)
        if stat is None:
            continue
        sid, cpu = stat
        if sid in sessions:
            totals["apps"] += cpu
        elif pid == pg_pid or _parent(pid) == pg_pid:
            totals["postgres"] += cpu
        elif redis.process is not None and pid == redis.process.pid:
            totals["redis"] += cpu
    return totals


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


# --------------------------------------------------------------------------- server latency
def scrape_buckets(topology: Topology) -> dict[tuple[str, float], float]:
    """(route, bucket bound) -> cumulative count, summed over the app processes (2xx only)."""
    totals: dict[tuple[str, float], float] = defaultdict(float)
    for index in range(1, topology.apps + 1):
        try:
            text = httpx.get(f"{topology.app_url(index)}/metrics", timeout=10).text
        except httpx.HTTPError:
            continue
        for line in text.splitlines():
            if not line.startswith("nomade_http_request_duration_seconds_bucket{"):
                continue
            labels, value = line.rsplit(" ", 1)
            fields = dict(
                part.split("=", 1) for part in labels[labels.index("{") + 1 : -1].split(",")
            )
            if fields.get("status") != '"2xx"':
                continue
            bound = fields["le"].strip('"')
            key = (fields["route"].strip('"'), float("inf") if bound == "+Inf" else float(bound))
            totals[key] += float(value)
    return totals


def server_quantiles(
    before: dict[tuple[str, float], float], after: dict[tuple[str, float], float]
) -> dict[str, dict[str, Any]]:
    """Per route: requests and the bucket bound holding p50/p95/p99 (from /metrics)."""
    routes: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for (route, bound), count in after.items():
        routes[route].append((bound, count - before.get((route, bound), 0.0)))
    out: dict[str, dict[str, Any]] = {}
    for route, buckets in routes.items():
        buckets.sort()
        total = buckets[-1][1]
        if total <= 0:
            continue
        figures: dict[str, Any] = {"count": int(total)}
        for q in (50, 95, 99):
            bound = next(b for b, c in buckets if c >= total * q / 100)
            figures[f"p{q}_le_ms"] = "inf" if bound == float("inf") else round(bound * 1000)
        out[route] = figures
    return out


# --------------------------------------------------------------------------- phones
def line_args(line_id: uuid.UUID) -> dict[str, Any]:
    amount = random.randint(500, 50_000)
    return {
        "id": str(line_id),
        "date": date(2026, 11, random.randint(1, 20)).isoformat(),
        "amount_cents": amount,
        "currency": "EUR",
        "category": random.choice(["train", "hotel", "meal", "taxi"]),
        "merchant": random.choice(["SNCF", "Ibis", "Brasserie du Port", "G7"]),
        "description": "mission",
        "vat_rate_bp": 1000,
        "vat_cents": amount // 11,
    }


@dataclass
class Phone:
    """One installation of one user: client id, seq, cookie, its lines and their versions."""

    headers: dict[str, str]
    role: str
    client_id: uuid.UUID = field(default_factory=uuid.uuid4)
    seq: int = 0
    cookie: str | None = None
    own_lines: dict[str, int] = field(default_factory=dict)  # id -> row_version (0 = unknown)
    poked: bool = False

    def intent(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        return {"seq": self.seq, "id": str(uuid.uuid4()), "name": name, "v": 1, "args": args}


async def timed(rec: Recorder, op: str, coro: Any) -> Any:
    started = time.perf_counter()
    try:
        result = await coro
    except httpx.HTTPError as exc:
        rec.error(op, type(exc).__name__)
        return None
    except BadStatus as exc:
        rec.error(op, f"HTTP {exc.status}")
        return None
    rec.ok(op, (time.perf_counter() - started) * 1000)
    return result


class BadStatus(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def check(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 300:
        raise BadStatus(response.status_code)
    return response


async def do_pull(http: httpx.AsyncClient, phone: Phone) -> None:
    for _ in range(20):  # bounded pages
        body = check(
            await http.post(
                "/sync/v1/pull",
                headers=phone.headers,
                json={"client_id": str(phone.client_id), "cookie": phone.cookie, "limit": 500},
            )
        ).json()
        phone.cookie = body["cookie"]
        for op in body["patch"]:
            if op["entity"] == "expense_line" and op["id"] in phone.own_lines:
                phone.own_lines[op["id"]] = int(op["row_version"])
        if not body["has_more"]:
            return


async def do_push(http: httpx.AsyncClient, phone: Phone) -> None:
    intents = []
    for _ in range(random.randint(1, 3)):
        known = [(k, v) for k, v in phone.own_lines.items() if v > 0]
        if known and random.random() < 0.4:
            line_id, version = random.choice(known)
            intents.append(
                phone.intent(
                    "expense_line.edit",
                    {
                        "id": line_id,
                        "base_version": version,
                        "description": f"edited {random.randint(0, 10**6)}",
                    },
                )
            )
        else:
            line_id = str(uuid.uuid4())
            phone.own_lines[line_id] = 0
            intents.append(phone.intent("expense_line.create", line_args(uuid.UUID(line_id))))
    body = check(
        await http.post(
            "/sync/v1/push",
            headers=phone.headers,
            json={
                "client_id": str(phone.client_id),
                "schema_version": 1,
                "mutations": intents,
                "pending": len(intents),
                "oldest_pending_seconds": random.uniform(0, 30),
            },
        )
    ).json()
    if body["last_seq"] != phone.seq:
        raise BadStatus(599)


async def do_receipt(http: httpx.AsyncClient, phone: Phone) -> None:
    data = os.urandom(random.randint(30_000, 50_000))
    sha = hashlib.sha256(data).hexdigest()
    status = check(
        await http.post(
            "/sync/v1/blobs",
            headers=phone.headers,
            json={"sha256": sha, "size": len(data), "content_type": "image/jpeg"},
        )
    ).json()
    for _ in range(10):
        if status["complete"]:
            break
        offset = status["offset"]
        part = data[offset : offset + 32_768]
        status = check(
            await http.patch(
                f"/sync/v1/blobs/uploads/{status['upload_id']}",
                content=part,
                headers=phone.headers
                | {
                    "Upload-Offset": str(offset),
                    "Upload-Chunk-SHA256": hashlib.sha256(part).hexdigest(),
                },
            )
        ).json()
    if not status["complete"]:
        raise BadStatus(598)
    line_id = next(iter(phone.own_lines), None)
    if line_id is None:
        line_id = str(uuid.uuid4())
        phone.own_lines[line_id] = 0
        attach = [phone.intent("expense_line.create", line_args(uuid.UUID(line_id)))]
    else:
        attach = []
    attach.append(phone.intent("expense_line.attach_receipt", {"id": line_id, "sha256": sha}))
    check(
        await http.post(
            "/sync/v1/push",
            headers=phone.headers,
            json={"client_id": str(phone.client_id), "schema_version": 1, "mutations": attach},
        )
    )


async def hold_sse(
    sse: httpx.AsyncClient, phone: Phone, rec: Recorder, stop: asyncio.Event
) -> None:
    """Keep the phone's event stream open (reconnecting like EventSource); flag pokes."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            async with sse.stream("GET", "/sync/v1/events", headers=phone.headers) as response:
                if response.status_code != 200:
                    rec.error("sse_connect", f"HTTP {response.status_code}")
                    await asyncio.sleep(1)
                    continue
                first = True
                async for line in response.aiter_lines():
                    if first:
                        rec.ok("sse_connect", (time.perf_counter() - started) * 1000)
                        first = False
                    if line == "event: poke":
                        phone.poked = True
                    if stop.is_set():
                        return
        except (httpx.HTTPError, asyncio.CancelledError) as exc:
            if stop.is_set() or isinstance(exc, asyncio.CancelledError):
                return
            rec.error("sse_connect", type(exc).__name__)
            await asyncio.sleep(1)


async def watch_loop_lag(stop: asyncio.Event, lags: list[float], tick: float = 0.05) -> None:
    """How late the load generator's own event loop wakes up (ms): that delay is counted in
    every latency it measures, so a busy generator shows here, not on the server."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(tick)
        lags.append(max(0.0, (time.perf_counter() - started - tick) * 1000))


async def run_phone(
    http: httpx.AsyncClient,
    phone: Phone,
    rec: Recorder,
    deadline: float,
    think: float,
    extras: dict[str, Any],
) -> None:
    # Phones open the app spread over one think time (at least 3 s), not all at once.
    await asyncio.sleep(random.uniform(0, max(3.0, think)))
    await timed(rec, "initial_pull", do_pull(http, phone))  # start-up sync (full snapshot)
    for _ in range(10_000):  # bounded
        await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))
        if time.monotonic() >= deadline:
            return
        if phone.poked:
            phone.poked = False
            await timed(rec, "pull", do_pull(http, phone))
            continue
        roll = random.random()
        if phone.role == "agent":
            if roll < 0.45:
                await timed(rec, "push", do_push(http, phone))
            elif roll < 0.93:
                await timed(rec, "pull", do_pull(http, phone))
            else:
                await timed(rec, "receipt", do_receipt(http, phone))
        elif phone.role == "manager" and extras.get("approvals") and roll < 0.4:
            await timed(rec, "approval", extras["approvals"](http, phone))
        elif phone.role == "supplier" and extras.get("invoices") and roll < 0.5:
            await timed(rec, "invoice_search", extras["invoices"](http, phone))
        else:
            await timed(rec, "pull", do_pull(http, phone))


async def approvals_screen(http: httpx.AsyncClient, phone: Phone) -> None:
    """A manager opens the list of claims waiting for a decision."""
    check(
        await http.get(
            "/api/v1/claims", headers=phone.headers, params={"state": "submitted", "limit": 50}
        )
    )


async def invoice_search(http: httpx.AsyncClient, phone: Phone) -> None:
    """A supplier searches its invoices (by number fragment) and sorts them."""
    check(
        await http.get(
            "/api/v1/invoices",
            headers=phone.headers,
            params={"q": random.choice(["F-2026", "INV", "12"]), "limit": 20},
        )
    )


# --------------------------------------------------------------------------- poke probe
async def poke_probe(
    pusher_url: str,
    listener_url: str,
    pusher: Phone,
    listener_headers: dict[str, str],
    stop: asyncio.Event,
    samples: list[float],
    errors: list[str],
) -> None:
    """Push through app 1, time the poke on an SSE stream held on app 2."""
    received: asyncio.Queue[float] = asyncio.Queue()

    async def listen() -> None:
        async with (
            httpx.AsyncClient(base_url=listener_url, timeout=httpx.Timeout(10, read=None)) as sse,
            sse.stream("GET", "/sync/v1/events", headers=listener_headers) as response,
        ):
            async for line in response.aiter_lines():
                if line == "event: poke":
                    received.put_nowait(time.perf_counter())

    listener = asyncio.create_task(listen())
    await asyncio.sleep(1.0)
    while not received.empty():
        received.get_nowait()  # the poke sent on connect
    async with httpx.AsyncClient(base_url=pusher_url, timeout=10) as http:
        for _ in range(1000):  # bounded
            if stop.is_set():
                break
            while not received.empty():
                received.get_nowait()
            sent = time.perf_counter()
            try:
                line_id = str(uuid.uuid4())
                check(
                    await http.post(
                        "/sync/v1/push",
                        headers=pusher.headers,
                        json={
                            "client_id": str(pusher.client_id),
                            "schema_version": 1,
                            "mutations": [
                                pusher.intent("expense_line.create", line_args(uuid.UUID(line_id)))
                            ],
                        },
                    )
                )
            except (httpx.HTTPError, BadStatus) as exc:
                errors.append(type(exc).__name__)
                await asyncio.sleep(0.5)
                continue
            try:
                async with asyncio.timeout(5):
                    got = await received.get()
                    while got < sent:  # a poke of an earlier push, arrived late
                        got = await received.get()
                samples.append((got - sent) * 1000)
            except TimeoutError:
                errors.append("poke not received in 5 s")
            await asyncio.sleep(0.4)
    listener.cancel()
    with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
        await listener


# --------------------------------------------------------------------------- levels
async def discover(base_url: str) -> dict[str, Any]:
    """Which optional kinds have routes on this build (approvals, supplier invoice searches)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        paths = list((await http.get("/schema/openapi.json")).json().get("paths", {}))
    approvals = [p for p in paths if "approv" in p or "decision" in p]
    invoices = [p for p in paths if "invoice" in p and "{" not in p]
    return {"paths": paths, "approvals_paths": approvals, "invoice_paths": invoices}


async def run_level(
    base_url: str,
    topology: Topology,
    pg: PrivatePostgres,
    redis: PrivateRedis,
    people: list[tuple[str, dict[str, str]]],
    probe: tuple[Phone, dict[str, str]],
    phones_count: int,
    duration: float,
    think: float,
    sse_share: float,
    extras: dict[str, Any],
) -> dict[str, Any]:
    rec = Recorder()
    stop = asyncio.Event()
    limits = httpx.Limits(
        max_connections=phones_count * 2 + 50, max_keepalive_connections=phones_count + 50
    )
    phones = [
        Phone(headers=h, role=r) for r, h in (people[i % len(people)] for i in range(phones_count))
    ]
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    load_before = os.getloadavg()[0]
    server_before = server_cpu_seconds(topology, pg, redis)
    buckets_before = await asyncio.to_thread(scrape_buckets, topology)
    async with (
        httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http,
        httpx.AsyncClient(
            base_url=base_url, limits=limits, timeout=httpx.Timeout(10, read=None)
        ) as sse,
    ):
        sse_tasks = [
            asyncio.create_task(hold_sse(sse, p, rec, stop))
            for p in phones
            if random.random() < sse_share
        ]
        samples: list[float] = []
        probe_errors: list[str] = []
        probe_task = asyncio.create_task(
            poke_probe(
                topology.app_url(1),
                topology.app_url(min(2, topology.apps)),
                probe[0],
                probe[1],
                stop,
                samples,
                probe_errors,
            )
        )
        lags: list[float] = []
        lag_task = asyncio.create_task(watch_loop_lag(stop, lags))
        started = time.monotonic()
        deadline = started + duration
        await asyncio.gather(*(run_phone(http, p, rec, deadline, think, extras) for p in phones))
        elapsed = time.monotonic() - started
        stop.set()
        for task in sse_tasks:
            task.cancel()
        await asyncio.gather(*sse_tasks, return_exceptions=True)
        await asyncio.wait_for(probe_task, 15)
        await lag_task
    server_after = server_cpu_seconds(topology, pg, redis)
    buckets_after = await asyncio.to_thread(scrape_buckets, topology)
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    bench_cpu = (usage_after.ru_utime + usage_after.ru_stime) - (
        usage_before.ru_utime + usage_before.ru_stime
    )
    ops: dict[str, Any] = {}
    total = 0
    for op, values in sorted(rec.latencies.items()):
        errors = dict(rec.errors.get(op, {}))
        total += len(values)
        ops[op] = {
            "count": len(values),
            "per_s": round(len(values) / elapsed, 1),
            "p50_ms": round(pct(values, 50), 1),
            "p95_ms": round(pct(values, 95), 1),
            "p99_ms": round(pct(values, 99), 1),
            "max_ms": round(max(values), 1),
            "errors": errors,
        }
    for op, errors in rec.errors.items():
        if op not in ops:
            ops[op] = {"count": 0, "errors": dict(errors)}
    server_cpu = {k: round(server_after[k] - server_before[k], 2) for k in server_after}
    requests = (
        total + sum(v.get("count", 0) for k, v in ops.items() if k == "receipt") * 3
    )  # create+2 chunks+attach
    return {
        "server_side_latency": server_quantiles(buckets_before, buckets_after),
        "server_cpu_seconds": server_cpu,
        "server_cpu_cores": round(sum(server_cpu.values()) / elapsed, 2),
        "server_cpu_ms_per_operation": round(sum(server_cpu.values()) * 1000 / max(1, total), 1),
        "requests_estimate": requests,
        "phones": phones_count,
        "sse_streams": len(sse_tasks),
        "seconds": round(elapsed, 1),
        "throughput_ops_s": round(total / elapsed, 1),
        "operations": ops,
        "errors_total": sum(sum(e.values()) for e in rec.errors.values()),
        "poke_cross_process": {
            "samples": len(samples),
            "p50_ms": round(pct(samples, 50), 1),
            "p95_ms": round(pct(samples, 95), 1),
            "max_ms": round(max(samples), 1) if samples else None,
            "errors": probe_errors,
        },
        "bench_process_cpu_share": round(bench_cpu / elapsed, 2),
        "bench_loop_lag_ms": {"p50": round(pct(lags, 50), 1), "p99": round(pct(lags, 99), 1),
                              "max": round(max(lags), 1) if lags else None},
        "loadavg_1m_before": round(load_before, 2),
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
    }


async def baseline(
    base_url: str, people: list[tuple[str, dict[str, str]]], rounds: int = 30
) -> dict[str, Any]:
    """One phone alone, operations back to back: the unloaded cost of each, in the same run."""
    rec = Recorder()
    headers = next(h for r, h in people if r == "agent")
    phone = Phone(headers=headers, role="agent")
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        for _ in range(rounds):
            await timed(rec, "push", do_push(http, phone))
            await timed(rec, "pull", do_pull(http, phone))
    return {
        op: {"count": len(v), "p50_ms": round(pct(v, 50), 1), "p95_ms": round(pct(v, 95), 1)}
        for op, v in rec.latencies.items()
    }


async def seed(orgs: int) -> tuple[list[tuple[str, dict[str, str]]], tuple[Phone, dict[str, str]]]:
    """Organisations with agents, managers and suppliers; tokens signed with the bench secret."""
    from piccolo.engine import engine_finder

    from tests.factories import make_org

    engine: Any = engine_finder()
    if hasattr(engine, "start_connection_pool"):
        await engine.start_connection_pool(min_size=1, max_size=4)
    people: list[tuple[str, dict[str, str]]] = []
    for _ in range(orgs):
        org = await make_org()
        for key in ("agent_a", "agent_a2", "agent_b"):
            people.append(("agent", org.people[key].headers))
            people.append(("agent", org.people[key].headers))  # a second phone of the same agent
        for key in ("manager_a", "manager_b"):
            people.append(("manager", org.people[key].headers))
        people.append(("supplier", org.people["supplier"].headers))
    random.shuffle(people)
    probe_org = await make_org()
    if hasattr(engine, "close_connection_pool"):
        await engine.close_connection_pool()
    return people, (
        Phone(headers=probe_org.people["agent_a"].headers, role="agent"),
        probe_org.people["manager_a"].headers,
    )


def print_table(result: dict[str, Any]) -> None:
    print()
    base = result["baseline_one_phone"]
    print(
        "baseline, one phone alone: "
        + ", ".join(
            f"{op} p50 {fig['p50_ms']} ms / p95 {fig['p95_ms']} ms" for op, fig in base.items()
        )
    )
    print(
        f"{'phones':>6} {'operation':<15} {'count':>6} {'ops/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7}"
    )
    for level in result["levels"]:
        for op, fig in level["operations"].items():
            print(
                f"{level['phones']:>6} {op:<15} {fig['count']:>6} {fig.get('per_s', 0):>7} "
                f"{fig.get('p50_ms', '-'):>8} {fig.get('p95_ms', '-'):>8} "
                f"{fig.get('p99_ms', '-'):>8} "
                f"{sum(fig['errors'].values()):>7}"
            )
        poke = level["poke_cross_process"]
        print(
            f"{level['phones']:>6} {'poke A->B':<15} {poke['samples']:>6} {'':>7} "
            f"{poke['p50_ms']:>8} "
            f"{poke['p95_ms']:>8} {'':>8} {len(poke['errors']):>7}"
        )
        ratio = {
            op: round(level["operations"][op]["p99_ms"] / base[op]["p50_ms"], 1)
            for op in ("push", "pull")
            if op in base and level["operations"].get(op, {}).get("p99_ms")
        }
        print(f"{'':>6} p99 / one-phone p50: {ratio}")
        print(
            f"{'':>6} server CPU {level['server_cpu_cores']} cores {level['server_cpu_seconds']}, "
            f"{level['server_cpu_ms_per_operation']} CPU ms per operation"
        )
        print(
            f"{'':>6} total {level['throughput_ops_s']} ops/s, {level['sse_streams']} SSE streams, "
            f"errors {level['errors_total']}, bench CPU {level['bench_process_cpu_share']} cores "
            f"(its event loop late by p50 {level['bench_loop_lag_ms']['p50']} / "
            f"p99 {level['bench_loop_lag_ms']['p99']} ms), "
            f"load {level['loadavg_1m_before']}->{level['loadavg_1m_after']}"
        )
    for level in result["levels"]:
        side = level["server_side_latency"]
        print(
            f"{level['phones']:>6} phones, inside the app processes (/metrics buckets): "
            + "; ".join(
                f"{route} n={fig['count']} p50<={fig['p50_le_ms']} p95<={fig['p95_le_ms']} "
                f"p99<={fig['p99_le_ms']} ms"
                for route, fig in sorted(side.items())
                if route.startswith(("/sync", "/api"))
            )
        )
    cpu_ms = statistics.median(level["server_cpu_ms_per_operation"] for level in result["levels"])
    print(
        f"server CPU per phone operation (median of levels): {cpu_ms} ms -> about "
        f"{round(2000 / cpu_ms)} operations/s on 2 dedicated cores at 100 %"
    )
    for line in result["verdicts"]:
        print(line)
    for line in result["skipped"]:
        print("skipped:", line)


def verdicts(levels: list[dict[str, Any]]) -> list[str]:
    out = []
    for level in levels:
        ops = level["operations"]
        p99s = {op: ops[op].get("p99_ms") for op in ("push", "pull") if op in ops}
        ok = (
            all(v is not None and v < TARGET_P99_MS for v in p99s.values())
            and level["errors_total"] == 0
        )
        poke = level["poke_cross_process"]["p95_ms"]
        out.append(
            f"{level['phones']} phones: push/pull p99 {p99s} (target < {TARGET_P99_MS:.0f} ms, "
            f"0 errors): {'MET' if ok else 'NOT MET'}; poke p95 {poke} ms "
            f"(target < {TARGET_POKE_P95_MS:.0f}): "
            f"{'MET' if poke == poke and poke < TARGET_POKE_P95_MS else 'NOT MET'}"
        )
    return out


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    pg, redis = PrivatePostgres(), PrivateRedis()
    topology: Topology | None = None
    try:
        print(f"load: private PostgreSQL on {pg.port}, Redis on {redis.port}", flush=True)
        pg.start()
        redis.start()
        os.environ.update(
            {
                "DATABASE_URL": pg.url,
                "NOMADE_ENV": "test",
                "NOMADE_SECRET_KEY": SECRET,
                "NOMADE_LOG_LEVEL": "WARNING",
            }
        )
        os.environ.pop("REDIS_URL", None)
        topology = Topology(
            pg.url,
            redis.url,
            apps=args.apps,
            workers=args.workers,
            nginx=not args.no_nginx,
            extra_env={"NOMADE_SECRET_KEY": SECRET},
        )
        base_url = topology.start()
        print(
            f"load: topology up: {args.apps} app processes, {args.workers} worker(s), "
            f"entry {base_url}",
            flush=True,
        )
        people, probe = await seed(args.orgs)
        found = await discover(base_url)
        skipped = []
        extras: dict[str, Any] = {}
        if "/api/v1/claims" in found["paths"]:
            extras["approvals"] = approvals_screen
            skipped.append(
                "approvals: managers load their approval list (GET /api/v1/claims?"
                "state=submitted); decisions (expense_claim.decide, which need missions "
                "and submitted claims set up first) are not driven yet"
            )
        else:
            skipped.append("approvals: no claims route on this build (workflow issue not merged)")
        if "/api/v1/invoices" in found["paths"]:
            extras["invoices"] = invoice_search
        else:
            skipped.append("supplier invoice searches: no invoice route on this build")
        print("load: baseline (one phone, back to back) ...", flush=True)
        base = await baseline(base_url, people)
        levels = []
        for count in args.levels:
            print(f"load: {count} phones for {args.duration:.0f} s ...", flush=True)
            levels.append(
                await run_level(
                    base_url,
                    topology,
                    pg,
                    redis,
                    people,
                    probe,
                    count,
                    args.duration,
                    args.think,
                    args.sse_share,
                    extras,
                )
            )
            await asyncio.sleep(2)
        return {
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {
                "cpus": os.cpu_count(),
                "note": "shared, loaded development machine; "
                "the bench client runs on the same cores as the servers",
            },
            "topology": {"apps": args.apps, "workers": args.workers, "nginx": not args.no_nginx},
            "mix": {
                "think_seconds_mean": args.think,
                "sse_share": args.sse_share,
                "agents": "45% push, 48% pull, 7% receipt",
                "managers": "40% approval list, 60% pull",
                "suppliers": "50% invoice search, 50% pull",
                "poke": "a poked phone pulls next",
            },
            "baseline_one_phone": base,
            "levels": levels,
            "verdicts": verdicts(levels),
            "skipped": skipped,
        }
    finally:
        if topology is not None:
            topology.destroy()
        redis.stop()
        pg.destroy()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--levels", default="50,150,300,500", type=lambda s: [int(x) for x in s.split(",")]
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per level")
    parser.add_argument(
        "--think", type=float, default=2.0, help="mean seconds between a phone's operations"
    )
    parser.add_argument(
        "--sse-share", type=float, default=0.5, help="share of phones holding an SSE stream"
    )
    parser.add_argument("--apps", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--orgs", type=int, default=25)
    parser.add_argument("--no-nginx", action="store_true")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "load.json"))
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    print_table(result)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
