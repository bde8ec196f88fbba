"""Schemathesis over the whole OpenAPI schema as each role (anonymous, agent, manager,
supplier, back-office, admin, integration key): no server error, and every error answer has
the documented body (tests/fuzz/error_body_hook.py).

The app runs in a real server process (granian) on the test database; schemathesis's own CLI
drives it, bounded: a few cases per operation, a time limit on each run. The counts (operations
fuzzed, cases, 5xx) are printed and written to ``<data dir>/api-fuzz.json``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.seed import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
from backend.workflows_demo import DEMO_INTEGRATION_KEY

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
# Streams never end and sign-outs / revocations would only cut the run short: not fuzzed.
EXCLUDED = r"^/sync/v1/events$|/auth/logout|/devices/\{"
ROLES = {  # role → demo account (None: anonymous; "key": the integration API key only)
    "anonymous": None, "agent": "agent1", "manager": "manager1", "supplier": "supplier1",
    "back_office": "backoffice", "admin": "admin", "integration_key": "key",
}
EXAMPLES_PER_OPERATION = 2
_counts: dict[str, dict[str, int]] = {}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(client: Any, data_dir: Path) -> Iterator[str]:
    """The app in a granian process on the test database (migrated by ``client``)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1", "backend.asgi:app"],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode()[-3000:]
                                     if process.stderr else "server exited")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        (data_dir / "api-fuzz.json").write_text(json.dumps(_counts, indent=2))
        if _counts:
            total = {k: sum(c[k] for c in _counts.values()) for k in ("operations", "cases",
                                                                       "server_errors")}
            print(f"\napi fuzz: {json.dumps(_counts)} total {json.dumps(total)}")


async def _headers(base: str, who: str | None) -> list[str]:
    if who is None:
        return []
    if who == "key":
        return ["-H", f"X-Api-Key: {DEMO_INTEGRATION_KEY}"]
    async with httpx.AsyncClient(base_url=base, timeout=10) as api:
        response = await api.post("/api/v1/auth/login", json={
            "email": f"{who}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.text
        return ["-H", f"Authorization: Bearer {response.json()['access_token']}"]


def _count(output: str, pattern: str) -> int:
    found = re.search(pattern, output)
    return int(found.group(1)) if found else 0


def _command(server: str, headers: list[str], report: Path) -> list[str]:
    return [sys.executable, "-m", "schemathesis.cli", "run", f"{server}/schema/openapi.json",
            *headers, "--checks", "not_a_server_error,error_body_is_documented_shape",
            "--phases", "examples,fuzzing", "--max-examples", str(EXAMPLES_PER_OPERATION),
            "--workers", "2", "--request-timeout", "10", "--exclude-path-regex", EXCLUDED,
            "--generation-deterministic", "--suppress-health-check", "all", "--no-color",
            "--report-junit-path", str(report)]


@pytest.mark.parametrize("role", list(ROLES))
async def test_no_server_error_and_documented_errors_as_each_role(
    server: str, role: str, tmp_path: Path
) -> None:
    if role == "anonymous":
        await seed_demo()  # once, before the first role (idempotent)
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.error_body_hook",
           "PYTHONPATH": str(ROOT)}
    command = _command(server, await _headers(server, ROLES[role]), tmp_path / "junit.xml")
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=150,
                         check=False)
    output = run.stdout.decode(errors="replace")
    cases = _count(output, r"(\d+) generated")
    _counts[role] = {"operations": _count(output, r"(\d+) selected"), "cases": cases,
                     "server_errors": len(re.findall(r"Server error", output))}
    assert run.returncode == 0, output[-6000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", output)
    assert generated and generated.group(1) == generated.group(2), output[-3000:]
    assert _counts[role]["operations"] > 40 and cases > 60, output[-2000:]
