"""The composition root: one ``create_app()`` builds Nomade's Litestar application."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from litestar import Litestar, MediaType, Request, Response
from litestar.channels import ChannelsPlugin
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

from backend.accounts.device_check import start_revocation_listener
from backend.accounts.middleware import AuthMiddleware
from backend.composition import PERIODIC_JOBS, bootstrap, route_handlers
from kernel import jobs, lifecycle, schedule
from kernel.db import is_transient_database_error, prepare_engine
from kernel.errors import CATALOGUE, DomainError, JsonValue, error_body
from kernel.live import make_channels
from kernel.logs import RequestIdMiddleware, configure_logging, ensure_request_id
from kernel.metrics import MetricsMiddleware, process_exiting
from kernel.requests import NomadeRequest
from kernel.security_headers import add_security_headers
from kernel.settings import Settings, get_settings
from kernel.static import SKIP_COMPRESSION, static_handlers
from kernel.unit_of_work import start_outbox_sweeper, stop_outbox_sweeper
from notifications.jobs import start_push, stop_push
from sync.live import make_poke
from sync.pokes import set_poke_publisher

__all__ = ("create_app",)

log = logging.getLogger("nomade.app")

_STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "AUTH_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}


def _respond(
    code: str,
    status: int,
    details: Mapping[str, JsonValue] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[object]:
    return Response(
        error_body(code, details),
        status_code=status,
        media_type=MediaType.JSON,
        headers=headers or {},
    )


def _on_domain_error(_: Request, exc: DomainError) -> Response[object]:  # type: ignore[type-arg]
    return _respond(exc.code, exc.status, exc.details, exc.headers)


def _on_http_error(_: Request, exc: HTTPException) -> Response[object]:  # type: ignore[type-arg]
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        return _respond("VALIDATION_FAILED", 400, {"errors": extra, "detail": exc.detail})
    code = _STATUS_CODES.get(
        exc.status_code, "BAD_REQUEST" if exc.status_code < 500 else "INTERNAL_ERROR"
    )
    return _respond(
        code,
        exc.status_code if code != "INTERNAL_ERROR" else 500,
        {"detail": exc.detail} if exc.status_code < 500 else {},
        exc.headers,
    )


def _on_unexpected(request: Request, exc: Exception) -> Response[object]:  # type: ignore[type-arg]
    if _is_unstorable_text(exc):  # e.g. a NUL in a query parameter, on PostgreSQL
        return _respond("VALIDATION_FAILED", 400, {"detail": "text the database cannot store"})
    if is_transient_database_error(exc):
        log.warning("database unavailable", extra={"path": request.url.path})
        return _respond("SERVICE_UNAVAILABLE", 503, {}, {"Retry-After": "2"})
    log.exception("unexpected error", extra={"path": request.url.path})
    return _respond("INTERNAL_ERROR", 500)


def _error_names(exc: BaseException) -> set[str]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return {cls.__name__ for error in chain for cls in type(error).__mro__}


def _is_unstorable_text(exc: BaseException) -> bool:
    """Whether PostgreSQL refused a text value (NUL, invalid encoding): the client's input."""
    return bool(_error_names(exc) & {"CharacterNotInRepertoireError",
                                     "UntranslatableCharacterError"})


def _make_lifespan(settings: Settings):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = engine_finder()
        # Tests run a second app in the same process (a simulated restart): what one lifespan
        # finds in place it leaves in place, what it creates it takes down.
        owns_pool = isinstance(engine, PostgresEngine) and engine.pool is None
        if engine is not None:
            await prepare_engine(engine)
        previous_queue = jobs.current_queue()
        queue: jobs.JobQueue = (
            jobs.RedisQueue(settings.redis_url) if settings.redis_url
            else jobs.InProcessQueue(jobs.queue_concurrency(settings))
        )
        await queue.start()
        jobs.set_queue(queue)
        # Jobs that change synced rows (OCR readings) poke the phones through this app's channels.
        previous_poke = set_poke_publisher(make_poke(app.plugins.get(ChannelsPlugin)))
        # Push: the VAPID key must load; embedded mode sweeps the outbox here (tests drive it).
        embedded_jobs = not settings.redis_url and settings.environment != "test"
        await start_push(sweep=embedded_jobs)
        if embedded_jobs:  # the worker sweeps the outbox when there is one
            start_outbox_sweeper()
        revocations = start_revocation_listener()
        if settings.environment != "test":  # tests drive housekeeping jobs themselves
            schedule.start_schedule(PERIODIC_JOBS)
        lifecycle.reset()  # a (re)starting app is not shutting down
        lifecycle.shutdown_event()  # bound to this loop, so a signal can set it
        restore_signals = lifecycle.watch_signals()
        _freeze_startup_heap()
        try:
            yield
        finally:
            # Not begin_shutdown() here: the process may hold other apps (tests restart
            # servers in-process); shutdown is signalled by SIGTERM/SIGINT only.
            restore_signals()
            await schedule.stop_schedule()
            await stop_outbox_sweeper()
            await stop_push()
            if revocations is not None:
                await revocations.stop()
            await queue.stop()
            jobs.set_queue(previous_queue)
            set_poke_publisher(previous_poke)
            if owns_pool and isinstance(engine, PostgresEngine):
                await engine.close_connection_pool()
            if lifecycle.is_shutting_down():  # the process ends (not a restart inside tests)
                process_exiting()

    return lifespan


_heap_frozen = False


def _freeze_startup_heap() -> None:
    """Once per process, at the first start-up: move what exists now (modules, routes, tables,
    caches — alive as long as the process) out of the garbage collector's walks. A request
    that builds many objects (a first pull of 10,000 rows) then triggers full collections
    that walk only its own objects: without this they took half of such a pull's time."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


def _compression() -> CompressionConfig:
    """JSON answers of 1 KiB or more gzip-compressed for clients that accept it (pull pages,
    lists). Not the live pokes (a stream must not wait on a compressor), nor receipt images
    and blobs (already compressed), nor the phone app's files (precompressed at build time)."""
    return CompressionConfig(
        backend="gzip",
        minimum_size=1024,
        gzip_compress_level=5,  # nearly level 9's ratio on pull pages at a fraction of its CPU
        exclude=["^/sync/v1/events$", "^/sync/v1/blobs", "^/api/v1/expense-lines/.+/receipts/",
                 r"^/api/v1/(missions|claims)/.+\.pdf$"],  # PDFs carry JPEG receipts
        exclude_opt_key=SKIP_COMPRESSION,
    )


def _openapi_config() -> OpenAPIConfig:
    """The OpenAPI document and its viewers under /schema (off in production unless
    ``NOMADE_API_DOCS`` enables them)."""
    return OpenAPIConfig(
        title="Nomade",
        version="1.0.0",
        description=(
            "Missions, expense claims, service done and supplier invoices, offline-first."
        ),
        path="/schema",
        render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer"),
                "apiKey": SecurityScheme(
                    type="apiKey", name="X-Api-Key", security_scheme_in="header"
                ),
            }
        ),
        security=[{"bearer": []}],
    )


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the application from the settings (the cached environment settings by default)."""
    settings = settings or get_settings()
    settings.check_secure()
    configure_logging(settings.log_level, as_json=settings.log_json)
    assert set(_STATUS_CODES.values()) <= set(CATALOGUE)
    bootstrap()  # the same registries as `nomade worker` builds
    return Litestar(
        route_handlers=[*route_handlers(), *static_handlers(settings)],
        request_class=NomadeRequest,
        plugins=[make_channels(settings)],
        middleware=[MetricsMiddleware, RequestIdMiddleware, DefineMiddleware(AuthMiddleware)],
        before_send=[ensure_request_id, add_security_headers],
        exception_handlers={
            DomainError: _on_domain_error,
            HTTPException: _on_http_error,
            Exception: _on_unexpected,
        },
        lifespan=[_make_lifespan(settings)],
        openapi_config=_openapi_config() if settings.api_docs_enabled else None,
        compression_config=_compression(),
        cors_config=CORSConfig(allow_origins=[settings.public_base_url])
        if settings.is_development
        else None,
        request_max_body_size=settings.blob_max_bytes + 1024 * 1024,
        debug=False,
        logging_config=None,  # kernel.logs owns logging (JSON lines with request ids)
    )
