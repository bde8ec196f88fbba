"""A manager lends their approvals from the phone (360 px), in French and in English: they pick
the colleague among those the server allows and limit it to missions, are refused a second,
overlapping delegation with the server's message, and the delegate then sees the agent's
mission (created and submitted through the sync API, never demo rows) on their approval card
and decision screen "on behalf of" that manager, and approves it. axe-core finds no serious or
critical violation on the delegation form, the delegate's card list and decision screen."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.browser.conftest import (
    GO_TO,
    PHONE,
    RunningApp,
    api_login,
    audit,
    reach_home,
)
from tests.integration.browser.test_decisions import Agent, _until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORDS = {
    "fr": {"email": "Adresse e-mail", "password": "Mot de passe", "submit": "Se connecter",
           "later": "Plus tard", "nav": "Navigation principale", "who": "À",
           "to": "Au (inclus)", "create": "Déléguer", "created": "Vos validations vont à {}",
           "given": "Vous confiez vos validations à {}", "overlap": "Vous déléguez déjà",
           "on_behalf": "Pour le compte de {}", "approve": "Valider",
           "end": "Terminer la délégation à {}", "none": "Aucune délégation en cours."},
    "en": {"email": "Email address", "password": "Password", "submit": "Sign in",
           "later": "Not now", "nav": "Main navigation", "who": "To",
           "to": "Until (included)", "create": "Delegate",
           "created": "Your approvals go to {}", "given": "You lend your approvals to {}",
           "overlap": "You already delegate", "on_behalf": "On behalf of {}",
           "approve": "Approve", "end": "End the delegation to {}",
           "none": "No delegation in progress."},
}


async def _phone(browser: Any, app: RunningApp, person: str, lang: str) -> tuple[Any, Any]:
    context = await browser.new_context(viewport=PHONE, base_url=app.base_url, bypass_csp=True,
                                        device_scale_factor=2, is_mobile=True, has_touch=True,
                                        locale="fr-FR" if lang == "fr" else "en-GB")
    page = await context.new_page()
    words = WORDS[lang]
    await page.goto("/")
    await page.get_by_label(words["email"]).fill(app.email(person))
    await page.get_by_label(words["password"]).fill(app.password)
    await page.get_by_role("button", name=words["submit"]).click()
    await page.get_by_role("button", name=words["later"]).click(timeout=15_000)
    await page.get_by_role("navigation", name=words["nav"]).wait_for()
    await reach_home(page)
    return context, page


async def _name(api: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await api.get("/api/v1/me/", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["full_name"])


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_delegate_decides_on_behalf_of_the_manager(
        browser: Any, running_app: RunningApp, lang: str) -> None:
    words, tag = WORDS[lang], uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=running_app.base_url, timeout=30) as api:
        boss_headers = await api_login(api, running_app, "manager_c")
        deputy_headers = await api_login(api, running_app, "manager_d")
        boss, deputy = await _name(api, boss_headers), await _name(api, deputy_headers)
        agent = Agent(api, await api_login(api, running_app, "agent_c"))

        boss_context, page = await _phone(browser, running_app, "manager_c", lang)
        deputy_context, other = await _phone(browser, running_app, "manager_d", lang)
        try:
            # The manager delegates from today to the day after tomorrow.
            await page.evaluate(GO_TO, "/delegations")
            await page.get_by_label(words["who"], exact=True).select_option(label=deputy)
            last_day = (date.today() + timedelta(days=2)).isoformat()
            await page.get_by_label(words["to"]).fill(last_day)
            await page.get_by_label("Mission", exact=True).check()  # missions only
            await page.get_by_role("button", name=words["create"], exact=True).click()
            await page.get_by_role("status").get_by_text(words["created"].format(deputy)).wait_for()
            await page.get_by_text(words["given"].format(deputy)).wait_for()
            # A second delegation over the same days: the server's refusal, in the language.
            await page.get_by_role("button", name=words["create"], exact=True).click()
            await page.get_by_role("alert").get_by_text(words["overlap"]).wait_for()
            violations = await audit(page, f"delegation-create-{lang}")
            assert violations == [], violations

            # The agent submits a mission; the delegate's card says on whose behalf.
            mission_id = await agent.mission(f"Colloque {tag}")
            await other.evaluate(GO_TO, "/approvals")
            link = other.get_by_role("link", name=f"Colloque {tag} — Lyon", exact=True)
            await link.wait_for(timeout=30_000)
            card = other.locator("li.card", has=link)
            await card.get_by_text(words["on_behalf"].format(boss)).wait_for(timeout=15_000)
            violations = await audit(other, f"delegate-approvals-{lang}")
            assert violations == [], violations

            await link.click()
            await other.locator("main [data-on-behalf]").get_by_text(
                words["on_behalf"].format(boss)).wait_for()
            violations = await audit(other, f"delegate-decision-{lang}")
            assert violations == [], violations
            await other.screenshot(path=f"/tmp/delegate-decision-{lang}.png", full_page=True)
            await other.get_by_role("button", name=words["approve"], exact=True).click()
            row = await _until(api, boss_headers, f"/api/v1/missions/{mission_id}", "approved")
            assert row["decided_by"] == running_app.people["manager_d"]["user_id"]

            # The manager ends the delegation from the same screen.
            await page.get_by_role("button", name=words["end"].format(deputy)).click()
            await page.get_by_text(words["none"]).wait_for()
        finally:
            await boss_context.close()
            await deputy_context.close()
