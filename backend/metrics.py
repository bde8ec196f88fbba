"""Prometheus metrics: a small registry, the request-timing middleware and ``GET /metrics``.

Each process keeps its own figures (scrape every app process: Prometheus adds the ``instance``
label). Other packages report through three functions, cheap enough for hot paths:

- :func:`intent_refused` — the sync push refused an intent (``rejected`` ack), by stable code;
- :func:`pending_reported` — a phone reported how many intents wait in its outbox (push field);
- :func:`push_outcome` — Web Push deliveries ended (``sent``, ``gone``, ``retry``...).

Access: with ``NOMADE_METRICS_TOKEN`` set, a scraper sends ``Authorization: Metrics <token>``;
without it, only direct loopback requests (no proxy headers) are answered. nginx never exposes
the path either way.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import threading
import time
from collections.abc import Awaitable, Callable, Iterable

from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.errors import DomainError
from backend.settings import get_settings

__all__ = (
    "REGISTRY",
    "Counter",
    "Gauge",
    "Histogram",
    "MetricsMiddleware",
    "Registry",
    "intent_refused",
    "metrics_endpoint",
    "pending_reported",
    "push_outcome",
    "scrape_allowed",
)

LabelValues = tuple[str, ...]
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _format_value(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _labels(names: Iterable[str], values: Iterable[str], extra: str = "") -> str:
    parts = [f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


class _Metric:
    kind = ""

    def __init__(self, name: str, help_text: str, labelnames: tuple[str, ...] = ()) -> None:
        self.name, self.help, self.labelnames = name, help_text, labelnames
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> LabelValues:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes labels {self.labelnames}, got {tuple(labels)}")
        return tuple(str(labels[n]) for n in self.labelnames)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]

    def samples(self) -> list[str]:
        raise NotImplementedError


class Counter(_Metric):
    """A value that only goes up."""

    kind = "counter"

    def __init__(self, name: str, help_text: str, labelnames: tuple[str, ...] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self._values: dict[LabelValues, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(self.labelnames, k)} {_format_value(v)}" for k, v in items]


class Gauge(_Metric):
    """A value that goes up and down (set directly, or read at scrape time)."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, labelnames: tuple[str, ...] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self._values: dict[LabelValues, float] = {}

    def set(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = float(value)

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def dec(self, amount: float = 1.0, **labels: str) -> None:
        self.inc(-amount, **labels)

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(self.labelnames, k)} {_format_value(v)}" for k, v in items]


class Histogram(_Metric):
    """Observations counted in cumulative buckets, with their sum and count."""

    kind = "histogram"

    def __init__(self, name: str, help_text: str, labelnames: tuple[str, ...] = (),
                 buckets: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                                               2.5, 5.0, 10.0)) -> None:
        super().__init__(name, help_text, labelnames)
        self.buckets = tuple(sorted(buckets))
        self._series: dict[LabelValues, list[float]] = {}  # bucket counts..., sum, count

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = [0.0] * (len(self.buckets) + 2)
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    series[i] += 1
            series[-2] += value
            series[-1] += 1

    def count(self, **labels: str) -> float:
        series = self._series.get(self._key(labels))
        return series[-1] if series else 0.0

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted((k, list(v)) for k, v in self._series.items())
        lines: list[str] = []
        for key, series in items:
            for bound, count in zip(self.buckets, series, strict=False):
                le = f'le="{_format_value(bound)}"'
                lines.append(f"{self.name}_bucket{_labels(self.labelnames, key, le)} "
                             f"{_format_value(count)}")
            inf = _labels(self.labelnames, key, 'le="+Inf"')
            lines.append(f"{self.name}_bucket{inf} {_format_value(series[-1])}")
            lines.append(f"{self.name}_sum{_labels(self.labelnames, key)} "
                         f"{_format_value(series[-2])}")
            lines.append(f"{self.name}_count{_labels(self.labelnames, key)} "
                         f"{_format_value(series[-1])}")
        return lines


Collector = Callable[[], Awaitable[None]]


class Registry:
    """The metrics of this process, rendered in Prometheus' text exposition format."""

    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}
        self._collectors: list[Collector] = []

    def register(self, metric: _Metric) -> _Metric:
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name} registered twice")
        self._metrics[metric.name] = metric
        return metric

    def counter(self, name: str, help_text: str, labelnames: tuple[str, ...] = ()) -> Counter:
        metric = Counter(name, help_text, labelnames)
        self.register(metric)
        return metric

    def gauge(self, name: str, help_text: str, labelnames: tuple[str, ...] = ()) -> Gauge:
        metric = Gauge(name, help_text, labelnames)
        self.register(metric)
        return metric

    def histogram(self, name: str, help_text: str, labelnames: tuple[str, ...] = (),
                  buckets: tuple[float, ...] | None = None) -> Histogram:
        metric = (Histogram(name, help_text, labelnames, buckets) if buckets
                  else Histogram(name, help_text, labelnames))
        self.register(metric)
        return metric

    def on_collect(self, collector: Collector) -> None:
        """Run ``collector`` before each scrape (for values read from elsewhere)."""
        self._collectors.append(collector)

    async def render(self) -> str:
        for collector in self._collectors:
            await collector()
        lines: list[str] = []
        for metric in self._metrics.values():
            lines += metric.header()
            lines += metric.samples()
        return "\n".join(lines) + "\n"


REGISTRY = Registry()
_started = time.time()

REQUEST_SECONDS = REGISTRY.histogram(
    "nomade_http_request_duration_seconds",
    "Time from request to response headers, by route template (push and pull included).",
    ("method", "route", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IN_FLIGHT = REGISTRY.gauge("nomade_http_requests_in_flight",
                           "Requests being served now (open live streams included).")
INTENTS_REFUSED = REGISTRY.counter("nomade_sync_intents_refused_total",
                                   "Intents the server refused (rejected ack), by stable code.",
                                   ("code",))
PENDING_REPORTED = REGISTRY.histogram(
    "nomade_sync_client_pending_intents",
    "Intents waiting in a phone's outbox, as reported in its push requests.",
    buckets=(0, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000),
)
PENDING_AGE_REPORTED = REGISTRY.histogram(
    "nomade_sync_client_oldest_pending_seconds",
    "Age of the oldest intent in a phone's outbox, as reported in its push requests.",
    buckets=(1, 10, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400),
)
PUSH_OUTCOMES = REGISTRY.counter("nomade_push_deliveries_total",
                                 "Web Push deliveries, by outcome.", ("status",))
JOB_QUEUE_DEPTH = REGISTRY.gauge(
    "nomade_job_queue_depth", "Jobs queued or running, per queue (with Redis: the same on every "
    "process).", ("queue",)
)
START_TIME = REGISTRY.gauge("nomade_process_start_time_seconds",
                            "Start time of this process, seconds since the epoch.")
START_TIME.set(_started)


def intent_refused(code: str) -> None:
    """Count an intent refused by the sync push with the stable ``code``."""
    INTENTS_REFUSED.inc(code=code)


def pending_reported(count: int, oldest_age_seconds: float | None = None) -> None:
    """Record the outbox a phone reported with its push (count, age of the oldest intent)."""
    PENDING_REPORTED.observe(max(0, count))
    if oldest_age_seconds is not None:
        PENDING_AGE_REPORTED.observe(max(0.0, oldest_age_seconds))


def push_outcome(status: str, count: int = 1) -> None:
    """Count ``count`` Web Push deliveries that ended with ``status`` (``sent``, ``gone``,
    ``retry``, ``too_large``, ``alert``, ``failed``, ``skipped``: see docs/operations.md)."""
    if count > 0:
        PUSH_OUTCOMES.inc(count, status=status)


async def _collect_job_queue_depth() -> None:
    from backend import jobs

    try:
        depths = await jobs.get_queue().depths()
    except Exception:  # a scrape reports what it can; -1 means unknown
        depths = dict.fromkeys(jobs.QUEUES, -1)
    for queue, depth in depths.items():
        JOB_QUEUE_DEPTH.set(depth, queue=queue)


REGISTRY.on_collect(_collect_job_queue_depth)


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
                REQUEST_SECONDS.observe(time.perf_counter() - started, method=method,
                                        route=route, status=f"{status // 100}xx")

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
    if not scrape_allowed(token=token, authorization=connection.headers.get("authorization", ""),
                          client_host=client[0] if client else "", proxied=proxied):
        raise DomainError("FORBIDDEN", {"reason": "metrics_token" if token
                                        else "metrics_loopback_only"})


@get("/metrics", operation_id="metrics", tags=["operations"], guards=[metrics_access],
     opt={"public": True}, include_in_schema=False)
async def metrics_endpoint() -> Response[str]:
    """Prometheus text exposition of this process's metrics."""
    return Response(await REGISTRY.render(), media_type=CONTENT_TYPE)
