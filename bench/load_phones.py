"""Simulated phones for ``bench/load_bench.py``: the operations of the mix and one generator
process's share of phones.

A level's phones are split over several generator processes, each with its own event loop
(uvloop) and aiohttp sessions, so the generator does not distort what it measures. The first
generator (one asyncio process, httpx) saturated its core at 500 phones: httpcore's connection
pool walks every open connection, polling each socket, on every request (72 % of its CPU in
``_assign_requests_to_connections``), and its event loop woke up seconds late.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import resource
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import aiohttp

__all__ = (
    "BadStatus",
    "Http",
    "Phone",
    "Recorder",
    "ShareSpec",
    "do_pull",
    "do_push",
    "line_args",
    "pct",
    "push_intents",
    "run_share",
    "timed",
)

CLIENT_ERRORS = (aiohttp.ClientError, TimeoutError, ConnectionError)


# --------------------------------------------------------------------------- figures
@dataclass
class Recorder:
    """Latencies (ms) and errors per operation, for one level."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    # (wall-clock start, ms, operation) of every push and pull: latency during a level
    timeline: list[tuple[float, float, str]] = field(default_factory=list)

    def ok(self, op: str, ms: float, started: float = 0.0) -> None:
        self.latencies[op].append(ms)
        if op in ("push", "pull"):
            self.timeline.append((started, ms, op))

    def error(self, op: str, kind: str) -> None:
        self.errors[op][kind] += 1

    def merge(self, other: dict[str, Any]) -> None:
        """Add a generator process's figures (as returned by :func:`run_share`)."""
        for op, values in other["latencies"].items():
            self.latencies[op].extend(values)
        for op, kinds in other["errors"].items():
            for kind, count in kinds.items():
                self.errors[op][kind] += count
        self.timeline.extend(other["timeline"])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --------------------------------------------------------------------------- HTTP
class BadStatus(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Http:
    """The few calls a phone makes, on one aiohttp session; non-2xx raises :class:`BadStatus`."""

    def __init__(self, base_url: str, *, read_timeout: float | None = 30.0) -> None:
        self.session = aiohttp.ClientSession(
            base_url=base_url,
            connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=None),
            timeout=aiohttp.ClientTimeout(total=read_timeout, sock_connect=10),
        )

    async def close(self) -> None:
        await self.session.close()

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self.session.request(method, path, **kwargs) as response:
            if response.status >= 300:
                await response.read()
                raise BadStatus(response.status)
            return await response.json(content_type=None)


async def timed(rec: Recorder, op: str, coro: Any) -> Any:
    wall = time.time()
    started = time.perf_counter()
    try:
        result = await coro
    except CLIENT_ERRORS as exc:
        rec.error(op, type(exc).__name__)
        return None
    except BadStatus as exc:
        rec.error(op, f"HTTP {exc.status}")
        return None
    rec.ok(op, (time.perf_counter() - started) * 1000, wall)
    return result


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
    to_decide: dict[str, str] = field(default_factory=dict)  # submitted mission -> content_hash
    poked: bool = False

    def intent(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        return {"seq": self.seq, "id": str(uuid.uuid4()), "name": name, "v": 1, "args": args}


async def do_pull(http: Http, phone: Phone) -> None:
    for _ in range(20):  # bounded pages
        body = await http.call(
            "POST",
            "/sync/v1/pull",
            headers=phone.headers,
            json={"client_id": str(phone.client_id), "cookie": phone.cookie, "limit": 500},
        )
        phone.cookie = body["cookie"]
        for op in body["patch"]:
            if op["entity"] == "expense_line" and op["id"] in phone.own_lines:
                phone.own_lines[op["id"]] = int(op["row_version"])
            elif op["entity"] == "mission" and phone.role == "manager":
                data = op.get("data") or {}
                if op["op"] == "put" and data.get("state") == "submitted":
                    phone.to_decide[op["id"]] = str(data.get("content_hash", ""))
                else:
                    phone.to_decide.pop(op["id"], None)
        if not body["has_more"]:
            return


async def do_push(http: Http, phone: Phone) -> None:
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
    await push_intents(http, phone, intents, pending=len(intents),
                       oldest_pending_seconds=random.uniform(0, 30))


async def push_intents(http: Http, phone: Phone, intents: list[dict[str, Any]],
                       **extra: Any) -> list[dict[str, Any]]:
    """POST /sync/v1/push of ``intents`` (``extra``: the phone's queue report); the acks.

    The server must acknowledge up to the last one (else :class:`BadStatus` 599)."""
    body = await http.call(
        "POST",
        "/sync/v1/push",
        headers=phone.headers,
        json={"client_id": str(phone.client_id), "schema_version": 1, "mutations": intents,
              **extra},
    )
    if body["last_seq"] != phone.seq:
        raise BadStatus(599)
    return list(body["acks"])


async def do_mission_request(http: Http, phone: Phone) -> None:
    """An agent drafts a mission request and submits it for approval (one push, two intents)."""
    mission_id = str(uuid.uuid4())
    day = random.randint(1, 20)
    acks = await push_intents(http, phone, [
        phone.intent("mission.create", {
            "id": mission_id, "purpose": "Réunion de service", "destination": "Lyon",
            "starts_on": date(2027, 1, day).isoformat(),
            "ends_on": date(2027, 1, day + 2).isoformat(),
            "transport": "train", "estimated_cost_cents": random.randint(5_000, 60_000)}),
        phone.intent("mission.submit", {"id": mission_id, "expected_state": "draft"}),
    ])
    if any(a["status"] != "applied" for a in acks):
        raise BadStatus(597)


_DECIDED_MEANWHILE = frozenset({"ALREADY_DECIDED", "STATE_CHANGED", "CONTENT_CHANGED"})


async def do_decision(http: Http, phone: Phone) -> bool:
    """A manager approves a submitted mission seen in the last pull; False when none waits.

    A refusal the protocol expects (decided meanwhile, content changed) is an answer, not an
    error: the phone drops the mission and its next pull shows what happened."""
    if not phone.to_decide:
        return False
    mission_id, content_hash = phone.to_decide.popitem()
    acks = await push_intents(http, phone, [phone.intent("mission.decide", {
        "id": mission_id, "decision": "approve", "expected_state": "submitted",
        "content_hash": content_hash})])
    for ack in acks:
        if ack["status"] == "rejected" and ack.get("code") not in _DECIDED_MEANWHILE:
            raise BadStatus(596)
    return True


async def do_receipt(http: Http, phone: Phone) -> None:
    data = os.urandom(random.randint(30_000, 50_000))
    sha = hashlib.sha256(data).hexdigest()
    status = await http.call(
        "POST",
        "/sync/v1/blobs",
        headers=phone.headers,
        json={"sha256": sha, "size": len(data), "content_type": "image/jpeg"},
    )
    for _ in range(10):
        if status["complete"]:
            break
        offset = status["offset"]
        part = data[offset : offset + 32_768]
        status = await http.call(
            "PATCH",
            f"/sync/v1/blobs/uploads/{status['upload_id']}",
            data=part,
            headers=phone.headers
            | {
                "Upload-Offset": str(offset),
                "Upload-Chunk-SHA256": hashlib.sha256(part).hexdigest(),
            },
        )
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
    await push_intents(http, phone, attach)


async def approvals_screen(http: Http, phone: Phone) -> None:
    """A manager opens the list of claims waiting for a decision."""
    await http.call(
        "GET", "/api/v1/claims", headers=phone.headers, params={"state": "submitted", "limit": 50}
    )


async def invoice_search(http: Http, phone: Phone) -> None:
    """A supplier searches its invoices (by number fragment) and sorts them."""
    await http.call(
        "GET",
        "/api/v1/invoices",
        headers=phone.headers,
        params={"q": random.choice(["F-2026", "INV", "12"]), "limit": 20},
    )


async def hold_sse(sse: Http, phone: Phone, rec: Recorder, deadline: float) -> None:
    """Keep the phone's event stream open (reconnecting like EventSource); flag pokes."""
    while time.time() < deadline:
        started = time.perf_counter()
        try:
            async with sse.session.get("/sync/v1/events", headers=phone.headers) as response:
                if response.status != 200:
                    rec.error("sse_connect", f"HTTP {response.status}")
                    await asyncio.sleep(1)
                    continue
                first = True
                async for line in response.content:
                    if first:
                        rec.ok("sse_connect", (time.perf_counter() - started) * 1000)
                        first = False
                    if line.rstrip(b"\r\n") == b"event: poke":
                        phone.poked = True
        except CLIENT_ERRORS as exc:
            rec.error("sse_connect", type(exc).__name__)
            await asyncio.sleep(1)


async def watch_loop_lag(deadline: float, lags: list[float], tick: float = 0.05) -> None:
    """How late this generator's event loop wakes up (ms): that delay is counted in every
    latency it measures, so a busy generator shows here, not on the server."""
    while time.time() < deadline:
        started = time.perf_counter()
        await asyncio.sleep(tick)
        lags.append(max(0.0, (time.perf_counter() - started - tick) * 1000))


async def run_phone(
    http: Http, phone: Phone, rec: Recorder, start_at: float, deadline: float, think: float,
    extras: frozenset[str],
) -> None:
    # Phones open the app spread over one think time (at least 3 s), not all at once.
    await asyncio.sleep(max(0.0, start_at - time.time()) + random.uniform(0, max(3.0, think)))
    await timed(rec, "initial_pull", do_pull(http, phone))  # start-up sync (full snapshot)
    for _ in range(10_000):  # bounded
        await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))
        if time.time() >= deadline:
            return
        if phone.poked:
            phone.poked = False
            await timed(rec, "pull", do_pull(http, phone))
            continue
        roll = random.random()
        if phone.role == "agent":
            if roll < 0.45:
                await timed(rec, "push", do_push(http, phone))
            elif roll < 0.88:
                await timed(rec, "pull", do_pull(http, phone))
            elif roll < 0.93:
                await timed(rec, "mission_request", do_mission_request(http, phone))
            else:
                await timed(rec, "receipt", do_receipt(http, phone))
        elif phone.role == "manager" and "approvals" in extras and roll < 0.4:
            await timed(rec, "approval", approvals_screen(http, phone))
        elif phone.role == "manager" and roll < 0.7 and phone.to_decide:
            await timed(rec, "decision", do_decision(http, phone))
        elif phone.role == "supplier" and "invoices" in extras and roll < 0.5:
            await timed(rec, "invoice_search", invoice_search(http, phone))
        else:
            await timed(rec, "pull", do_pull(http, phone))


# --------------------------------------------------------------------------- one process
@dataclass(frozen=True)
class ShareSpec:
    """One generator process's share of a level (picklable)."""

    base_url: str
    people: list[tuple[str, dict[str, str]]]
    start_at: float  # time.time() at which the level starts, the same in every process
    duration: float
    think: float
    sse_share: float
    extras: frozenset[str]
    seed: int


def _runqueue_wait() -> float:
    """Seconds this process's threads have waited for a CPU while runnable (schedstat)."""
    total = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/schedstat") as handle:
                total += int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


async def _run_share(spec: ShareSpec) -> dict[str, Any]:
    random.seed(spec.seed)
    rec = Recorder()
    phones = [Phone(headers=h, role=r) for r, h in spec.people]
    deadline = spec.start_at + spec.duration
    http, sse = Http(spec.base_url), Http(spec.base_url, read_timeout=None)
    lags: list[float] = []
    try:
        await asyncio.sleep(max(0.0, spec.start_at - time.time()))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        waited = _runqueue_wait()
        sse_tasks = [
            asyncio.create_task(hold_sse(sse, p, rec, deadline))
            for p in phones
            if random.random() < spec.sse_share
        ]
        lag_task = asyncio.create_task(watch_loop_lag(deadline, lags))
        await asyncio.gather(
            *(
                run_phone(http, p, rec, spec.start_at, deadline, spec.think, spec.extras)
                for p in phones
            )
        )
        elapsed = time.time() - spec.start_at
        for task in sse_tasks:
            task.cancel()
        await asyncio.gather(*sse_tasks, return_exceptions=True)
        await lag_task
        after = resource.getrusage(resource.RUSAGE_SELF)
        waited = _runqueue_wait() - waited
    finally:
        await http.close()
        await sse.close()
    return {
        "latencies": dict(rec.latencies),
        "errors": {op: dict(kinds) for op, kinds in rec.errors.items()},
        "timeline": rec.timeline,
        "lags": lags,
        "sse_streams": len(sse_tasks),
        "elapsed": elapsed,
        "cpu_seconds": (after.ru_utime + after.ru_stime) - (usage.ru_utime + usage.ru_stime),
        "runqueue_wait_seconds": waited,
    }


def run_share(spec: ShareSpec) -> dict[str, Any]:
    """Entry point of a generator process: its phones until the level's deadline."""
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_run_share(spec))


def warm_up() -> int:
    """Imports done before the first level (a spawned process pays them once)."""
    import uvloop  # noqa: F401

    return os.getpid()
