"""A person's screens are on the phone before the first tap (#14's app shell, seen by a
supplier): once the signed-in shell shows and the phone is idle, the code of the role's screens
loads, so a tap on a tab shows that screen at once. Without it, the router keeps the previous
screen on display, with the new address, until the tapped screen's code arrives.
Phone size, Debian's chromium, the real server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.browser.conftest import RunningApp, sign_in

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
