"""Security headers on every answer, API docs off in production, deactivation at once, and
rejected tokens answered and logged as 401 (issue #15 item 9)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import msgspec
import pytest

from backend.accounts.sessions import deactivate_user
from backend.accounts.tables import User
from kernel.settings import get_settings
from tests.factories import PASSWORD, make_org

HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy",
           "x-frame-options", "permissions-policy")


async def test_every_answer_carries_the_security_headers(client: Any) -> None:
    org = await make_org()
    answers = [
        await client.get("/"),  # the app shell
        await client.get("/sw.js"),
        await client.get("/manifest.webmanifest"),
        await client.get("/health"),
        await client.get("/api/v1/me"),  # 401
        await client.get("/api/v1/me", headers=org.people["agent_a"].headers),
        await client.get("/api/v1/nothing-here"),
        await client.post("/api/v1/auth/login", content=b"{", headers={
            "content-type": "application/json"}),
    ]
    for response in answers:
        missing = [name for name in HEADERS if name not in response.headers]
        assert not missing, (response.request.url, response.status_code, missing)
        assert response.headers["x-content-type-options"] == "nosniff"
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
        assert "unsafe-eval" not in policy


def _app(**changes: Any) -> Any:
    from backend.app import create_app

    return create_app(msgspec.structs.replace(get_settings(), **changes))


@pytest.mark.parametrize(("changes", "served"), [
    ({"environment": "production"}, False),
    ({"environment": "production", "api_docs": True}, True),
    ({"environment": "test"}, True),
    ({"environment": "test", "api_docs": False}, False),
])
async def test_api_docs_are_off_in_production_unless_enabled(changes: dict[str, Any],
                                                             served: bool) -> None:
    transport = httpx.ASGITransport(app=_app(**changes))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as api:
        for path in ("/schema", "/schema/swagger", "/schema/openapi.json"):
            response = await api.get(path)
            assert (response.status_code == 200) is served, (path, response.status_code)
            if not served:
                assert response.status_code == 404


async def test_a_deactivated_user_is_refused_at_once(client: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    org = await make_org()
    agent, colleague = org.people["agent_a"], org.people["agent_b"]
    session = (await client.post("/api/v1/auth/login", json={
        "email": agent.email, "password": PASSWORD})).json()
    headers = {"Authorization": f"Bearer {session['access_token']}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    await deactivate_user(agent.user_id)
    for who in (headers, agent.headers):  # both devices, the token still has minutes to run
        refused = await client.get("/api/v1/me", headers=who)
        assert refused.status_code == 401 and refused.json()["code"] == "TOKEN_EXPIRED"
    # deactivated by hand in the database: refused by the next check too
    no_memory = msgspec.structs.replace(get_settings(), device_check_seconds=0)
    monkeypatch.setattr("backend.accounts.device_check.get_settings", lambda: no_memory)
    assert (await client.get("/api/v1/me", headers=colleague.headers)).status_code == 200
    await User.update({User.is_active: False}).where(User.id == colleague.user_id)
    assert (await client.get("/api/v1/me", headers=colleague.headers)).status_code == 401


async def test_rejected_tokens_are_answered_and_logged_as_401(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nomade.access")
    for token in ("garbage", "a.b.c", "x" * 5000, "eyJhbGciOiJub25lIn0.e30."):
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and response.json()["code"] in {
            "AUTH_REQUIRED", "TOKEN_EXPIRED"}
        assert "content-security-policy" in response.headers
    statuses = [getattr(record, "status", None) for record in caplog.records
                if record.name == "nomade.access" and getattr(record, "path", "") == "/api/v1/me"]
    assert statuses and set(statuses) == {401}, statuses
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
