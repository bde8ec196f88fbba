"""The demo (accounts with a published password) is refused in production."""

from __future__ import annotations

import pytest

from backend.seed import DemoRefusedError, check_demo_allowed
from kernel.settings import load_settings


def test_demo_refused_in_production() -> None:
    production = load_settings({"NOMADE_ENV": "production", "NOMADE_SECRET_KEY": "k" * 48})
    with pytest.raises(DemoRefusedError, match="production"):
        check_demo_allowed(production)


def test_demo_allowed_in_development() -> None:
    check_demo_allowed(load_settings({}))
