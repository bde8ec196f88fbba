"""The app shell, its service worker and a signed-in screen work under the app's real
Content-Security-Policy (no bypass here): no violation is reported."""

from __future__ import annotations

import asyncio

import pytest

from tests.integration.browser.conftest import PHONE, RunningApp

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


async def _until(page, expression: str, seconds: float = 20) -> None:  # type: ignore[no-untyped-def]
    """Polls ``expression`` from here (a page-side string predicate would need eval)."""
    for _ in range(int(seconds * 5)):
        if await page.evaluate(expression):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"never true: {expression}")


async def test_the_app_runs_under_its_content_security_policy(
    browser, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport=PHONE, base_url=running_app.base_url,
                                        locale="fr-FR")
    try:
        await context.add_init_script(RECORD_VIOLATIONS)
        page = await context.new_page()
        response = await page.goto("/")
        assert response is not None
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        await page.get_by_role("heading", name="Connexion").wait_for()
        await _until(page, "navigator.serviceWorker.controller !== null")
        await page.get_by_label("Adresse e-mail").fill(running_app.email("agent_a"))
        await page.get_by_label("Mot de passe").fill(running_app.password)
        await page.get_by_role("button", name="Se connecter").click()
        await page.get_by_role("button", name="Plus tard").click(timeout=15_000)
        await page.get_by_role("navigation", name="Navigation principale").wait_for()
        await page.get_by_role("link", name="Frais").first.click()
        await page.wait_for_timeout(1000)
        await page.reload()
        await page.get_by_role("navigation", name="Navigation principale").wait_for()
        assert await page.evaluate("window.__cspViolations") == []
    finally:
        await context.close()
