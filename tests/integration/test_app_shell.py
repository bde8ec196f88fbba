"""The built phone app is served by the backend: the shell for client routes, the service worker."""

from __future__ import annotations

from typing import Any

import pytest

from kernel.settings import get_settings


@pytest.fixture(autouse=True)
def built_app() -> None:
    if not (get_settings().pwa_dist / "index.html").is_file():
        pytest.fail("pwa/dist is not built: the test command builds it (infra/setup.sh)")


async def test_client_routes_get_the_app_shell_once_typed(client: Any) -> None:
    for path in ("/", "/missions/123", "/invoices"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/html; charset=utf-8", path
        assert response.headers["cache-control"] == "no-cache"
        assert b"<html" in response.content.lower()


async def test_service_worker_may_control_the_whole_app(client: Any) -> None:
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["content-type"].startswith("text/javascript")


async def test_unknown_api_paths_are_not_the_app_shell(client: Any) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
