"""Private services and the multi-process topology, for the scale-out tests and the load bench.

Seven people share this machine's PostgreSQL (5432) and Redis (6379): nothing here touches
them. Each run starts its own redis-server and PostgreSQL cluster on free loopback ports, in
temporary directories, and removes them afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[3]
PG_BIN = Path(os.environ.get("NOMADE_PG_BIN", "/usr/lib/postgresql/15/bin"))
TOPOLOGY = ROOT / "infra" / "topology.sh"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@dataclass
class PrivateRedis:
    """A redis-server of our own (no persistence), restartable on the same port."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--maxclients", "4000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` OS user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class PrivatePostgres:
    """A throw-away PostgreSQL cluster (trust auth) on a free loopback port."""

    port: int = field(default_factory=free_port)
    directory: Path | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/nomade"

    def _pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(_as_postgres([str(PG_BIN / args[0]), *args[1:]]), check=check,
                              capture_output=True, timeout=120)

    def start(self) -> None:
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="nomade-pg-"))
            if os.geteuid() == 0:
                user = pwd.getpwnam("postgres")
                os.chown(self.directory, user.pw_uid, user.pw_gid)
            self._pg("initdb", "-D", str(self.directory / "data"), "-A", "trust", "-U",
                     "postgres", "--no-sync", "-E", "UTF8")
            self._launch()
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q", "-c",
                 "CREATE DATABASE nomade"], check=True, capture_output=True, timeout=60,
            )
        else:
            self._launch()

    def _launch(self) -> None:
        assert self.directory is not None
        opts = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=300 -c shared_buffers=64MB")
        self._pg("pg_ctl", "-D", str(self.directory / "data"), "-o", opts, "-l",
                 str(self.directory / "log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        if self.directory is not None:
            self._pg("pg_ctl", "-D", str(self.directory / "data"), "-m", mode, "-w", "stop",
                     check=False)

    def restart(self, down_for: float = 0.0) -> None:
        self.stop("immediate")
        time.sleep(down_for)
        self._launch()

    def destroy(self) -> None:
        self.stop("immediate")
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


@dataclass
class Topology:
    """``infra/topology.sh`` driven from Python: N apps, M workers, nginx in front."""

    database_url: str
    redis_url: str
    apps: int = 2
    workers: int = 1
    nginx: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="nomade-topo-")))
    app_base_port: int = 0
    worker_metrics_base_port: int = 0
    proxy_port: int = field(default_factory=free_port)
    base_url: str = ""

    def env(self) -> dict[str, str]:
        if not self.app_base_port:
            self.app_base_port = _free_port_run(self.apps)
        if not self.worker_metrics_base_port:
            self.worker_metrics_base_port = _free_port_run(self.workers)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NOMADE_", "PYTEST"))}
        env.update({
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "NOMADE_ENV": "test",
            "NOMADE_SECRET_KEY": "scaleout-secret-" + "s" * 40,
            "NOMADE_DATA_DIR": str(self.directory / "data"),
            "PROMETHEUS_MULTIPROC_DIR": str(self.directory / "metrics"),
            "NOMADE_LOG_LEVEL": "WARNING",
            "NOMADE_TOPOLOGY_DIR": str(self.directory),
            "NOMADE_APPS": str(self.apps),
            "NOMADE_WORKERS": str(self.workers),
            "NOMADE_APP_BASE_PORT": str(self.app_base_port),
            "NOMADE_PROXY_PORT": str(self.proxy_port),
            "NOMADE_WORKER_METRICS_BASE_PORT": str(self.worker_metrics_base_port),
            "NOMADE_NGINX": "1" if self.nginx else "0",
            "NOMADE_STOP_TIMEOUT": "15",
            # The local push service (tests/pushservice.py) on a loopback port.
            "NOMADE_PUSH_ALLOWED_HOSTS": "127.0.0.1:*",
            "NOMADE_PUSH_ALLOWED_NETWORKS": "127.0.0.1/32",
        })
        env.update(self.extra_env)
        return env

    def app_url(self, index: int) -> str:
        """Address of app process ``index`` (1-based), bypassing nginx."""
        return f"http://127.0.0.1:{self.app_base_port + index - 1}"

    def _run(self, action: str, timeout: float = 120) -> str:
        done = subprocess.run(["bash", str(TOPOLOGY), action], env=self.env(), check=False,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 and action != "status":
            raise RuntimeError(f"topology {action} failed:\n{done.stderr}\n{done.stdout}")
        return done.stdout.strip()

    def start(self) -> str:
        self.base_url = self._run("start").splitlines()[-1]
        return self.base_url

    def stop(self) -> None:
        self._run("stop")

    def status(self) -> str:
        return self._run("status")

    def pid(self, name: str) -> int:
        return int((self.directory / f"{name}.pid").read_text())

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill one process (``app-1``, ``worker-1``) and its session, as a crash would."""
        pid = self.pid(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)

    def start_one(self, name: str) -> None:
        """Start again what ``kill`` took down (``topology.sh start`` skips live processes)."""
        env = self.env() | {"NOMADE_MIGRATE": "0"}
        # A process killed with SIGKILL may hold its port a moment longer: try a few times.
        for attempt in range(3):
            done = subprocess.run(["bash", str(TOPOLOGY), "start"], env=env, check=False,
                                  capture_output=True, timeout=120)
            if done.returncode == 0:
                return
            time.sleep(2.0 * (attempt + 1))
        raise RuntimeError(f"could not restart {name}: {done.stderr.decode(errors='replace')}")

    def log(self, name: str) -> str:
        path = self.directory / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def _free_port_run(count: int) -> int:
    """The first of ``count`` consecutive free loopback ports."""
    for _ in range(50):
        base = free_port()
        if base + count >= 65000:
            continue
        ports = [base + i for i in range(count)]
        try:
            for port in ports[1:]:
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no run of free ports")


Stack = tuple[PrivatePostgres, PrivateRedis, Topology]


@contextlib.contextmanager
def private_stack(apps: int = 2, workers: int = 1, nginx: bool = True,
                  extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Private PostgreSQL + Redis + the topology; everything removed on exit."""
    pg, redis = PrivatePostgres(), PrivateRedis()
    topology: Topology | None = None
    try:
        pg.start()
        redis.start()
        topology = Topology(pg.url, redis.url, apps=apps, workers=workers, nginx=nginx,
                            extra_env=extra_env or {})
        topology.start()
        yield pg, redis, topology
    finally:
        if topology is not None:
            topology.destroy()
        redis.stop()
        pg.destroy()


def seed_orgs(topology: Topology, count: int = 1) -> list[dict[str, Any]]:
    """Organisations with people (bearer headers valid for an hour) in the topology's database."""
    env = topology.env() | {"NOMADE_LOG_LEVEL": "ERROR"}
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "-m", "tests.integration.scaleout.seed", str(count)],
                          cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                          timeout=300)
    orgs: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return orgs


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
