"""Fixtures for the accounts tests: HTTP clients each at its own network address."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from tests.integration.accounts.helpers import UA, random_address

MakeClient = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def peer(app, client) -> AsyncIterator[MakeClient]:  # type: ignore[no-untyped-def]
    """Makes HTTP clients on the app, each from its own client address (random by default).

    Depends on ``client`` so that the app's lifespan is running.
    """
    made: list[httpx.AsyncClient] = []

    async def make(address: str | None = None) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address or random_address(), 40123))
        made_client = httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1:8000", headers={"User-Agent": UA}
        )
        made.append(made_client)
        return made_client

    yield make
    for made_client in made:
        await made_client.aclose()


@pytest.fixture
async def api(peer: MakeClient) -> httpx.AsyncClient:
    """A client from a fresh random address."""
    return await peer()
