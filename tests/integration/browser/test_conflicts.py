"""Two phones of one agent edit the same expense line offline; back online the outcome is clear on
both (docs/sync-protocol.md §7: text fields, later arrival wins and the overwritten value can be
restored; the money group is never merged: the user chooses)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from tests.integration.browser.conftest import (
    GO_TO,
    PHONE,
    RunningApp,
    api_login,
    restart_app,
    screenshot_path,
    sign_in,
)

pytestmark = pytest.mark.browser

SYNCED = "document.querySelector('header').innerText.includes('Tout est envoyé')"


async def _create_line(app: RunningApp, person: str) -> str:
    line_id = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=app.base_url, timeout=20) as api:
        headers = await api_login(api, app, person)
        response = await api.post("/sync/v1/push", headers=headers, json={
            "client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [{
                "seq": 1, "id": str(uuid.uuid4()), "name": "expense_line.create", "v": 1,
                "client_time": datetime.now(UTC).isoformat(),
                "args": {"id": line_id, "date": "2026-12-03", "amount_cents": 4250,
                         "currency": "EUR", "category": "train", "merchant": "SNCF",
                         "vat_rate_bp": 1000}}]})
    assert response.status_code == 200, response.text
    assert response.json()["acks"][0]["status"] == "applied", response.text
    return line_id


async def _open_line(page, line_id: str, merchant: str) -> None:  # type: ignore[no-untyped-def]
    await page.evaluate(GO_TO, f"/claims/-/lines/{line_id}")
    field = page.get_by_label("Commerçant")
    await page.wait_for_function(
        "m => document.querySelector('#merchant')?.value === m", arg=merchant, timeout=30_000)
    await field.wait_for()


async def _edit(page, line_id: str, seen: str, **fields: str) -> None:  # type: ignore[no-untyped-def]
    await _open_line(page, line_id, seen)
    if "merchant" in fields:
        await page.get_by_label("Commerçant").fill(fields["merchant"])
    if "amount" in fields:
        await page.get_by_label("Montant TTC (€)").fill(fields["amount"])
    await page.get_by_role("button", name="Enregistrer").click()


async def test_two_phones_edit_the_same_line_offline(browser, running_app: RunningApp) -> None:  # type: ignore[no-untyped-def]
    line_id = await _create_line(running_app, "agent_a2")
    contexts = [
        await browser.new_context(viewport=PHONE, base_url=running_app.base_url, locale="fr-FR",
                                  bypass_csp=True)
        for _ in range(2)
    ]
    first, second = [await c.new_page() for c in contexts]
    try:
        for page in (first, second):
            await sign_in(page, running_app, "agent_a2")
            await _open_line(page, line_id, "SNCF")

        # Text: both change the merchant offline; the first phone syncs first, the second later.
        for context in contexts:
            await context.set_offline(True)
        await _edit(first, line_id, "SNCF", merchant="SNCF Connect")
        await _edit(second, line_id, "SNCF", merchant="SNCF Voyageurs")
        await contexts[0].set_offline(False)
        await first.wait_for_function(SYNCED, timeout=30_000)
        await contexts[1].set_offline(False)
        await second.get_by_role("link", name="1 modification(s) à vérifier").wait_for(
            timeout=30_000)

        # The later phone: its text won, the overwritten value is listed with a restore action.
        await second.evaluate(GO_TO, "/sync")
        problem = second.get_by_role("listitem").filter(has_text="SNCF Connect")
        await problem.wait_for()
        text = await problem.inner_text()
        assert "« SNCF Connect » (autre appareil) a été remplacé par « SNCF Voyageurs »" in text
        restore = problem.get_by_role("button", name="Rétablir l’autre valeur")
        await restore.wait_for()
        await second.screenshot(path=screenshot_path("conflict-text-later-phone"), full_page=True)

        # The earlier phone, on its next start, shows the value that won.
        await restart_app(first)
        await _open_line(first, line_id, "SNCF Voyageurs")
        await first.screenshot(path=screenshot_path("conflict-text-earlier-phone"))

        # Restoring puts the other phone's value back, for both.
        await restore.click()
        await problem.wait_for(state="detached")
        await second.wait_for_function(SYNCED, timeout=30_000)
        await restart_app(first)
        await _open_line(first, line_id, "SNCF Connect")

        # Money: both change the amount offline; the later phone must choose.
        await _open_line(second, line_id, "SNCF Connect")
        for context in contexts:
            await context.set_offline(True)
        await _edit(first, line_id, "SNCF Connect", amount="45,00")
        await _edit(second, line_id, "SNCF Connect", amount="47,00")
        await contexts[0].set_offline(False)
        await first.wait_for_function(SYNCED, timeout=30_000)
        await contexts[1].set_offline(False)
        await second.get_by_role("link", name="1 modification(s) non acceptée(s)").wait_for(
            timeout=30_000)
        await second.evaluate(GO_TO, "/sync")
        money = second.get_by_role("listitem").filter(has_text="Garder le mien")
        await money.wait_for()
        assert "montant a été modifié sur un autre appareil" in await money.inner_text()
        mine = money.get_by_role("button", name="Garder le mien : 47,00 €")
        await money.get_by_role("button", name="Garder l’autre : 45,00 €").wait_for()
        await second.screenshot(path=screenshot_path("conflict-money-choice"), full_page=True)
        await mine.click()
        await money.wait_for(state="detached")
        await second.wait_for_function(SYNCED, timeout=30_000)

        # Both phones end with the chosen amount.
        for page in (first, second):
            await restart_app(page)
            await _open_line(page, line_id, "SNCF Connect")
            await page.wait_for_function(
                "document.querySelector('#amount')?.value === '47,00'", timeout=30_000)
        await first.screenshot(path=screenshot_path("conflict-money-resolved"))
    finally:
        for c in contexts:
            await c.close()


async def test_one_phone_editing_the_amount_twice_offline_is_no_conflict(  # type: ignore[no-untyped-def]
    browser, running_app: RunningApp
) -> None:
    """Both edits carry the row_version the phone last pulled: the server recognises the
    phone's own first edit, so the second is applied, not refused as a conflict with itself."""
    line_id = await _create_line(running_app, "agent_a2")
    context = await browser.new_context(viewport=PHONE, base_url=running_app.base_url,
                                        locale="fr-FR", bypass_csp=True)
    page = await context.new_page()
    try:
        await sign_in(page, running_app, "agent_a2")
        await _open_line(page, line_id, "SNCF")
        await context.set_offline(True)
        await _edit(page, line_id, "SNCF", amount="45,00")
        await _open_line(page, line_id, "SNCF")
        await page.wait_for_function(  # the first edit waits in the outbox, shown
            "document.querySelector('#amount')?.value === '45,00'", timeout=30_000)
        await _edit(page, line_id, "SNCF", amount="46,50")
        await context.set_offline(False)
        await page.wait_for_function(SYNCED, timeout=30_000)
        assert await page.get_by_role("link", name="1 modification(s) non acceptée(s)").count() == 0
        await restart_app(page)
        await _open_line(page, line_id, "SNCF")
        await page.wait_for_function(
            "document.querySelector('#amount')?.value === '46,50'", timeout=30_000)
    finally:
        await context.close()
