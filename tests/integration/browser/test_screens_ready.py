"""A person's screens open when tapped, whatever the network does to their code (#14's app
shell, seen by a supplier): once the signed-in shell shows and the phone is idle, the code of the
role's screens loads, so a tap shows the screen at once; while a screen's code is on its way the
phone says "Chargement…" and marks the main region busy; a load the network dropped is tried
again, and the screen opens once the network answers, without a reload; a screen whose code a
new deployment removed makes the phone offer the new version instead.
Phone size, Debian's chromium, the real server."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.integration.browser.conftest import PHONE, RunningApp, sign_in
from tests.integration.browser.test_receipt_ocr import shot

pytestmark = pytest.mark.browser

# The shared screens (inbox, settings, sync) are one chunk of their own; a supplier's home (the
# invoices) does not import it.
WORDS = {"fr": {"nav": "Navigation principale", "inbox": "Messages", "loading": "Chargement…",
                "needed": "Une nouvelle version de Nomade est en ligne : mettez l’application à "
                          "jour pour ouvrir tous ses écrans.",
                "update": "Mettre à jour"},
         "en": {"nav": "Main navigation", "inbox": "Inbox", "loading": "Loading…",
                "needed": "A new version of Nomade is online: update the app to open all its "
                          "screens.",
                "update": "Update now"}}
EVERYONE_CHUNK = r"/\/assets\/everyone-[\w-]+\.js$/"
EVERYONE_FILE = re.compile(r"/assets/everyone-[\w-]+\.js$")


async def phone_without_service_worker(browser: Any, app: RunningApp,
                                       locale: str = "fr-FR") -> Any:
    """A phone whose requests for the app's code are the page's own (no service worker answers
    them), so that a journey can hold one back or drop it."""
    return await browser.new_context(viewport=PHONE, base_url=app.base_url, bypass_csp=True,
                                     is_mobile=True, has_touch=True, locale=locale,
                                     service_workers="block")

@contextmanager
def new_build_deployed(dist: Path) -> Iterator[None]:
    """The server deploys another build meanwhile: its shell (index.html) loads an entry script
    of another name, as a rebuild's content hashes make it; a page already open keeps its own."""
    shell, kept = dist / "index.html", dist / "index.html.before-deployment"
    old = shell.read_text(encoding="utf-8")
    new = re.sub(r"/assets/index-[\w-]+\.js", "/assets/index-N3wBu1ld.js", old)
    assert new != old, "the shell names no entry script"
    os.replace(shell, kept)  # kept with its time, so its precompressed copies stay valid after
    try:
        shell.write_text(new, encoding="utf-8")  # newer than those copies: served as written
        yield
    finally:
        os.replace(kept, shell)


async def test_the_inbox_code_is_on_the_phone_before_the_supplier_taps_it(
        phone: Any, running_app: RunningApp) -> None:
    page = await phone.new_page()
    await sign_in(page, running_app, "supplier")
    await page.wait_for_function(
        f"performance.getEntriesByType('resource').some(e => {EVERYONE_CHUNK}.test(e.name))",
        timeout=15_000)
    await page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Messages").click()
    await page.get_by_role("main").get_by_role("heading", level=1, name="Notifications").wait_for(
        timeout=10_000)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_while_a_tapped_screen_loads_the_previous_one_is_marked_busy(
        browser: Any, running_app: RunningApp, lang: str) -> None:
    """The inbox's code is held back (no service worker here, so the page's own request is the
    one held): the tap changes the address and the phone says "Chargement…" / "Loading…", the
    main region marked busy for screen readers; once the code arrives the inbox shows and both
    go."""
    words = WORDS[lang]
    context = await phone_without_service_worker(browser, running_app,
                                                 "fr-FR" if lang == "fr" else "en-GB")
    held = asyncio.Event()

    async def hold(route: Any) -> None:
        await held.wait()
        await route.continue_()

    try:
        await context.route(EVERYONE_FILE, hold)
        page = await context.new_page()
        await sign_in(page, running_app, "supplier")
        main = page.get_by_role("main")
        await page.get_by_role("navigation", name=words["nav"]).get_by_role(
            "link", name=words["inbox"]).click()
        await page.wait_for_url("**/inbox")
        await page.locator("main[aria-busy=true]").wait_for(timeout=10_000)
        loading = page.get_by_role("status").filter(has_text=words["loading"])
        await loading.wait_for()
        await shot(page, f"screen-loading-{lang}")
        assert await main.get_by_role("heading", name="Notifications").count() == 0
        held.set()
        await main.get_by_role("heading", level=1, name="Notifications").wait_for(timeout=15_000)
        await loading.wait_for(state="detached")
        assert await page.locator("main").get_attribute("aria-busy") is None
    finally:
        held.set()
        await context.close()


async def test_a_screen_whose_code_failed_to_load_opens_once_the_network_answers(
        browser: Any, running_app: RunningApp) -> None:
    """The inbox's code fails to arrive (the network drops it) while the supplier taps the tab:
    the phone keeps saying "Chargement…" and tries again; once the network answers, the inbox
    opens without a reload (a failed load used to leave the screen loading for good)."""
    context = await phone_without_service_worker(browser, running_app)
    dropped: list[str] = []
    network_down = True

    async def flaky(route: Any) -> None:
        if network_down:
            dropped.append(route.request.url)
            await route.abort("internetdisconnected")
        else:
            await route.continue_()

    try:
        await context.route(EVERYONE_FILE, flaky)
        page = await context.new_page()
        await sign_in(page, running_app, "supplier")
        await page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Messages").click()
        loading = page.get_by_role("status").filter(has_text="Chargement…")
        await loading.wait_for(timeout=10_000)
        for _ in range(100):  # the tapped screen's load failed at least once
            if dropped:
                break
            await asyncio.sleep(0.1)
        assert dropped, "the inbox's code was never asked for"
        await asyncio.sleep(1)
        assert await loading.is_visible()
        network_down = False
        await page.get_by_role("main").get_by_role(
            "heading", level=1, name="Notifications").wait_for(timeout=15_000)
        await loading.wait_for(state="detached")
    finally:
        await context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_screen_whose_code_a_deployment_removed_offers_the_new_version(
        browser: Any, running_app: RunningApp, built_pwa: Path, lang: str) -> None:
    """The supplier's app stays open while a new version is deployed: the server's shell now
    loads other files, and the code of the inbox that this open app asks for answers 404. The
    tap on the inbox does not leave the phone on "Chargement…" / "Loading…" for good (it used to
    try again every 3 s, forever): an alert says a new version is needed, its button reached by
    keyboard; pressed once the deployment is done, it reloads the app and the inbox opens."""
    words = WORDS[lang]
    context = await phone_without_service_worker(browser, running_app,
                                                 "fr-FR" if lang == "fr" else "en-GB")
    removed: list[str] = []

    async def gone(route: Any) -> None:
        removed.append(route.request.url)
        await route.fulfill(status=404, content_type="application/problem+json",
                            body='{"code": "NOT_FOUND"}')

    try:
        await context.route(EVERYONE_FILE, gone)
        page = await context.new_page()
        await sign_in(page, running_app, "supplier")
        await page.evaluate("window.__sameDocument = true")
        with new_build_deployed(built_pwa):
            await page.get_by_role("navigation", name=words["nav"]).get_by_role(
                "link", name=words["inbox"]).click()
            await page.wait_for_url("**/inbox")
            alert = page.get_by_role("alert").filter(has_text=words["needed"])
            await alert.wait_for(timeout=15_000)
            assert removed, "the inbox's code was never asked for"
            assert await page.get_by_role("status").filter(has_text=words["loading"]).count() == 0
            assert await page.locator("main").get_attribute("aria-busy") is None
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            await shot(page, f"screen-gone-new-version-{lang}")

            # By keyboard: from the top of the page, Tab reaches the alert's button.
            update = alert.get_by_role("button", name=words["update"])
            await page.locator("header .brand").click()
            for _ in range(6):
                await page.keyboard.press("Tab")
                if await update.evaluate("button => button === document.activeElement"):
                    break
            else:
                raise AssertionError("Tab never reached the update button")

        # The deployment done (here the same build's files served again), Enter updates.
        await context.unroute(EVERYONE_FILE, gone)
        await page.keyboard.press("Enter")
        await page.wait_for_function("window.__sameDocument === undefined", timeout=15_000)
        await page.get_by_role("main").get_by_role(
            "heading", level=1, name="Notifications").wait_for(timeout=15_000)
        assert await alert.count() == 0
    finally:
        await context.close()
