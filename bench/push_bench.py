"""Push benchmark: the production sender against a naive ``pywebpush.webpush()`` loop, same run.

    uv run python bench/push_bench.py [--users 500] [--devices 2] [--events 4] [--naive 300]

The local fake push service (tests/pushservice.py) runs in a second process and verifies
every request as a real one would (VAPID JWT, TTL, aes128gcm decryption). The production path is
``notify()`` → inbox + outbox rows → the ``push.deliver`` job on the in-process queue → HTTP;
"delivered" counts messages the push service decrypted and accepted, "lost" the ones that never
arrived. Prints a table and writes bench/results/push.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _configure(data_dir: Path, database_url: str) -> None:
    os.environ["NOMADE_ENV"] = "development"
    os.environ["NOMADE_DATA_DIR"] = str(data_dir)
    os.environ["NOMADE_LOG_LEVEL"] = "WARNING"
    os.environ["NOMADE_LOG_JSON"] = "false"
    os.environ["NOMADE_VAPID_SUBJECT"] = "mailto:bench@nomade.example"
    # The local push service on a loopback port, allowed as an operator would allow one.
    os.environ["NOMADE_PUSH_ALLOWED_HOSTS"] = "127.0.0.1:*"
    os.environ["NOMADE_PUSH_ALLOWED_NETWORKS"] = "127.0.0.1/32"
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)


def _start_push_service(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.pushservice", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the fake push service did not start")


async def _control(client, method: str, path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    response = await client.request(method, path, json=body)
    response.raise_for_status()
    return response.json()


async def _wait_accepted(client, expected: int, limit_seconds: float) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """Messages accepted, and the wall-clock time (time.time) the last one arrived."""
    deadline = time.time() + limit_seconds
    while True:
        stats = await _control(client, "GET", "/_control/stats")
        if stats["distinct"] >= expected or time.time() > deadline:
            return int(stats["distinct"]), float(stats["last_at"] or time.time())
        await asyncio.sleep(0.1)


async def _rounds(args: argparse.Namespace, push_origin: str) -> tuple[list[dict], list[dict]]:
    import httpx
    from piccolo.engine import engine_finder

    from backend.composition import bootstrap
    from backend.migrate import migrate
    from kernel import jobs
    from kernel.db import prepare_engine
    from notifications.vapid import get_signer

    await migrate()
    engine = engine_finder()
    assert engine is not None
    await prepare_engine(engine)
    bootstrap()  # the jobs it enqueues, as the app installs them
    queue = jobs.InProcessQueue(concurrency=1)
    await queue.start()
    jobs.set_queue(queue)
    from notifications.jobs import set_sender
    from notifications.sender import PushSender
    from notifications.transport import AiohttpTransport, HttpxTransport

    transport = (HttpxTransport if args.transport == "httpx" else AiohttpTransport)(
        args.concurrency
    )
    set_sender(PushSender(get_signer(), transport, concurrency=args.concurrency))
    productions, naives = [], []
    async with httpx.AsyncClient(base_url=push_origin, timeout=10) as control:
        for _ in range(args.rounds):
            productions.append(await _production(args, control, queue))
            naives.append(await asyncio.to_thread(_naive, args, push_origin))
    await queue.stop()
    await transport.aclose()
    return productions, naives


async def _production(args: argparse.Namespace, control, queue) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from piccolo.query.functions.aggregate import Count

    from backend.accounts.tables import Device, User
    from notifications import notify
    from notifications.tables import PushOutbox, PushSubscription
    from notifications.vapid import get_signer

    users = [uuid.uuid4() for _ in range(args.users)]
    await User.insert(
        *[
            User(
                id=u,
                email=f"bench-{u.hex}@nomade.invalid",
                full_name="Bench",
                password_hash="x",
                role="supplier",
                language="fr" if i % 3 else "en",
            )
            for i, u in enumerate(users)
        ]
    )
    subscriptions = []
    for user in users:
        device = uuid.uuid4()
        # A signed-in device: the sender pushes only to a device signed in as its person.
        await Device.insert(Device(id=device, user=user, refresh_expires_at=datetime.now(UTC)
                                   + timedelta(days=30)))
        for _ in range(args.devices):
            info = await _control(control, "POST", "/_control/subscriptions")
            subscriptions.append(
                PushSubscription(
                    id=uuid.uuid4(),
                    user=user,
                    device=device,
                    endpoint=info["endpoint"],
                    p256dh=info["keys"]["p256dh"],
                    auth=info["keys"]["auth"],
                    language="fr",
                )
            )
    for start in range(0, len(subscriptions), 500):
        await PushSubscription.insert(*subscriptions[start : start + 500])
    await _control(control, "POST", "/_control/reset")

    expected = args.users * args.devices * args.events
    from zoneinfo import ZoneInfo

    # A weekday noon in Paris: outside everyone's quiet hours, already due.
    noon = datetime(2026, 6, 10, 12, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
    started, cpu_started = time.time(), time.process_time()
    for event in range(args.events):
        invoice = uuid.uuid4()
        await notify(
            "invoice_status_changed",
            users,
            {"kind": "invoice", "id": str(invoice), "url": f"/invoices/{invoice}"},
            {
                "invoice_number": f"F-{event:04d}",
                "status": "MISE_EN_PAIEMENT",
                "amount_cents": 123456 + event,
            },
            now=noon,
        )
    written, cpu_written = time.time(), time.process_time()
    accepted, finished = await _wait_accepted(control, expected, args.timeout)
    cpu_finished = time.process_time()
    await queue.drain(args.timeout)
    states = {
        r["state"]: r["n"]
        for r in await PushOutbox.select(PushOutbox.state, Count(PushOutbox.id, alias="n"))
        .where(PushOutbox.user.is_in(users))
        .group_by(PushOutbox.state)
    }
    return {
        "messages": expected,
        "delivered": accepted,
        "lost": expected - accepted,
        "write_seconds": written - started,
        "send_seconds": finished - written,
        "sender_rate": accepted / max(finished - written, 1e-9),
        "end_to_end_rate": accepted / max(finished - started, 1e-9),
        "write_cpu_seconds": cpu_written - cpu_started,
        "send_cpu_seconds": cpu_finished - cpu_written,
        "sender_per_cpu_second": accepted / max(cpu_finished - cpu_written, 1e-9),
        "outbox_states": states,  # type: ignore[dict-item]
        "vapid_signatures": get_signer().signatures,
    }


def _naive(args: argparse.Namespace, push_origin: str) -> dict[str, float]:
    """The loop a first version would write: one blocking webpush() per message."""
    import httpx
    from py_vapid import Vapid
    from pywebpush import WebPushException, webpush

    from kernel.settings import get_settings
    from notifications.vapid import key_path

    vapid = Vapid.from_file(str(key_path(get_settings())))
    with httpx.Client(base_url=push_origin) as control:
        subs = [control.post("/_control/subscriptions").json() for _ in range(min(args.naive, 50))]
        control.post("/_control/reset")
        data = json.dumps(
            {
                "web_push": 8030,
                "notification": {
                    "title": "Facture F-0001 : mise en paiement",
                    "body": "Montant : 1 234,56 €.",
                    "navigate": "/invoices/1",
                    "lang": "fr",
                },
            }
        )
        errors = 0
        started, cpu_started = time.perf_counter(), time.thread_time()
        sent = 0
        for index in range(args.naive):
            if time.perf_counter() - started > args.naive_seconds:
                break
            sub = subs[index % len(subs)]
            try:
                webpush(
                    {"endpoint": sub["endpoint"], "keys": sub["keys"]},
                    data=data,
                    vapid_private_key=vapid,
                    vapid_claims={
                        "sub": "mailto:bench@nomade.example"
                    },  # fresh dict: it is mutated
                    ttl=3600,
                    timeout=10,
                )
            except WebPushException:
                errors += 1
            sent += 1
        elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
        accepted = control.get("/_control/stats").json()["accepted"]
    return {
        "messages": sent,
        "delivered": accepted,
        "lost": sent - accepted,
        "errors": errors,
        "send_seconds": elapsed,
        "rate": accepted / max(elapsed, 1e-9),
        "send_cpu_seconds": cpu,
        "per_cpu_second": accepted / max(cpu, 1e-9),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Nomade push benchmark")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--devices", type=int, default=2)
    parser.add_argument("--events", type=int, default=4)
    parser.add_argument("--naive", type=int, default=400, help="messages for the naive loop")
    parser.add_argument("--naive-seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each; medians are reported")
    parser.add_argument("--concurrency", type=int, default=16, help="sender's parallel requests")
    parser.add_argument("--transport", choices=["aiohttp", "httpx"], default="aiohttp")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--database-url", default="", help="PostgreSQL DSN (default: SQLite)")
    args = parser.parse_args()

    _configure(Path(tempfile.mkdtemp(prefix="nomade-push-bench-")), args.database_url)
    port = _free_port()
    push = _start_push_service(port)
    origin = f"http://127.0.0.1:{port}"
    try:
        productions, naives = asyncio.run(_rounds(args, origin))
    finally:
        push.terminate()
        push.wait(timeout=10)

    sender = statistics.median(p["sender_rate"] for p in productions)
    end_to_end = statistics.median(p["end_to_end_rate"] for p in productions)
    naive = statistics.median(n["rate"] for n in naives)
    sender_cpu = statistics.median(p["sender_per_cpu_second"] for p in productions)
    naive_cpu = statistics.median(n["per_cpu_second"] for n in naives)
    load = os.getloadavg()[0]
    lost = sum(int(p["lost"]) for p in productions)
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "database": "postgresql" if args.database_url else "sqlite",
        },
        "parameters": vars(args),
        "production_runs": productions,
        "naive_runs": naives,
        "median": {
            "sender_per_s": round(sender, 1),
            "end_to_end_per_s": round(end_to_end, 1),
            "naive_per_s": round(naive, 1),
            "speed_up": round(sender / max(naive, 1e-9), 2),
            "lost": lost,
            "sender_per_cpu_s": round(sender_cpu, 1),
            "naive_per_cpu_s": round(naive_cpu, 1),
            "load_average_1min": load,
        },
        "targets": {"sender_per_s": 800, "speed_up": 5, "lost": 0},
    }
    out = ROOT / "bench" / "results" / "push.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(
        f"push benchmark ({args.rounds} rounds, {productions[0]['messages']} messages each, "
        f"{os.cpu_count()} CPUs, load average {load:.1f}, {result['machine']['database']})"
    )
    print(f"{'path':<42}{'msg/s':>10}{'msg/CPU-s':>11}{'lost':>7}")
    print(
        f"{'production sender: outbox → job → HTTP':<42}{sender:>10.0f}{sender_cpu:>11.0f}{lost:>7}"
    )
    print(f"{'  including notify() writes':<42}{end_to_end:>10.0f}{'':>11}{'':>7}")
    naive_lost = sum(int(n["lost"]) for n in naives)
    print(
        f"{'naive loop of pywebpush.webpush()':<42}{naive:>10.0f}{naive_cpu:>11.0f}{naive_lost:>7}"
    )
    print(
        f"{'speed-up (sender / naive)':<42}{sender / max(naive, 1e-9):>9.1f}×"
        f"{sender_cpu / max(naive_cpu, 1e-9):>10.1f}×"
    )
    print(f"results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
