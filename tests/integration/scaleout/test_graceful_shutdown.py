"""SIGTERM to an app process under granian: in-flight requests finish, live streams are told
to reconnect and close, new connections are refused, the process exits promptly."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time

import httpx
import pytest

from tests.integration.scaleout.harness import ROOT, free_port, wait_port

pytestmark = pytest.mark.slow


def _serve(port: int, data_dir: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOMADE_")}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update({"NOMADE_ENV": "test", "NOMADE_SECRET_KEY": "drain-" + "d" * 40,
                "NOMADE_DATA_DIR": data_dir, "NOMADE_LOG_LEVEL": "WARNING"})
    return subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port",
         str(port), "--workers", "1", "tests.integration.scaleout.drain_app:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


async def test_sigterm_drains_requests_and_sends_reconnect_to_streams() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        process = _serve(port, data_dir)
        try:
            wait_port(port, 30)
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base, timeout=15) as http:
                for _ in range(100):
                    if (await http.get("/ready")).status_code == 200:
                        break
                    await asyncio.sleep(0.1)
                stream_lines: list[str] = []

                async def read_stream() -> None:
                    async with http.stream("GET", "/test/stream") as response:
                        async for line in response.aiter_lines():
                            stream_lines.append(line)

                reader = asyncio.create_task(read_stream())
                in_flight = asyncio.create_task(http.get("/test/slow", params={"seconds": 2}))
                await asyncio.sleep(0.6)
                assert any(line == "event: heartbeat" for line in stream_lines)
                sent_at = time.monotonic()
                process.send_signal(signal.SIGTERM)

                slow = await in_flight
                assert slow.status_code == 200, "a request in flight finishes"
                assert slow.json() == {"status": "done"}
                await asyncio.wait_for(reader, 10)
                assert "event: reconnect" in stream_lines
                assert "retry: 250" in stream_lines
                reconnect_at = stream_lines.index("event: reconnect")
                assert reconnect_at > stream_lines.index("event: heartbeat")

            exit_code = await asyncio.to_thread(process.wait, 15)
            assert time.monotonic() - sent_at < 10, "the process exits once drained"
            assert exit_code == 0
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"{base}/health", timeout=2)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
