"""The accessibility statement (déclaration d'accessibilité), reachable before signing in, in
French and English, with the figures of the browser tests' own axe-core audits."""

from __future__ import annotations

import re

import pytest

from tests.integration.browser.conftest import RunningApp, audit

pytestmark = pytest.mark.browser


async def test_the_statement_is_linked_from_sign_in_in_both_languages(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await page.goto("/")
    await page.get_by_role("heading", name="Connexion").wait_for()
    await page.get_by_role("link", name="Accessibilité : non conforme").click()
    await page.get_by_role("heading", name="Déclaration d’accessibilité").wait_for()
    text = await page.locator("main").inner_text()
    measured = re.search(r"ont audité (\d+) écrans avec axe-core (\S+)", text)
    assert measured is not None, text
    assert int(measured.group(1)) > 0
    assert "non conforme au RGAA 4.1" in text
    for heading in ("État de conformité", "Contenus non accessibles", "Signaler un problème",
                    "Voies de recours"):
        await page.get_by_role("heading", name=heading).wait_for()
    assert await audit(page, "accessibility-statement") == []

    await page.get_by_role("link", name="Retour").click()
    await page.get_by_role("button", name="English").click()
    await page.get_by_role("link", name="Accessibility: not conformant").click()
    await page.get_by_role("heading", name="Accessibility statement").wait_for()
    text = await page.locator("main").inner_text()
    assert re.search(r"audited \d+ screens with axe-core", text), text
    await page.get_by_role("heading", name="Report a problem").wait_for()
    assert await audit(page, "accessibility-statement-en") == []
