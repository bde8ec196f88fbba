"""A person's screens are on the phone before the first tap (#14's app shell, seen by a
supplier): once the signed-in shell shows and the phone is idle, the code of the role's screens
loads, so a tap on a tab shows that screen at once. Without it, the router keeps the previous
screen on display, with the new address, until the tapped screen's code arrives.
Phone size, Debian's chromium, the real server."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from tests.integration.browser.conftest import PHONE, RunningApp, sign_in
from tests.integration.browser.test_receipt_ocr import shot

pytestmark = pytest.mark.browser

# The shared screens (inbox, settings, sync) are one chunk of their own; a supplier's home (the
# invoices) does not import it.
EVERYONE_CHUNK = r"/\/assets\/everyone-[\w-]+\.js$/"


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


async def test_while_a_tapped_screen_loads_the_previous_one_is_marked_busy(
        browser: Any, running_app: RunningApp) -> None:
    """The inbox's code is held back (no service worker here, so the page's own request is the
    one held): the tap changes the address and the phone says "Chargement…", the main region
    marked busy for screen readers; once the code arrives the inbox shows and both go."""
    context = await browser.new_context(viewport=PHONE, base_url=running_app.base_url,
                                        bypass_csp=True, is_mobile=True, has_touch=True,
                                        locale="fr-FR", service_workers="block")
    held = asyncio.Event()

    async def hold(route: Any) -> None:
        await held.wait()
        await route.continue_()

    try:
        await context.route(re.compile(r"/assets/everyone-[\w-]+\.js$"), hold)
        page = await context.new_page()
        await sign_in(page, running_app, "supplier")
        main = page.get_by_role("main")
        await page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Messages").click()
        await page.wait_for_url("**/inbox")
        await page.locator("main[aria-busy=true]").wait_for(timeout=10_000)
        loading = page.get_by_role("status").filter(has_text="Chargement…")
        await loading.wait_for()
        await shot(page, "screen-loading")
        assert await main.get_by_role("heading", name="Notifications").count() == 0
        held.set()
        await main.get_by_role("heading", level=1, name="Notifications").wait_for(timeout=15_000)
        await loading.wait_for(state="detached")
        assert await page.locator("main").get_attribute("aria-busy") is None
    finally:
        held.set()
        await context.close()
