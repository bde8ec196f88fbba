"""A new version of the app is offered, never forced: the user is mid-task when it arrives."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.integration.browser.conftest import RunningApp, screenshot_path, sign_in

pytestmark = pytest.mark.browser

OFFER = "Une nouvelle version de Nomade est prête."


async def test_a_new_version_is_offered_and_the_page_never_reloads_by_itself(
    phone, running_app: RunningApp, built_pwa
) -> None:  # type: ignore[no-untyped-def]
    """A second build is simulated by changing the served ``sw.js`` (a byte-different worker is
    a new version for the browser; same precache list). The app looks for updates when it comes
    back to the foreground (``visibilitychange``); the new worker installs and waits. The user,
    half-way through a form, sees the prompt; nothing reloads until they ask."""
    page = await phone.new_page()
    await sign_in(page, running_app, "agent_b")
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    await page.get_by_role("link", name="Nouvelle mission").click()
    await page.get_by_label("Objet").fill("Formation à Nantes")  # mid-task, not saved yet
    await page.evaluate("window.__sameDocument = true")
    old_script = await page.evaluate("navigator.serviceWorker.controller.scriptURL")

    sw = built_pwa / "sw.js"
    original = sw.read_bytes()
    try:
        sw.write_bytes(original + f"\n// build {uuid.uuid4()}\n".encode())
        # The app's own trigger: back to the foreground → registration.update().
        await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        banner = page.get_by_role("status").filter(has_text=OFFER)
        await banner.wait_for(timeout=30_000)
    finally:
        sw.write_bytes(original)
    await page.screenshot(path=screenshot_path("update-offered"))

    # Offered, not forced: a few seconds later the same document, the form as the user left it.
    await asyncio.sleep(3)
    assert await page.evaluate("window.__sameDocument === true")
    assert await page.get_by_label("Objet").input_value() == "Formation à Nantes"
    assert await page.evaluate("navigator.serviceWorker.controller.scriptURL") == old_script
    waiting = await page.evaluate(
        "navigator.serviceWorker.getRegistration().then(r => r.waiting !== null)")
    assert waiting, "the new version waits for the user"

    # "Later" hides the prompt and still does not reload.
    await banner.get_by_role("button", name="Plus tard").click()
    await banner.wait_for(state="detached")
    assert await page.evaluate("window.__sameDocument === true")

    # When the user asks (here on a fresh start of the app, the prompt comes back), it updates.
    await page.reload()
    banner = page.get_by_role("status").filter(has_text=OFFER)
    await banner.wait_for(timeout=20_000)
    await banner.get_by_role("button", name="Mettre à jour").click()
    await page.wait_for_function("window.__sameDocument === undefined", timeout=20_000)
    await page.wait_for_function(
        "navigator.serviceWorker.getRegistration().then(r => r.waiting === null)", timeout=20_000)
    await page.get_by_role("navigation", name="Navigation principale").wait_for()
