"""A demo agent signs in on a phone-sized screen; the service worker controls the page."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.browser.conftest import RunningApp, screenshot_path

pytestmark = pytest.mark.browser


def login_api_exists(running_app: RunningApp) -> bool:
    """Whether /api/v1/auth/login is served (branch `accounts` builds it)."""
    r = httpx.post(f"{running_app.base_url}/api/v1/auth/login", json={}, timeout=5)
    return r.status_code != 404 and r.status_code != 405


async def test_agent_signs_in_and_the_service_worker_controls_the_page(phone, running_app: RunningApp) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await page.goto("/")
    await page.get_by_role("heading", name="Connexion").wait_for()
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    assert await page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{running_app.base_url}/sw.js"
    await page.screenshot(path=screenshot_path("signin"))

    await page.get_by_label("Adresse e-mail").fill(running_app.email("agent_a"))
    await page.get_by_label("Mot de passe").fill(running_app.password)
    await page.get_by_role("button", name="Se connecter").click()

    if not login_api_exists(running_app):
        # PENDING ON BRANCH `accounts`: the login API is not merged yet; the page must say so.
        await page.get_by_role("alert").wait_for()
        await page.screenshot(path=screenshot_path("signin-no-login-api"))
        pytest.xfail("POST /api/v1/auth/login not served yet (branch accounts not merged)")

    # After sign-in the app offers a PIN for later unlocks.
    await page.get_by_role("heading", name="Choisir un code").wait_for(timeout=10_000)
    await page.screenshot(path=screenshot_path("signin-pin-setup"))
