"""Notifications in a real browser at phone size against the real server: the supplier's inbox and
settings (GET/PUT /api/v1/push/preferences), and an invoice status change that ends as a push
shown by the app's service worker and opens the invoice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.browser.conftest import (
    GO_TO,
    RunningApp,
    api_login,
    audit,
    deliver_push,
    screenshot_path,
    sign_in,
    watch_service_worker,
)
from tests.pushservice import FakePushService

pytestmark = pytest.mark.browser


async def post_invoice_events(app: RunningApp, number: str, *statuses: tuple[str, str]) -> None:
    """The financial system (integration API, X-Api-Key) reports an invoice and its statuses."""
    start = datetime.now(UTC) - timedelta(days=3)
    events: list[dict[str, Any]] = [{
        "event_id": uuid.uuid4().hex, "type": "invoice.created", "occurred_at": start.isoformat(),
        "invoice": {"number": number, "supplier_siret": app.supplier_siret,
                    "issued_on": start.date().isoformat(), "amount_ht_cents": 100_000,
                    "vat_cents": 20_000, "amount_ttc_cents": 120_000, "lines": []}}]
    for n, (code, reason) in enumerate(statuses, start=1):
        events.append({
            "event_id": uuid.uuid4().hex, "type": "invoice.status",
            "occurred_at": (start + timedelta(days=n)).isoformat(),
            "status": {"number": number, "supplier_siret": app.supplier_siret, "code": code,
                       "reason": reason}})
    async with httpx.AsyncClient(base_url=app.base_url, timeout=20) as api:
        response = await api.post("/integration/v1/events", json={"events": events},
                                  headers={"X-Api-Key": app.integration_key})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * len(events), results


async def test_supplier_reads_the_inbox_and_changes_notification_settings(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    number = f"F-INBOX-{uuid.uuid4().hex[:6]}"
    await post_invoice_events(running_app, number, ("SUSPENDUE", "RIB manquant"))

    page = await phone.new_page()
    await sign_in(page, running_app, "supplier")
    inbox_tab = page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Messages")
    await page.wait_for_function(
        "document.querySelector('nav .count') !== null", timeout=15_000)
    assert "non lue" in await inbox_tab.inner_text()
    await inbox_tab.click()
    # The tab changes the address at once, but the router keeps the invoices list (which also
    # shows this invoice) until the inbox screen's code has loaded: read the inbox once its
    # title is the page's heading.
    main = page.get_by_role("main")
    await main.get_by_role("heading", level=1, name="Notifications").wait_for(timeout=15_000)
    item = main.get_by_role("listitem").filter(has_text=number).first
    await item.wait_for(timeout=15_000)
    assert "Non lue" in await item.inner_text()
    assert await audit(page, "supplier-inbox") == []
    await page.get_by_role("button", name="Tout marquer comme lu").click()
    await item.get_by_text("Non lue").wait_for(state="detached")
    await page.wait_for_function("document.querySelector('nav .count') === null")
    async with httpx.AsyncClient(base_url=running_app.base_url, timeout=20) as api:
        headers = await api_login(api, running_app, "supplier")
        unread = (await api.get("/api/v1/inbox/unread-count", headers=headers)).json()["unread"]
    assert unread == 0

    # Settings: the supplier's event type, quiet hours with the break-through note, privacy.
    await page.evaluate(GO_TO, "/settings")
    mode = page.get_by_label("Changements de statut des factures")
    await mode.wait_for()
    assert await mode.input_value() == "immediate"
    assert await page.get_by_label("Fuseau horaire").input_value() == "Europe/Paris"
    await page.get_by_text("arrive même pendant les heures calmes").first.wait_for()
    await mode.select_option("digest")
    await page.get_by_label("Résumé du jour à").fill("17:30")
    await page.get_by_label("Masquer les montants sur l’écran verrouillé").uncheck()
    await page.get_by_role("button", name="Enregistrer les réglages").click()
    await page.get_by_text("Réglages enregistrés.").wait_for()
    async with httpx.AsyncClient(base_url=running_app.base_url, timeout=20) as api:
        prefs = (await api.get("/api/v1/push/preferences", headers=headers)).json()
    assert prefs["modes"]["invoice_status_changed"] == "digest"
    assert prefs["digest_time"] == "17:30"
    assert prefs["hide_amounts"] is False
    assert prefs["timezone"] == "Europe/Paris"
    await page.get_by_role("button", name="M’envoyer un test").click()
    await page.get_by_text("Test envoyé à").wait_for()
    assert await audit(page, "supplier-settings") == []
    assert "non acceptée" not in await page.locator("header").inner_text()

    # Offline: the last known values stay readable, changing them says it needs a connection.
    await phone.set_offline(True)
    await page.get_by_text("Modifier ces réglages demande une connexion").wait_for()
    assert await mode.input_value() == "digest"
    assert await mode.is_disabled()
    assert await page.get_by_role("button", name="Enregistrer les réglages").is_disabled()
    await page.screenshot(path=screenshot_path("supplier-settings-offline"), full_page=True)
    await phone.set_offline(False)


async def test_supplier_gets_a_push_for_an_invoice_status_and_opens_the_invoice(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    """The financial system posts a status event to the integration API; the production sender
    delivers the push to the local fake push service (VAPID verified, body decrypted), whose
    plaintext is handed to the app's real service worker with CDP; the worker shows it.

    Opening it: a synthetic ``notificationclick`` cannot be dispatched from outside (its
    ``waitUntil`` and ``clients.focus()`` need a trusted event), so the test does what the worker's
    handler does after focusing the open window: it posts ``{type: "NAVIGATE", url}`` with the
    notification's own ``data.url`` from inside the service worker to the page
    (``clients.matchAll()`` → ``postMessage``), and the app routes to it. The invoice detail
    must then show the new status, its reason and the timeline."""
    number = f"F-PUSH-{uuid.uuid4().hex[:6]}"
    with FakePushService() as push_service:
        device = push_service.new_subscription()
        async with httpx.AsyncClient(base_url=running_app.base_url, timeout=20) as api:
            supplier = await api_login(api, running_app, "supplier")
            # A French device: the account's language is whatever another journey left.
            response = await api.post("/api/v1/push/subscriptions", headers=supplier,
                                      json={**device.info, "user_agent": "chromium test",
                                            "language": "fr"})
            assert response.status_code == 200, response.text
            # Another test may have put invoices in the digest: this one wants them at once, and
            # at any hour (the default quiet hours, 21:00-07:30 Paris, would hold the first).
            response = await api.put("/api/v1/push/preferences", headers=supplier, json={
                "modes": {"invoice_status_changed": "immediate"},
                "quiet_start": None, "quiet_end": None})
            assert response.status_code == 200, response.text

        await phone.grant_permissions(["notifications"], origin=running_app.base_url)
        page = await phone.new_page()
        registrations = await watch_service_worker(phone, page)
        await sign_in(page, running_app, "supplier")
        await page.wait_for_function("navigator.serviceWorker.controller !== null",
                                     timeout=20_000)
        await page.get_by_role("heading", name="Mes factures").wait_for()

        await post_invoice_events(running_app, number, ("MISE_A_DISPOSITION", ""),
                                  ("SUSPENDUE", "RIB manquant"))
        # déposée, mise à disposition, suspendue: one Topic, so they must arrive in that order
        # (the push service keeps only the last one for a phone that was off).
        messages = await push_service.wait_for_async(device, 3, timeout=30)
        suspended = [m for m in messages if b"RIB manquant" in m.plaintext
                     or b"Suspendue" in m.plaintext]
        assert suspended == messages[-1:], [m.plaintext[:120] for m in messages]
        assert registrations, "the app registered its service worker"
        shown = await deliver_push(page, running_app.base_url, registrations[-1],
                                   suspended[-1].plaintext)
    assert shown, "the service worker showed the push"
    notification = shown[-1]
    assert number in notification["title"] + notification["body"]
    url = notification["data"]["url"]
    assert url.startswith("/invoices/")

    workers = phone.service_workers
    assert workers, "Playwright sees the app's service worker"
    await workers[0].evaluate(
        """url => self.clients.matchAll({type: 'window', includeUncontrolled: true})
            .then(ws => ws.forEach(w => w.postMessage({type: 'NAVIGATE', url})))""", url)
    await page.wait_for_url(f"**{url}")
    await page.get_by_role("heading", name=number).wait_for(timeout=30_000)
    main = page.locator("main")
    await main.get_by_text("Suspendue — information manquante").first.wait_for()
    text = await main.inner_text()
    assert "Historique des statuts" in text, text
    assert "RIB manquant" in text
    assert "Complétez la facture" in text
    await page.screenshot(path=screenshot_path("supplier-invoice-from-push"), full_page=True)
