"""Offline use and installability, in Debian's chromium at phone size against the real server."""

from __future__ import annotations

import io
import re
import tempfile

import pytest
from PIL import Image, ImageDraw

from tests.integration.browser.conftest import (
    CHROMIUM,
    GO_TO,
    PHONE,
    RunningApp,
    screenshot_path,
    sign_in,
)

pytestmark = pytest.mark.browser


async def test_the_app_is_installable(running_app: RunningApp, built_pwa) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        with tempfile.TemporaryDirectory() as profile:
            context = await pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, viewport=PHONE, bypass_csp=True
            )
            page = await context.new_page()
            await page.goto(running_app.base_url)
            await page.wait_for_function(
                "navigator.serviceWorker.controller !== null", timeout=20_000
            )
            cdp = await context.new_cdp_session(page)
            result = await cdp.send("Page.getInstallabilityErrors")
            manifest = await cdp.send("Page.getAppManifest")
            await context.close()
    assert result["installabilityErrors"] == []
    assert manifest["errors"] == []


async def test_agent_creates_a_mission_offline_and_reloads_offline_with_it(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await sign_in(page, running_app, "agent_a2")
    await page.get_by_role("heading", name="Mes missions").wait_for()
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)

    await phone.set_offline(True)
    await page.get_by_role("status").filter(has_text="Hors ligne").wait_for()
    await page.get_by_role("link", name="Nouvelle mission").click()
    await page.get_by_label("Objet").fill("Audit du chantier de Rennes")
    await page.get_by_label("Destination").fill("Rennes")
    await page.get_by_label("Départ (heure locale)").fill("2026-12-07T08:00")
    await page.get_by_label("Retour (heure locale)").fill("2026-12-08T18:00")
    await page.get_by_label("Coût estimé (€)").fill("182,40")
    await page.get_by_role("button", name="Créer la mission").click()

    await page.get_by_role("heading", name="Audit du chantier de Rennes").wait_for()
    await page.get_by_text("En attente d’envoi").first.wait_for()
    assert "1 modification en attente" in await page.locator("header").inner_text()
    await page.screenshot(path=screenshot_path("agent-mission-created-offline"))

    # Still offline: the shell comes from the service worker, the mission from IndexedDB.
    await page.reload()
    await page.get_by_role("heading", name="Audit du chantier de Rennes").wait_for(timeout=15_000)
    await page.goto("/missions")
    card = page.get_by_role("listitem").filter(has_text="Audit du chantier de Rennes")
    await card.wait_for()
    assert "182,40" in await card.inner_text()
    assert "En attente d’envoi" in await card.inner_text()
    await page.screenshot(path=screenshot_path("agent-missions-reloaded-offline"))

    # Back online, the mission reaches the server and is no longer waiting.
    await phone.set_offline(False)
    await page.wait_for_function(
        "document.querySelector('header').innerText.includes('Tout est envoyé')", timeout=30_000
    )
    assert "En attente d’envoi" not in await card.inner_text()
    await page.screenshot(path=screenshot_path("agent-mission-synced"))


def receipt_photo(width: int = 3000, height: int = 4000) -> bytes:
    """A 12 MP 'photo' of a receipt, as a phone camera would give."""
    image = Image.new("RGB", (width, height), (235, 232, 225))
    draw = ImageDraw.Draw(image)
    for n, text in enumerate(
        ["BRASSERIE DU PORT", "12/11/2026", "PLAT DU JOUR  18,50", "TOTAL TTC  18,50 EUR"]
    ):
        draw.text((300, 400 + n * 300), text, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


async def test_receipt_photo_is_downscaled_on_the_phone_before_it_is_queued(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await sign_in(page, running_app, "agent_b", demo=True)
    await page.evaluate(GO_TO, "/claims/c-1/lines/new")
    await page.get_by_role("heading", name="Ajouter un justificatif").wait_for()
    camera = page.locator("input#camera")
    assert await camera.get_attribute("capture") == "environment"
    await camera.set_input_files(
        files=[{"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": receipt_photo()}]
    )
    ready = page.locator("[data-receipt-size]")
    await ready.wait_for(timeout=20_000)
    assert await ready.get_attribute("data-receipt-size") == "1500 × 2000"
    await page.get_by_label("Montant TTC (€)").fill("18,50")
    await page.get_by_label("Commerçant").fill("Brasserie du Port")
    await page.screenshot(path=screenshot_path("agent-receipt-downscaled"))
    # Offline, so the queue keeps what was saved: online, the push starts as soon as the line is
    # queued and the demo claim's line is refused at once, so "2 modifications" lasted a few
    # milliseconds (or never showed when the line left before its receipt was queued).
    await phone.set_offline(True)
    await page.get_by_role("status").filter(has_text="Hors ligne").wait_for()
    await page.get_by_role("button", name="Enregistrer").click()
    # The line and its receipt are queued on the phone (create + attach), waiting to sync.
    await page.wait_for_function(
        "document.querySelector('header').innerText.includes('2 modifications en attente')",
        timeout=15_000,
    )
    # What waits for upload is the downscaled photo, not the camera's 12 MP original.
    queued = await page.evaluate(QUEUED_RECEIPTS)
    assert queued == [{"type": "image/jpeg", "size": "1500 × 2000"}], queued


QUEUED_RECEIPTS = """async () => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open('nomade');
    r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error);
  });
  const all = (store) => new Promise((ok, ko) => {
    const r = db.transaction(store).objectStore(store).getAll();
    r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error);
  });
  const attached = new Set((await all('intents'))
    .filter((i) => i.name === 'expense_line.attach_receipt').map((i) => i.args.sha256));
  const photos = (await all('blobs')).filter((b) => attached.has(b.sha256));
  db.close();
  return Promise.all(photos.map(async (b) => {
    const image = await createImageBitmap(new Blob([b.bytes], { type: b.content_type }));
    return { type: b.content_type, size: `${image.width} × ${image.height}` };
  }));
}"""
"""The photos queued with an `expense_line.attach_receipt` intent, as stored on the phone."""


async def test_manager_approves_offline_and_the_agent_sees_it_approved(
    browser, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    """Agent (online) submits a mission; the manager, offline, approves it in one tap: the inbox
    says "waiting to sync"; back online the decision reaches the server and the agent sees it."""
    from tests.integration.browser.conftest import PHONE

    contexts = [
        await browser.new_context(viewport=PHONE, base_url=running_app.base_url, locale="fr-FR",
                                  bypass_csp=True)
        for _ in range(2)
    ]
    agent, manager = [await c.new_page() for c in contexts]
    try:
        await sign_in(agent, running_app, "agent_a")
        await agent.get_by_role("link", name="Nouvelle mission").click()
        await agent.get_by_label("Objet").fill("Salon des collectivités")
        await agent.get_by_label("Destination").fill("Lille")
        await agent.get_by_label("Départ (heure locale)").fill("2026-12-14T08:00")
        await agent.get_by_label("Retour (heure locale)").fill("2026-12-15T18:00")
        await agent.get_by_role("button", name="Créer la mission").click()
        await agent.get_by_role("button", name="Envoyer pour validation").click()
        await agent.wait_for_function(
            "document.querySelector('header').innerText.includes('Tout est envoyé')", timeout=30_000
        )

        await sign_in(manager, running_app, "manager_a")
        card = manager.get_by_role("listitem").filter(has_text="Salon des collectivités")
        await card.wait_for(timeout=30_000)
        # Who asks: the requester's name is on the card (the factory names people "Agent 1a2b").
        assert re.search(r"Agent [0-9a-f]{4}", await card.inner_text()), await card.inner_text()
        await contexts[1].set_offline(True)
        await card.get_by_role("button", name="Valider").click()
        await card.get_by_text("En attente d’envoi").wait_for()
        await manager.screenshot(path=screenshot_path("manager-approved-offline"))

        await contexts[1].set_offline(False)
        await manager.wait_for_function(
            "document.querySelector('header').innerText.includes('Tout est envoyé')", timeout=30_000
        )
        await manager.get_by_role("link", name="Tout est envoyé.").click()
        await manager.get_by_role("heading", name="Synchronisation").wait_for()
        problems = await manager.locator("main").inner_text()
        assert "non acceptées" not in problems, problems

        await agent.goto("/missions")  # a fresh start: the app pulls the decision
        mission = agent.get_by_role("listitem").filter(has_text="Salon des collectivités")
        await mission.get_by_text("Validée").wait_for(timeout=30_000)
        await agent.screenshot(path=screenshot_path("agent-mission-approved"))

        # The agent opens the claim of the approved mission and, offline, adds a receipt line.
        await mission.click()
        await agent.get_by_role("button", name="État de frais").click()
        await agent.get_by_role("heading", name="État de frais — Salon des collectivités").wait_for(
            timeout=30_000
        )
        await contexts[0].set_offline(True)
        await agent.get_by_role("link", name="Ajouter un justificatif").click()
        await agent.locator("input#camera").set_input_files(
            files=[{"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": receipt_photo()}]
        )
        await agent.locator("[data-receipt-size]").wait_for(timeout=20_000)
        await agent.get_by_label("Commerçant").fill("Brasserie du Port")
        await agent.get_by_label("Date").fill("2026-12-14")
        await agent.get_by_label("Montant TTC (€)").fill("24,50")
        await agent.get_by_role("button", name="Enregistrer").click()
        line = agent.get_by_role("listitem").filter(has_text="Brasserie du Port")
        await line.get_by_text("En attente d’envoi").wait_for()
        # A mission with times: its meals are paid by the flat allowance (the phone says so).
        assert "payés par l’indemnité forfaitaire" in await line.inner_text()
        await agent.screenshot(path=screenshot_path("agent-claim-line-offline"))

        # Back online: the line and its photo reach the server (upload included).
        await contexts[0].set_offline(False)
        header = agent.locator("header")
        await line.get_by_text("En attente d’envoi").wait_for(state="detached", timeout=45_000)
        await agent.wait_for_function(
            "!document.querySelector('header').innerText.includes('en attente')", timeout=45_000
        )
        await line.wait_for()
        assert "En attente d’envoi" not in await line.inner_text()
        assert "24,50" in await line.inner_text()
        await line.get_by_text("Aucun justificatif joint").wait_for(
            state="detached", timeout=30_000
        )
        await agent.screenshot(path=screenshot_path("agent-claim-line-synced"))
        # The photo went up with the line: no refused change, no "no receipt" warning.
        assert "non acceptée" not in await header.inner_text()
        assert "Aucun justificatif joint" not in await line.inner_text()
    finally:
        for c in contexts:
            await c.close()
