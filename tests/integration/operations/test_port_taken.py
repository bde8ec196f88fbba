"""``nomade serve`` and ``nomade worker`` refuse a port another process holds: a message naming
the port and a non-zero exit, not a second server silently sharing the traffic."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernel.ports import PortTaken, check_port_free

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port another server listens on, as granian does (with SO_REUSEPORT)."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


def _nomade(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NOMADE_", "PYTEST"))}
    base |= {"NOMADE_ENV": "test", "NOMADE_SECRET_KEY": "port-test-" + "p" * 40,
             "NOMADE_LOG_LEVEL": "ERROR"}
    return subprocess.run([sys.executable, "-m", "backend.cli", *args], cwd=ROOT,
                          env=base | (env or {}), capture_output=True, text=True, timeout=60)


def test_serve_refuses_a_taken_port(held_port: int) -> None:
    done = _nomade("serve", "--host", "127.0.0.1", "--port", str(held_port))
    assert done.returncode != 0
    assert f"port {held_port} on 127.0.0.1 is already in use" in done.stderr


def test_worker_refuses_a_taken_metrics_port(held_port: int) -> None:
    # Nothing listens on this Redis: the refusal comes before any connection.
    done = _nomade("worker", env={"REDIS_URL": "redis://127.0.0.1:9/0",
                                  "NOMADE_WORKER_METRICS_PORT": str(held_port)})
    assert done.returncode != 0
    assert f"port {held_port} on 127.0.0.1 is already in use" in done.stderr


def test_a_port_just_freed_by_a_stopped_server_is_not_refused() -> None:
    """A restart on the same port: the old server's closed connections linger in TIME_WAIT."""
    with socket.socket() as old:
        old.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        old.bind(("127.0.0.1", 0))
        old.listen()
        port = int(old.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port)) as phone:
            served, _ = old.accept()
            served.close()  # the server closes first: its side waits in TIME_WAIT
            phone.recv(1)
    with pytest.raises(PortTaken), socket.socket() as new:  # a listening server is refused...
        new.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        new.bind(("127.0.0.1", port))
        new.listen()
        check_port_free("nomade serve", "127.0.0.1", port)
    check_port_free("nomade serve", "127.0.0.1", port)  # ...its closed connections are not
