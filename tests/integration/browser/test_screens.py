"""Every screen of every role at 360 × 640: axe-core finds no serious or critical violation,
touch targets are at least 44 px, and a screenshot is saved for a person to look at.

Lists show the app's demonstration rows (`?demo=1`): the workflow and sync endpoints that
would fill them are built on other branches.
"""

from __future__ import annotations

import pytest

from tests.integration.browser.conftest import (
    GO_TO,
    RunningApp,
    audit,
    screenshot_path,
    sign_in,
    small_targets,
)

pytestmark = pytest.mark.browser

SCREENS = {
    "agent_a": [
        ("/missions", "Mes missions"),
        ("/missions/new", "Nouvelle mission"),
        ("/missions/m-1", "Comité régional"),
        ("/claims", "États de frais"),
        ("/claims/c-1", "État de frais — Comité régional"),
        ("/claims/c-1/lines/new", "Ajouter un justificatif"),
        ("/claims/c-1/lines/l-1", "Brasserie des Terreaux"),
    ],
    "manager_a": [
        ("/approvals", "À valider"),
        ("/orders", "Bons de commande"),
        ("/orders/po-1", "Bureautique Ouest — 1300045127"),
    ],
    "supplier": [
        ("/invoices", "Mes factures"),
        ("/invoices/i-1", "F-2026-0142"),
        ("/stats", "Statistiques"),
    ],
}
EVERYONE = [
    ("/inbox", "Notifications"),
    ("/settings", "Réglages"),
    ("/settings/devices", "Mes appareils"),
    ("/sync", "Synchronisation"),
]


@pytest.mark.parametrize("person", list(SCREENS))
async def test_every_screen_is_accessible_at_phone_size(
    phone, running_app: RunningApp, person: str
) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await sign_in(page, running_app, person, demo=True)
    screens = SCREENS[person] + (EVERYONE if person == "agent_a" else [])
    problems: dict[str, list[str]] = {}
    for path, title in screens:
        # Navigate inside the app (client-side routing), as a user would.
        await page.evaluate(
            GO_TO,
            path,
        )
        await page.get_by_role("heading", level=1, name=title).wait_for()
        found = await audit(page, f"{person}{path.replace('/', '-')}") + await small_targets(page)
        if found:
            problems[path] = found
    assert problems == {}


async def test_language_switch_changes_words_numbers_and_money(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await sign_in(page, running_app, "supplier", demo=True)
    card = page.get_by_role("listitem").filter(has_text="F-2026-0142")
    assert "1 800,00" in (await card.inner_text()).replace("\u202f", " ").replace("\u00a0", " ")
    await page.get_by_role("link", name="Réglages").click()
    await page.get_by_role("radio", name="English").check()
    await page.get_by_role("heading", name="Settings").wait_for()
    await page.get_by_role("link", name="Invoices").click()
    await page.get_by_role("heading", name="My invoices").wait_for()
    assert "€1,800.00" in await card.inner_text()
    assert await page.evaluate("document.documentElement.lang") == "en"
    await page.screenshot(path=screenshot_path("supplier-invoices-english"))


async def test_a_push_message_is_shown_as_a_notification_by_the_service_worker(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    """The real service worker turns a push into a notification (delivered with CDP: a real
    push subscription needs Google's service)."""
    import json

    await phone.grant_permissions(["notifications"])
    page = await phone.new_page()
    await page.goto("/")
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    cdp = await phone.new_cdp_session(page)
    versions: list[dict[str, object]] = []
    cdp.on("ServiceWorker.workerVersionUpdated", lambda event: versions.extend(event["versions"]))
    await cdp.send("ServiceWorker.enable")
    registration_id = None
    for _ in range(100):
        running = [
            v
            for v in versions
            if v.get("runningStatus") == "running" and v.get("status") == "activated"
        ]
        if running:
            registration_id = running[-1]["registrationId"]
            break
        await page.wait_for_timeout(100)
    assert registration_id is not None
    payload = {
        "title": "Facture F-2026-0142 suspendue",
        "body": "Bon de commande absent.",
        "url": "/invoices/i-1",
        "tag": "invoice-i-1",
    }
    await cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": running_app.base_url,
            "registrationId": registration_id,
            "data": json.dumps(payload),
        },
    )
    shown: list[list[str]] = []
    for _ in range(100):
        shown = await page.evaluate(
            "navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(n => n.map(x => [x.title, x.body, x.data.url]))"
        )
        if shown:
            break
        await page.wait_for_timeout(100)
    assert shown == [["Facture F-2026-0142 suspendue", "Bon de commande absent.", "/invoices/i-1"]]
