"""Workers answer Prometheus on their own port: push outcomes and queue depth are theirs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kernel.metrics import push_outcome
from kernel.worker_metrics import MetricsServer
from tests.conftest import REDIS_TEST_URL, TEST_REDIS
from tests.integration.scaleout.harness import free_port

ROOT = Path(__file__).resolve().parents[3]


async def test_metrics_server_answers_scrapes_and_guards_them() -> None:
    open_server = MetricsServer("127.0.0.1", 0, token="")
    await open_server.start()
    guarded = MetricsServer("127.0.0.1", 0, token="scrape-secret")
    await guarded.start()
    try:
        push_outcome("gone")
        async with httpx.AsyncClient(timeout=5) as http:
            scraped = await http.get(f"http://127.0.0.1:{open_server.port}/metrics")
            assert scraped.status_code == 200
            assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
            assert 'nomade_push_deliveries_total{status="gone"}' in scraped.text
            other = await http.get(f"http://127.0.0.1:{open_server.port}/")
            assert other.status_code == 404
            refused = await http.get(f"http://127.0.0.1:{guarded.port}/metrics")
            assert refused.status_code == 403
            wrong = await http.get(f"http://127.0.0.1:{guarded.port}/metrics",
                                   headers={"Authorization": "Metrics nope"})
            assert wrong.status_code == 403
            allowed = await http.get(f"http://127.0.0.1:{guarded.port}/metrics",
                                     headers={"Authorization": "Metrics scrape-secret"})
            assert allowed.status_code == 200 and "nomade_job_queue_depth" in allowed.text
    finally:
        await open_server.stop()
        await guarded.stop()


@pytest.mark.skipif(not TEST_REDIS, reason="a worker needs Redis (NOMADE_TEST_REDIS=1)")
def test_nomade_worker_serves_its_metrics(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "REDIS_URL": REDIS_TEST_URL, "NOMADE_WORKER_METRICS_PORT": str(port)}
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
                break
            except httpx.HTTPError:
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()
                assert time.monotonic() < deadline, "the worker never served /metrics"
                time.sleep(0.3)
        assert scraped.status_code == 200
        assert "nomade_job_queue_depth" in scraped.text
        assert "nomade_push_deliveries_total" in scraped.text
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
