"""Push end to end in a real browser: a mission submitted by an agent goes through the production
sender to the local fake push service, which verifies and decrypts it; the plaintext is handed to
the app's real service worker (CDP ``ServiceWorker.deliverPushMessage``), which shows the
manager a notification offering Approve and Refuse."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.browser.conftest import (
    RunningApp,
    api_login,
    deliver_push,
    watch_service_worker,
)
from tests.pushservice import FakePushService

pytestmark = [pytest.mark.browser, pytest.mark.slow]


async def _intent(client: httpx.AsyncClient, headers: dict[str, str], seq: int, name: str,
                  args: dict[str, Any], client_id: str) -> None:
    body = {"client_id": client_id, "schema_version": 1, "mutations": [{
        "seq": seq, "id": str(uuid.uuid4()), "name": name, "v": 1, "args": args,
        "client_time": datetime.now(UTC).isoformat()}]}
    response = await client.post("/sync/v1/push", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["acks"][0]["status"] == "applied", response.text


async def test_approval_request_is_shown_by_the_real_service_worker(
        phone, running_app: RunningApp) -> None:  # type: ignore[no-untyped-def]
    with FakePushService() as push_service:
        async with httpx.AsyncClient(base_url=running_app.base_url, timeout=20) as api:
            manager = await api_login(api, running_app, "manager_a")
            agent = await api_login(api, running_app, "agent_a")
            device = push_service.new_subscription()
            response = await api.post("/api/v1/push/subscriptions", headers=manager,
                                      json={**device.info, "user_agent": "chromium test"})
            assert response.status_code == 200, response.text

            await phone.grant_permissions(["notifications"], origin=running_app.base_url)
            page = await phone.new_page()
            registrations = await watch_service_worker(phone, page)
            await page.goto("/")
            await page.wait_for_function("navigator.serviceWorker.controller !== null",
                                         timeout=20_000)

            mission_id, client_id = str(uuid.uuid4()), str(uuid.uuid4())
            expiry = (datetime.now(UTC) + timedelta(hours=4)).replace(microsecond=0)
            await _intent(api, agent, 1, "mission.create", {
                "id": mission_id, "purpose": "Audit", "destination": "Lille",
                "starts_on": "2026-12-01", "ends_on": "2026-12-02", "transport": "train",
                "estimated_cost_cents": 7400,
                "bookings": [{"label": "Paris–Lille", "fare_cents": 7400,
                              "expires_at": expiry.isoformat()}]}, client_id)
            await _intent(api, agent, 2, "mission.submit",
                          {"id": mission_id, "expected_state": "draft"}, client_id)

        [message] = await push_service.wait_for_async(device, 1, timeout=30)
        assert message.urgency == "high"
        assert registrations, "the app registered its service worker"
        shown = await deliver_push(page, running_app.base_url, registrations[-1], message.plaintext)
        assert shown, "the service worker showed the push"
        assert shown[0]["title"] == "À valider : Audit — Lille"
        assert shown[0]["actions"] == ["approve", "refuse"]
        assert shown[0]["data"]["decision"]["id"] == mission_id
        assert shown[0]["data"]["url"] == f"/missions/{mission_id}"
