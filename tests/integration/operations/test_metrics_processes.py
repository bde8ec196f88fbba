"""Several processes, one set of figures: with ``PROMETHEUS_MULTIPROC_DIR`` shared, each app's
``GET /metrics`` reports the sum over every process of the machine, whichever one is scraped."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from kernel import metrics_dir
from tests.integration.scaleout.harness import free_port

ROOT = Path(__file__).resolve().parents[3]
HEALTH = 'nomade_http_request_duration_seconds_count{method="GET",route="/health",status="2xx"}'


def _env(shared: Path, data: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NOMADE_", "PYTEST"))}
    return base | {
        "NOMADE_ENV": "test",
        "NOMADE_SECRET_KEY": "metrics-test-" + "m" * 40,
        "NOMADE_LOG_LEVEL": "ERROR",
        "NOMADE_DATA_DIR": str(data),
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
    }


def _sample(text: str, series: str) -> float:
    found = re.search("^" + re.escape(series) + r" (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


def _merged(shared: Path) -> str:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(shared))  # type: ignore[no-untyped-call]
    return generate_latest(registry).decode()


def test_figures_of_two_processes_are_summed(tmp_path: Path) -> None:
    """Two processes count refused intents and push deliveries; the shared directory adds them,
    and keeps a finished process's counts while the other still runs."""
    shared = tmp_path / "metrics"
    script = (
        "import sys; from kernel import metrics\n"
        "for _ in range(int(sys.argv[1])): metrics.intent_refused('STATE_CHANGED')\n"
        "metrics.push_outcome('sent', int(sys.argv[1]))\n"
        "metrics.pending_reported(int(sys.argv[1]))\n"
        "print('counted', flush=True); sys.stdin.readline()\n"
    )
    writers = []
    try:
        for count in ("2", "5"):  # the second starts while the first runs
            writer = subprocess.Popen(
                [sys.executable, "-c", script, count],
                cwd=ROOT,
                env=_env(shared, tmp_path / "data"),
                text=True,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            writers.append(writer)
            assert writer.stdout is not None and writer.stdout.readline() == "counted\n"
        text = _merged(shared)
        assert _sample(text, 'nomade_sync_intents_refused_total{code="STATE_CHANGED"}') == 7
        assert _sample(text, 'nomade_push_deliveries_total{status="sent"}') == 7
        assert _sample(text, "nomade_sync_client_pending_intents_count") == 2
        assert _sample(text, 'nomade_sync_client_pending_intents_bucket{le="1.0"}') == 0
        assert _sample(text, 'nomade_sync_client_pending_intents_bucket{le="5.0"}') == 2
        writers[0].communicate("\n", timeout=30)  # the first one ends
        assert _sample(_merged(shared), 'nomade_push_deliveries_total{status="sent"}') == 7
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.communicate("\n", timeout=30)
    # Every process of that run ended: the next one to start begins from zero (a restart).
    again = subprocess.run(
        [sys.executable, "-c", script, "1"],
        cwd=ROOT,
        input="\n",
        text=True,
        env=_env(shared, tmp_path / "data"),
        capture_output=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr
    assert _sample(_merged(shared), 'nomade_push_deliveries_total{status="sent"}') == 1


def test_a_killed_process_leaves_the_in_flight_sum(tmp_path: Path) -> None:
    """A process killed while serving a request never says it ended: the next scrape notices."""
    shared = tmp_path / "metrics"
    script = (
        "import sys; from kernel import metrics\n"
        "metrics.IN_FLIGHT.inc(); print('serving', flush=True); sys.stdin.readline()\n"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        text=True,
        env=_env(shared, tmp_path / "data"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "serving\n"
        assert _sample(_merged(shared), "nomade_http_requests_in_flight") == 1
    finally:
        writer.kill()
        writer.communicate(timeout=30)
    assert _sample(_merged(shared), "nomade_http_requests_in_flight") == 1  # still its file
    metrics_dir.forget_dead_processes(shared)  # what every scrape does first
    assert _sample(_merged(shared), "nomade_http_requests_in_flight") == 0


class _App:
    def __init__(self, shared: Path, data: Path, log: Path) -> None:
        self.port = free_port()
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "backend.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=_env(shared, data),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.log = log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_up(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "the app never answered /health"
            time.sleep(0.3)

    def scrape(self) -> str:
        response = httpx.get(f"{self.url}/metrics", timeout=10)
        assert response.status_code == 200, response.text
        return response.text

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._log.close()


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[tuple[_App, _App, Path]]:
    shared = tmp_path / "metrics"
    started = [_App(shared, tmp_path / f"data-{i}", tmp_path / f"app-{i}.log") for i in (1, 2)]
    try:
        for app in started:
            app.wait_up()
        yield started[0], started[1], shared
    finally:
        for app in started:
            app.stop()


def test_each_app_reports_the_sum_of_both_and_keeps_a_stopped_ones_counts(
    apps: tuple[_App, _App, Path],
) -> None:
    first, second, shared = apps
    base = _sample(first.scrape(), HEALTH)  # the start-up probes
    for _ in range(3):
        assert httpx.get(f"{first.url}/health", timeout=5).status_code == 200
    for _ in range(5):
        assert httpx.get(f"{second.url}/health", timeout=5).status_code == 200

    assert _sample(first.scrape(), HEALTH) == base + 8
    assert _sample(second.scrape(), HEALTH) == base + 8
    # Only the scrape in progress is in flight, wherever it lands.
    assert _sample(second.scrape(), "nomade_http_requests_in_flight") == 1

    assert len(list(shared.glob("gauge_livesum_*.db"))) == 2  # one per serving process
    second.stop()
    text = first.scrape()
    assert len(list(shared.glob("gauge_livesum_*.db"))) == 1, "the stopped one's gauge left"
    assert _sample(text, HEALTH) == base + 8, "a stopped process's requests still count"
    assert _sample(text, "nomade_http_requests_in_flight") == 1
