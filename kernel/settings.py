"""Typed settings, read once from the environment.

This is the only module that reads ``os.environ``. Every setting is documented in
``.env.example``. Outside development, a missing or default secret refuses to start.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

import msgspec

__all__ = ("DEV_SECRET", "InsecureSettingsError", "Settings", "get_settings", "reset_settings")

Environment = Literal["development", "test", "production"]
DEV_SECRET = "dev-only-insecure-secret-change-me"  # noqa: S105 - refused outside development


class InsecureSettingsError(RuntimeError):
    """Raised when the settings are unsafe for the chosen environment."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """All of Nomade's configuration, grouped by concern."""

    environment: Environment = "development"
    secret_key: str = DEV_SECRET
    database_url: str = ""
    redis_url: str = ""
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True
    access_token_minutes: int = 15
    # How long a process may remember that a device is signed in (with Redis only; revocations
    # through Nomade are broadcast and honoured at once; see backend/accounts/device_check.py).
    device_check_seconds: float = 30.0
    refresh_token_days: int = 30
    login_attempts_per_15min: int = 10
    pin_attempts_per_15min: int = 10
    # X-Forwarded-For is believed only from these proxies (comma-separated addresses or
    # networks; empty: never). Loopback by default: the shipped nginx runs beside the app.
    trusted_proxies: str = "127.0.0.1/32,::1/128"
    # false: ignore X-Forwarded-For whoever sends it (the app faces phones directly).
    trust_forwarded_for: bool = True
    integration_api_keys: str = ""
    vapid_subject: str = "mailto:ops@nomade.invalid"
    vapid_private_key_file: Path | None = None
    # Push endpoints (notifications/endpoints.py): push services besides the browsers' own
    # ("host[:port]", "*.domain", ":*" any port), non-public networks they may resolve to
    # (CIDR), subscriptions a person may hold, and "send me a test" pushes per 10 minutes.
    push_allowed_hosts: str = ""
    push_allowed_networks: str = ""
    push_subscriptions_per_user: int = 10
    push_tests_per_10min: int = 3
    public_base_url: str = "http://127.0.0.1:8000"
    blob_max_bytes: int = 25 * 1024 * 1024
    blob_storage: Literal["filesystem", "s3"] = "filesystem"
    s3_endpoint_url: str = ""
    s3_bucket: str = "nomade-blobs"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_region: str = "us-east-1"
    ocr_time_limit_seconds: float = 20.0
    #: Receipt text engine: ``tesseract``, ``rapidocr`` or ``cascade`` (RapidOCR only when
    #: Tesseract's reading is not auto-accepted; see ``ocr.pipeline``).
    ocr_engine: Literal["tesseract", "rapidocr", "cascade"] = "cascade"
    metrics_token: str = ""
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = 0
    # PROMETHEUS_MULTIPROC_DIR (prometheus_client's own name, unprefixed): a directory shared by
    # the app processes and workers of one machine, so each one's GET /metrics reports the sum of
    # all of them. None: every process reports only its own figures.
    prometheus_multiproc_dir: Path | None = None
    shutdown_grace_seconds: float = 20.0
    # Jobs run at once per process, per queue (kernel/jobs.py): short jobs (push delivery,
    # housekeeping) and receipt readings (CPU-bound; one OCR process per worker reads one at a
    # time, a second job fetches its receipt or stores its reading meanwhile).
    job_concurrency: int = 4
    ocr_job_concurrency: int = 2
    pwa_dist: Path = Path("pwa/dist")
    # The OpenAPI document and interactive docs under /schema: None → on except in production.
    api_docs: bool | None = None
    # Live-event streams (SSE) one process holds for one user, and in all.
    live_streams_per_user: int = 8
    live_streams_per_process: int = 1000
    # Receipt renditions (thumbnails): each in a separate process, killed past this time;
    # a request waits this long for a free rendering process, then gets 503 + Retry-After.
    rendition_time_limit_seconds: float = 20.0
    rendition_wait_seconds: float = 5.0

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def api_docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file used when ``DATABASE_URL`` is empty or ``sqlite:///path``."""
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.data_dir / "nomade.sqlite3"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    def check_secure(self) -> None:
        """Refuse unsafe secrets outside development."""
        if self.is_development:
            return
        if not self.secret_key or self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
            raise InsecureSettingsError(
                "NOMADE_SECRET_KEY must be set to a random value of at least 32 characters "
                f"when NOMADE_ENV={self.environment}"
            )


_UNPREFIXED = frozenset({"DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR"})
_OPTIONAL_SWITCHES = frozenset({"api_docs"})  # empty: the environment decides


#: What a setting's environment text becomes (its default's type says which).
Setting = bool | int | float | Path | str | None


def _coerce(name: str, raw: str, default: object) -> Setting:
    if name in _OPTIONAL_SWITCHES:
        return raw.strip().lower() in {"1", "true", "yes", "on"} if raw.strip() else None
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, Path) or name.endswith(("_dir", "_file", "_dist")):
        return Path(raw) if raw else None
    return raw


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from ``NOMADE_*`` variables (plus ``DATABASE_URL``, ``REDIS_URL`` and
    ``PROMETHEUS_MULTIPROC_DIR``)."""
    env = dict(os.environ if environ is None else environ)
    values: dict[str, Setting] = {}
    defaults = Settings()
    for field in msgspec.structs.fields(Settings):
        key = field.name.upper()
        raw = env.get(key) if key in _UNPREFIXED else None
        if raw is None:
            raw = env.get(f"NOMADE_{key}")
        if key == "ENVIRONMENT" and raw is None:
            raw = env.get("NOMADE_ENV")
        if raw is None:
            continue
        values[field.name] = _coerce(field.name, raw, getattr(defaults, field.name))
    settings = msgspec.convert(values, Settings, strict=False)
    settings.check_secure()
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached)."""
    return load_settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()
