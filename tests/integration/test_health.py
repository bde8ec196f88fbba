"""Probes and the error shape, as an operator and a phone see them."""

from __future__ import annotations


async def test_health_and_ready_answer(client) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get("/health")).json() == {"status": "ok", "checks": {}}
    ready = await client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["database"] == "ok"


async def test_unknown_api_route_is_a_coded_bilingual_error(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "NOT_FOUND"
    assert body["message"]["fr"] and body["message"]["en"]
    assert response.headers["x-request-id"]


async def test_forged_token_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/health", headers={"Authorization": "Bearer abc.def"})
    assert response.status_code == 401
    assert response.json()["code"] == "AUTH_REQUIRED"


async def test_openapi_is_served(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Nomade"
