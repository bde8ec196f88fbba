"""A demo agent signs in on a phone-sized screen; the service worker controls the page."""

from __future__ import annotations

import pytest

from tests.integration.browser.conftest import RunningApp, audit, screenshot_path, small_targets

pytestmark = pytest.mark.browser


async def test_agent_signs_in_and_the_service_worker_controls_the_page(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await page.goto("/")
    await page.get_by_role("heading", name="Connexion").wait_for()
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    assert (
        await page.evaluate("navigator.serviceWorker.controller.scriptURL")
        == f"{running_app.base_url}/sw.js"
    )
    assert await audit(page, "signin") + await small_targets(page) == []

    await page.get_by_label("Adresse e-mail").fill(running_app.email("agent_a"))
    await page.get_by_label("Mot de passe").fill(running_app.password)
    await page.get_by_role("button", name="Se connecter").click()

    # After sign-in the app offers a PIN for later unlocks; the agent sets one.
    await page.get_by_role("heading", name="Choisir un code").wait_for(timeout=10_000)
    assert await audit(page, "signin-pin-setup") + await small_targets(page) == []
    await page.get_by_label("Code", exact=True).fill("4826")
    await page.get_by_label("Confirmer le code").fill("4826")
    await page.get_by_role("button", name="Enregistrer le code").click()

    # The agent lands on their missions, inside the shell with its bottom navigation.
    await page.get_by_role("heading", name="Mes missions").wait_for()
    nav = page.get_by_role("navigation", name="Navigation principale")
    labels = [text.splitlines()[0] for text in await nav.get_by_role("link").all_inner_texts()]
    assert labels == [  # "Messages" may carry an unread count (other tests notify this agent)
        "Missions",
        "Frais",
        "Messages",
        "Réglages",
    ]
    await page.screenshot(path=screenshot_path("agent-missions-empty"))


async def test_wrong_password_is_refused_in_plain_words(phone, running_app: RunningApp) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await page.goto("/")
    await page.get_by_label("Adresse e-mail").fill(running_app.email("agent_a"))
    await page.get_by_label("Mot de passe").fill("not the password")
    await page.get_by_role("button", name="Se connecter").click()
    alert = page.get_by_role("alert")
    await alert.wait_for()
    assert "Connexion impossible" in await alert.inner_text()
    await page.screenshot(path=screenshot_path("signin-refused"))
