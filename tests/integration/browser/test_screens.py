"""Every screen of every role at 360 × 640: axe-core finds no serious or critical violation,
touch targets are at least 44 px, and a screenshot is saved for a person to look at.

Lists show the app's demonstration rows (`?demo=1`): the workflow and sync endpoints that
would fill them are built on other branches.
"""

from __future__ import annotations

import pytest

from tests.integration.browser.conftest import RunningApp, audit, sign_in, small_targets

pytestmark = pytest.mark.browser

SCREENS = {
    "agent_a": [
        ("/missions", "Mes missions"), ("/missions/new", "Nouvelle mission"), ("/missions/m-1", "Comité régional"),
        ("/claims", "États de frais"), ("/claims/c-1", "État de frais — Comité régional"),
        ("/claims/c-1/lines/new", "Ajouter un justificatif"), ("/claims/c-1/lines/l-1", "Brasserie des Terreaux"),
    ],
    "manager_a": [("/approvals", "À valider"), ("/orders", "Bons de commande"), ("/orders/po-1", "Bureautique Ouest — 1300045127")],
    "supplier": [("/invoices", "Mes factures"), ("/invoices/i-1", "F-2026-0142"), ("/stats", "Statistiques")],
}
EVERYONE = [("/inbox", "Notifications"), ("/settings", "Réglages"), ("/settings/devices", "Mes appareils"), ("/sync", "Synchronisation")]


@pytest.mark.parametrize("person", list(SCREENS))
async def test_every_screen_is_accessible_at_phone_size(phone, running_app: RunningApp, person: str) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await sign_in(page, running_app, person, demo=True)
    screens = SCREENS[person] + (EVERYONE if person == "agent_a" else [])
    problems: dict[str, list[str]] = {}
    for path, title in screens:
        # Navigate inside the app (client-side routing), as a user would.
        await page.evaluate("p => { history.pushState(null, '', p); dispatchEvent(new PopStateEvent('popstate')); }", path)
        await page.get_by_role("heading", level=1, name=title).wait_for()
        found = await audit(page, f"{person}{path.replace('/', '-')}") + await small_targets(page)
        if found:
            problems[path] = found
    assert problems == {}
