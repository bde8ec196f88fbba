"""Settings: safe defaults in development, refusal to start with a default secret elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from kernel.settings import DEV_SECRET, InsecureSettingsError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_development_runs_with_defaults_on_sqlite() -> None:
    settings = load_settings({})
    assert settings.is_development
    assert not settings.uses_postgres
    assert settings.sqlite_path.name.endswith(".sqlite3")


@pytest.mark.parametrize("secret", ["", DEV_SECRET, "short"])
def test_production_refuses_default_or_weak_secret(secret: str) -> None:
    with pytest.raises(InsecureSettingsError):
        load_settings({"NOMADE_ENV": "production", "NOMADE_SECRET_KEY": secret})


def test_database_and_redis_urls_switch_backends() -> None:
    settings = load_settings({
        "NOMADE_ENV": "production",
        "NOMADE_SECRET_KEY": "s" * 40,
        "DATABASE_URL": "postgresql://nomade@db/nomade",
        "REDIS_URL": "redis://cache:6379/0",
        "NOMADE_PORT": "9001",
    })
    assert settings.uses_postgres
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.port == 9001


def test_every_setting_is_documented_in_env_example() -> None:
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    for field in msgspec.structs.fields(Settings):
        key = field.name.upper()
        unprefixed = {"DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR"}
        name = key if key in unprefixed else f"NOMADE_{key}"
        if key == "ENVIRONMENT":
            name = "NOMADE_ENV"
        assert name in documented, f"{name} missing from .env.example"
