"""Schemathesis over the whole OpenAPI schema, as a signed-in demo user: no server error.

The app runs in a real server process (granian) on the test database; schemathesis's own CLI
drives it (bounded: few examples per operation, a time limit on the whole run).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.seed import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
# Streams never end and sign-outs would only cut the run short: not fuzzed.
EXCLUDED = r"^/sync/v1/events$|/auth/logout|/devices/\{"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1", "backend.asgi:app"],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def _token(base: str, who: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=10) as api:
        response = await api.post("/api/v1/auth/login", json={
            "email": f"{who}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


@pytest.mark.parametrize("who", ["manager1", "supplier1"])
async def test_no_server_error_anywhere_in_the_schema(client: Any, who: str,
                                                     tmp_path: Path) -> None:
    await seed_demo()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _server(port)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise AssertionError(server.stderr.read().decode()[-3000:] if server.stderr
                                     else "server exited")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)
        token = await _token(base, who)
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/schema/openapi.json",
             "-H", f"Authorization: Bearer {token}", "-H", "X-Api-Key: demo-integration-key",
             "--checks", "not_a_server_error", "--phases", "examples,fuzzing",
             "--max-examples", "5", "--workers", "2", "--request-timeout", "10",
             "--exclude-path-regex", EXCLUDED, "--generation-deterministic",
             "--suppress-health-check", "all",
             "--no-color"],
            cwd=tmp_path, capture_output=True, timeout=170, check=False)
        output = run.stdout.decode(errors="replace")
        assert run.returncode == 0, output[-6000:]
        generated = re.search(r"(\d+) generated, (\d+) passed", output)
        assert generated and generated.group(1) == generated.group(2), output[-3000:]
        assert int(generated.group(1)) > 60
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
