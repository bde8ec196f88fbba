"""Fixtures of the administration tests."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest


@pytest.fixture
async def anon(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A newcomer's client from its own address (the public routes count per address)."""
    address = f"10.{random.randint(10, 250)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    transport = httpx.ASGITransport(app=app, client=(address, 40124))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        yield client
