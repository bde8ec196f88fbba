"""Prometheus metrics (``prometheus_client``): the request-timing middleware and ``GET /metrics``.

With ``PROMETHEUS_MULTIPROC_DIR`` set (the settings' ``prometheus_multiproc_dir``), every app
process and worker of a machine writes its figures into that shared directory and any one of them
answers ``/metrics`` with the sum of all of them (prometheus_client's multiprocess mode). Without
it, each process reports its own figures. Other packages report through three functions, cheap
enough for hot paths:

- :func:`intent_refused` — the sync push refused an intent (``rejected`` ack), by stable code;
- :func:`pending_reported` — a phone reported how many intents wait in its outbox (push field);
- :func:`push_outcome` — Web Push deliveries ended (``sent``, ``gone``, ``retry``...).

Access: with ``NOMADE_METRICS_TOKEN`` set, a scraper sends ``Authorization: Metrics <token>``;
without it, only direct loopback requests (no proxy headers) are answered. nginx never exposes
the path either way.
"""

from __future__ import annotations

import atexit
import hmac
import ipaddress
import os
import time
from collections.abc import Iterable, Mapping

from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import values as metric_values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from kernel import metrics_dir
from kernel.errors import DomainError
from kernel.settings import get_settings

__all__ = (
    "CONTENT_TYPE",
    "MetricsMiddleware",
    "exposition",
    "intent_refused",
    "metrics_endpoint",
    "pending_reported",
    "process_exiting",
    "push_outcome",
    "sample_value",
    "scrape_allowed",
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROC_DIR = get_settings().prometheus_multiproc_dir
if MULTIPROC_DIR is not None:  # before the first metric opens its file there
    metrics_dir.prepare(MULTIPROC_DIR)
else:  # an empty ``PROMETHEUS_MULTIPROC_DIR=`` would make prometheus_client write in the cwd
    metric_values.ValueClass = metric_values.MutexValue
# No ``*_created`` series: restarts show in the start-time gauge.
disable_created_metrics()  # type: ignore[no-untyped-call]
_OWN = CollectorRegistry()  # this process's metrics (what is scraped without the shared dir)

REQUEST_SECONDS = Histogram(
    "nomade_http_request_duration_seconds",
    "Time from request to response headers, by route template (push and pull included).",
    ("method", "route", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=_OWN,
)
IN_FLIGHT = Gauge(
    "nomade_http_requests_in_flight",
    "Requests being served now (open live streams included).",
    registry=_OWN,
    multiprocess_mode="livesum",
)
INTENTS_REFUSED = Counter(
    "nomade_sync_intents_refused_total",
    "Intents the server refused (rejected ack), by stable code.",
    ("code",),
    registry=_OWN,
)
PENDING_REPORTED = Histogram(
    "nomade_sync_client_pending_intents",
    "Intents waiting in a phone's outbox, as reported in its push requests.",
    buckets=(0, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000),
    registry=_OWN,
)
PENDING_AGE_REPORTED = Histogram(
    "nomade_sync_client_oldest_pending_seconds",
    "Age of the oldest intent in a phone's outbox, as reported in its push requests.",
    buckets=(1, 10, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400),
    registry=_OWN,
)
PUSH_OUTCOMES = Counter(
    "nomade_push_deliveries_total", "Web Push deliveries, by outcome.", ("status",), registry=_OWN
)
START_TIME = Gauge(
    "nomade_process_start_time_seconds",
    "Start time of the newest running process, seconds since the epoch.",
    registry=_OWN,
    multiprocess_mode="livemax",
)
START_TIME.set(time.time())
_QUEUE_DEPTH_HELP = "Jobs queued or running, per queue (with Redis: the same on every process)."


def intent_refused(code: str) -> None:
    """Count an intent refused by the sync push with the stable ``code``."""
    INTENTS_REFUSED.labels(code).inc()


def pending_reported(count: int, oldest_age_seconds: float | None = None) -> None:
    """Record the outbox a phone reported with its push (count, age of the oldest intent)."""
    PENDING_REPORTED.observe(max(0, count))
    if oldest_age_seconds is not None:
        PENDING_AGE_REPORTED.observe(max(0.0, oldest_age_seconds))


def push_outcome(status: str, count: int = 1) -> None:
    """Count ``count`` Web Push deliveries that ended with ``status`` (``sent``, ``gone``,
    ``retry``, ``too_large``, ``alert``, ``failed``, ``skipped``: see docs/operations.md)."""
    if count > 0:
        PUSH_OUTCOMES.labels(status).inc(count)


class _Figures:
    """What a scrape reports: this process's metrics, or every process's from the shared
    directory, plus the job queue depths read just before."""

    def __init__(self, depths: Mapping[str, int] | None = None) -> None:
        self._depths = depths

    def collect(self) -> Iterable[Metric]:
        if MULTIPROC_DIR is None:
            yield from _OWN.collect()
        else:
            metrics_dir.forget_dead_processes(MULTIPROC_DIR)
            shared = MultiProcessCollector(None, path=str(MULTIPROC_DIR))  # type: ignore[no-untyped-call]
            yield from shared.collect()  # type: ignore[no-untyped-call]
        if self._depths is not None:
            depth = GaugeMetricFamily(
                "nomade_job_queue_depth", _QUEUE_DEPTH_HELP, labels=("queue",)
            )
            for queue, count in self._depths.items():
                depth.add_metric((queue,), count)
            yield depth


def _registry(depths: Mapping[str, int] | None = None) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Figures(depths))
    return registry


async def _queue_depths() -> dict[str, int]:
    from kernel import jobs

    try:
        return await jobs.get_queue().depths()
    except Exception:  # a scrape reports what it can; -1 means unknown
        return dict.fromkeys(jobs.QUEUES, -1)


async def exposition() -> bytes:
    """The text exposition of the figures (every process's with the shared directory)."""
    return generate_latest(_registry(await _queue_depths()))


def sample_value(name: str, labels: Mapping[str, str] | None = None) -> float:
    """One sample as a scrape would report it (0 when absent), e.g.
    ``sample_value("nomade_sync_intents_refused_total", {"code": "STATE_CHANGED"})``."""
    value = _registry().get_sample_value(name, dict(labels or {}))
    return 0.0 if value is None else value


def process_exiting() -> None:
    """This process stops: its live gauges (requests in flight) leave the shared sum."""
    if MULTIPROC_DIR is not None:
        metrics_dir.mark_dead(MULTIPROC_DIR, os.getpid())


atexit.register(process_exiting)


def _status_of(exc: BaseException) -> int:
    status = getattr(exc, "status", None) or getattr(exc, "status_code", None)
    return int(status) if isinstance(status, int) else 500


class MetricsMiddleware:
    """Times every routed request until its response headers, labelled by route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        observed = False
        route = str(scope.get("path_template") or "unmatched")
        method = str(scope.get("method", "GET"))

        def observe(status: int) -> None:
            nonlocal observed
            if not observed:
                observed = True
                REQUEST_SECONDS.labels(method, route, f"{status // 100}xx").observe(
                    time.perf_counter() - started
                )

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                observe(int(message["status"]))
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, timed_send)
        except BaseException as exc:
            observe(_status_of(exc))
            raise
        finally:
            IN_FLIGHT.dec()


_LOOPBACK_PROXY_HEADERS = (b"x-forwarded-for", b"x-real-ip", b"forwarded")


def scrape_allowed(*, token: str, authorization: str, client_host: str, proxied: bool) -> bool:
    """Who may read metrics: with a token set, a caller sending ``Authorization: Metrics
    <token>`` (any address); without one, a direct loopback caller (no proxy headers)."""
    if token:
        scheme, _sep, value = authorization.partition(" ")
        return scheme.lower() == "metrics" and hmac.compare_digest(value.strip(), token)
    try:
        loopback = ipaddress.ip_address(client_host).is_loopback
    except ValueError:
        loopback = False
    return loopback and not proxied


async def metrics_access(connection: ASGIConnection, handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    """Guard of ``GET /metrics`` (see :func:`scrape_allowed`)."""
    token = get_settings().metrics_token
    client = connection.scope.get("client")
    proxied = any(name in _LOOPBACK_PROXY_HEADERS for name, _value in connection.scope["headers"])
    if not scrape_allowed(
        token=token,
        authorization=connection.headers.get("authorization", ""),
        client_host=client[0] if client else "",
        proxied=proxied,
    ):
        raise DomainError(
            "FORBIDDEN", {"reason": "metrics_token" if token else "metrics_loopback_only"}
        )


@get(
    "/metrics",
    operation_id="metrics",
    tags=["operations"],
    guards=[metrics_access],
    opt={"public": True},
    include_in_schema=False,
)
async def metrics_endpoint() -> Response[bytes]:
    """Prometheus text exposition (this machine's processes, or this process's alone)."""
    return Response(await exposition(), media_type=CONTENT_TYPE)
