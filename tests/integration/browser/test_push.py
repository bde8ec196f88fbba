"""Push end to end in a real browser: a mission submitted by an agent goes through the production
sender to the local fake push service, which verifies and decrypts it; the plaintext is handed to
the app's real service worker (CDP ``ServiceWorker.deliverPushMessage``), which shows the
manager a notification offering Approve and Refuse. Tapping Approve with the app closed and the
phone offline queues the decision, which reaches the server once the phone is back online."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.browser.conftest import (
    GO_TO,
    PHONE,
    RunningApp,
    api_login,
    deliver_push,
    screenshot_path,
    sign_in,
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
            # A French device: the account's language is whatever another journey left.
            response = await api.post("/api/v1/push/subscriptions", headers=manager,
                                      json={**device.info, "user_agent": "chromium test",
                                            "language": "fr"})
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
        assert shown[0]["data"]["url"] == f"/approvals/mission/{mission_id}"


PUSH_MANAGER_STUB = """(() => {
  const info = __SUBSCRIPTION__;
  let current = null;
  const keyBytes = (key) => {
    if (typeof key !== 'string') return new Uint8Array(key).buffer;
    const b64 = key.replace(/-/g, '+').replace(/_/g, '/');
    const raw = atob(b64 + '='.repeat((4 - b64.length % 4) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
  PushManager.prototype.subscribe = async function (options) {
    const applicationServerKey = keyBytes(options.applicationServerKey);
    current = {
      endpoint: info.endpoint, expirationTime: null,
      options: { userVisibleOnly: true, applicationServerKey },
      toJSON: () => info,
      unsubscribe: async () => { current = null; return true; },
    };
    return current;
  };
})();"""
"""An init script standing in for the browser's push service (Chromium's needs Google's):
``pushManager.subscribe`` returns a subscription whose endpoint and keys are the local fake push
service's (``__SUBSCRIPTION__``), so the app registers it with the server by its own code."""


CLICK_NOTIFICATION_ACTION = """async ([documentId, action]) => {
  const shown = await self.registration.getNotifications();
  const about = (n) => n.data && n.data.decision && n.data.decision.id === documentId;
  const notification = shown.find(about);
  if (!notification) return { found: false, titles: shown.map((n) => n.title) };
  const click = new NotificationEvent('notificationclick', { notification, action });
  // The browser keeps the worker alive for the promises its handler passes to waitUntil; on a
  // synthetic event waitUntil throws (untrusted), so they are kept here and awaited.
  const lifetime = [];
  Object.defineProperty(click, 'waitUntil', { value: (promise) => { lifetime.push(promise); } });
  self.dispatchEvent(click);
  await Promise.all(lifetime);
  const left = (await self.registration.getNotifications()).filter(about);
  return { found: true, extended: lifetime.length, left: left.length };
}"""
"""Runs inside the service worker: the notification it showed for ``documentId`` is clicked on
``action`` through the worker's own ``notificationclick`` listener (pwa/src/sw.ts), as the
platform does when the user taps a notification button."""


async def test_manager_approves_from_the_notification_offline_and_the_agent_sees_it(
        browser, running_app: RunningApp) -> None:  # type: ignore[no-untyped-def]
    """The agent submits a mission from the app; the approval request travels through the
    production sender and the fake push service to the manager's phone, where the real service
    worker shows it. The app is then closed and the phone offline; the manager taps Approve: the
    worker queues the decide intent. Reopened offline, the app shows it waiting; back online it
    reaches the server, which checks and records it (audit), and the agent sees it approved."""
    purpose = f"Colloque {uuid.uuid4().hex[:6]}"
    contexts = [await browser.new_context(viewport=PHONE, base_url=running_app.base_url,
                                          locale="fr-FR", bypass_csp=True) for _ in range(2)]
    agent_phone, manager_phone = contexts
    try:
        with FakePushService() as push_service:
            device = push_service.new_subscription()
            await manager_phone.grant_permissions(["notifications"], origin=running_app.base_url)
            await manager_phone.add_init_script(
                script=PUSH_MANAGER_STUB.replace("__SUBSCRIPTION__", json.dumps(device.info)))
            manager = await manager_phone.new_page()
            registrations = await watch_service_worker(manager_phone, manager)
            async with manager.expect_response(
                    lambda r: r.url.endswith("/api/v1/push/subscriptions")
                    and r.request.method == "POST", timeout=30_000) as registered:
                await sign_in(manager, running_app, "manager_a")
            assert (await registered.value).ok, "the app registered the phone for push"
            await manager.wait_for_function("navigator.serviceWorker.controller !== null",
                                            timeout=20_000)

            agent = await agent_phone.new_page()
            await sign_in(agent, running_app, "agent_a")
            await agent.get_by_role("link", name="Nouvelle mission").click()
            await agent.get_by_label("Objet").fill(purpose)
            await agent.get_by_label("Destination").fill("Nantes")
            await agent.get_by_label("Départ (heure locale)").fill("2026-12-16T08:00")
            await agent.get_by_label("Retour (heure locale)").fill("2026-12-17T18:00")
            await agent.get_by_label("Coût estimé (€)").fill("96,00")
            await agent.get_by_role("button", name="Créer la mission").click()
            await agent.get_by_role("heading", name=purpose).wait_for()
            mission_id = agent.url.rsplit("/", 1)[-1]
            await agent.get_by_role("button", name="Envoyer pour validation").click()
            await agent.wait_for_function(
                "document.querySelector('header').innerText.includes('Tout est envoyé')",
                timeout=30_000)

            deadline = asyncio.get_running_loop().time() + 30
            while not (mine := [m for m in push_service.messages(device)
                                if mission_id.encode() in m.plaintext]):
                assert asyncio.get_running_loop().time() < deadline, "no approval request push"
                await asyncio.sleep(0.1)
            assert registrations, "the app registered its service worker"
            shown = await deliver_push(manager, running_app.base_url, registrations[-1],
                                       mine[0].plaintext)
        assert [n["title"] for n in shown] == [f"À valider : {purpose} — Nantes"]
        assert shown[0]["actions"] == ["approve", "refuse"]

        # The manager closes the app, loses the network and taps Approve on the notification.
        [worker] = manager_phone.service_workers
        await manager.close()
        await manager_phone.set_offline(True)
        clicked = await worker.evaluate(CLICK_NOTIFICATION_ACTION, [mission_id, "approve"])
        assert clicked == {"found": True, "extended": 1, "left": 0}, clicked

        async with httpx.AsyncClient(base_url=running_app.base_url, timeout=20) as api:
            as_manager = await api_login(api, running_app, "manager_a")
            mission = (await api.get(f"/api/v1/missions/{mission_id}", headers=as_manager)).json()
        assert mission["state"] == "submitted", "nothing left the phone while offline"

        # Reopened offline: the decision waits on the phone; back online it is sent.
        manager = await manager_phone.new_page()
        await manager.goto("/")
        await manager.get_by_role("navigation", name="Navigation principale").wait_for(
            timeout=15_000)
        await manager.wait_for_function(
            "document.querySelector('header').innerText.includes('1 modification en attente')",
            timeout=15_000)
        await manager_phone.set_offline(False)
        await manager.wait_for_function(
            "document.querySelector('header').innerText.includes('Tout est envoyé')",
            timeout=30_000)
        assert "non acceptée" not in await manager.locator("header").inner_text()

        async with httpx.AsyncClient(base_url=running_app.base_url, timeout=20) as api:
            as_manager = await api_login(api, running_app, "manager_a")
            mission = (await api.get(f"/api/v1/missions/{mission_id}", headers=as_manager)).json()
            trail = (await api.get(f"/api/v1/audit/mission/{mission_id}",
                                   headers=as_manager)).json()["entries"]
        manager_id = running_app.people["manager_a"]["user_id"]
        assert mission["state"] == "approved"
        assert mission["decided_by"] == manager_id
        [approval] = [e for e in trail if e["action"] == "approve"]
        assert approval["actor_id"] == manager_id
        assert approval["content_hash"] == mission["content_hash"]

        await agent.goto("/missions")  # the agent's app pulls the decision
        card = agent.get_by_role("listitem").filter(has_text=purpose)
        await card.get_by_text("Validée").wait_for(timeout=30_000)
        await agent.screenshot(path=screenshot_path("agent-mission-approved-from-notification"))
    finally:
        for context in contexts:
            await context.close()


async def test_signing_out_unsubscribes_the_phone_and_the_server_forgets_it(
        phone, running_app: RunningApp) -> None:  # type: ignore[no-untyped-def]
    """The phone the agent signs out of is shared: the browser's push subscription is removed
    (the push service refuses anything still sent to it) and the server forgets it, so the
    agent's "send me a test" reaches no device any more."""
    with FakePushService() as push_service:
        device = push_service.new_subscription()
        stub = PUSH_MANAGER_STUB.replace("__SUBSCRIPTION__", json.dumps(device.info)).replace(
            "unsubscribe: async () => { current = null; return true; }",
            "unsubscribe: async () => { current = null;"
            " sessionStorage.setItem('push-unsubscribed', 'yes'); return true; }")
        await phone.grant_permissions(["notifications"], origin=running_app.base_url)
        await phone.add_init_script(script=stub)
        page = await phone.new_page()
        async with page.expect_response(
                lambda r: r.url.endswith("/api/v1/push/subscriptions")
                and r.request.method == "POST", timeout=30_000) as registered:
            await sign_in(page, running_app, "agent_a2")
        assert (await registered.value).ok, "the app registered the phone for push"
        async with httpx.AsyncClient(base_url=running_app.base_url, timeout=20) as api:
            elsewhere = await api_login(api, running_app, "agent_a2")
            before = (await api.post("/api/v1/push/test", headers=elsewhere)).json()["devices"]

            await page.evaluate(GO_TO, "/settings")
            await page.get_by_role("button", name="Se déconnecter").click()
            await page.get_by_label("Adresse e-mail").wait_for(timeout=15_000)
            assert await page.evaluate("sessionStorage.getItem('push-unsubscribed')") == "yes"
            after = await api.post("/api/v1/push/test", headers=elsewhere)
        assert before >= 1
        assert after.status_code == 202 and after.json()["devices"] == before - 1
