"""Helpers for the accounts tests: signing in through the API."""

from __future__ import annotations

import random
from typing import Any

import httpx

from tests.factories import PASSWORD

UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Nomade-test"


def random_address() -> str:
    """A client address no other test uses (in practice)."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


async def sign_in(api: httpx.AsyncClient, email: str, password: str = PASSWORD,
                  **extra: Any) -> dict[str, Any]:
    """Log in through the API and return the session (fails the test otherwise)."""
    response = await api.post(
        "/api/v1/auth/login", json={"email": email, "password": password, **extra}
    )
    assert response.status_code == 200, response.text
    session: dict[str, Any] = response.json()
    return session


def bearer(session: dict[str, Any]) -> dict[str, str]:
    """The Authorization header of a session."""
    return {"Authorization": f"Bearer {session['access_token']}"}
