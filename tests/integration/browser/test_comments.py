"""A question on an expense claim, on phones 360 px wide, in French and in English: an agent's
claim made through the product (sync intents, uploaded receipt) waits for the manager, who
asks a question offline without returning it; it syncs once back online, the agent reads it on
their claim and answers; the manager reads the answer. Both screens audited with axe. The
agent hears of the question by a push in their language (production sender, local fake push
service, the app's real service worker), and tapping it opens the claim."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.integration.browser.conftest import (
    GO_TO,
    PHONE,
    RunningApp,
    api_login,
    audit,
    deliver_push,
    sign_in,
    watch_service_worker,
)
from tests.integration.browser.test_decisions import Agent, _approve, _state
from tests.pushservice import FakePushService

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORDS = {
    "fr": {
        "ask": "Poser une question (la demande reste chez vous)",
        "send_question": "Envoyer la question",
        "answer": "Votre réponse",
        "send_answer": "Envoyer la réponse",
        "waiting": "en attente d’envoi",
        "none": "Aucun message pour l’instant.",
        "you": "Vous",
        "queued": "Message enregistré : il partira dès le retour du réseau.",
        "push": "Question sur votre note de frais",
        "delivered": "Message envoyé.",
    },
    "en": {
        "ask": "Ask a question (the request stays with you)",
        "send_question": "Send the question",
        "answer": "Your answer",
        "send_answer": "Send the answer",
        "waiting": "waiting to be sent",
        "none": "No message yet.",
        "you": "You",
        "queued": "Message saved: it will be sent when you are back online.",
        "push": "Question on your expense claim",
        "delivered": "Message sent.",
    },
}


TAP_NOTIFICATION = """async (documentId) => {
  const shown = await self.registration.getNotifications();
  const notification = shown.find((n) => n.data && String(n.data.url || '').includes(documentId));
  if (!notification) return { found: false, titles: shown.map((n) => n.title) };
  const click = new NotificationEvent('notificationclick', { notification, action: '' });
  const lifetime = [];
  Object.defineProperty(click, 'waitUntil', { value: (promise) => { lifetime.push(promise); } });
  self.dispatchEvent(click);
  await Promise.all(lifetime);
  return { found: true };
}"""
"""Runs inside the service worker: the user taps the notification about ``documentId``."""


async def _phone(browser: Any, app: RunningApp, person: str, lang: str) -> tuple[Any, Any]:
    context = await browser.new_context(
        viewport=PHONE,
        base_url=app.base_url,
        bypass_csp=True,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    page = await context.new_page()
    await sign_in(page, app, person)  # the sign-in page in French, then the app in ``lang``
    # The first visit installs the service worker; reloading while it installs sometimes left
    # the reloaded page uncontrolled (once in CI), so the language switch waits for it.
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    if lang == "en":
        await page.evaluate("() => localStorage.setItem('nomade.lang', 'en')")
        await page.reload()
        await page.get_by_role("navigation", name="Main navigation").wait_for(timeout=15_000)
    return context, page


async def _comments_on_server(
    api: httpx.AsyncClient, headers: dict[str, str], claim_id: str
) -> list[str]:
    trail = await _state(api, headers, f"/api/v1/audit/expense_claim/{claim_id}")
    return [e["details"]["body"] for e in trail["entries"] if e["action"] == "comment"]


async def _no_sideways_scroll(page: Any) -> None:
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width} px wide"


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_manager_asks_offline_and_the_agent_answers(
    browser: Any, running_app: RunningApp, lang: str
) -> None:
    tag = uuid.uuid4().hex[:5]
    question = f"Pourquoi deux repas le 2 ? ({tag})"
    answer = f"Un déjeuner et un dîner avec l’équipe. ({tag})"
    contexts: list[Any] = []
    with FakePushService() as push_service:
        device = push_service.new_subscription()
        async with httpx.AsyncClient(base_url=running_app.base_url, timeout=30) as api:
            agent = Agent(api, await api_login(api, running_app, "agent_a"))
            boss = Agent(api, await api_login(api, running_app, "manager_a"))
            mission = await agent.mission(f"Séminaire {tag}")
            await _approve(api, boss, mission)
            claim_id = await agent.claim(
                mission,
                f"Frais séminaire {tag}",
                [{"merchant": f"Bouchon {tag}", "amount_cents": 1800, "vat_cents": 164}],
            )
            try:
                await _journey(
                    api,
                    browser,
                    running_app,
                    contexts,
                    push_service,
                    device,
                    agent,
                    lang,
                    claim_id,
                    question,
                    answer,
                )
            finally:
                for context in contexts:
                    await context.close()
                # Leave no request waiting in the shared manager's inbox for other journeys.
                claim = await _state(api, boss.headers, f"/api/v1/claims/{claim_id}")
                if claim["state"] == "submitted":
                    await boss.intent(
                        "expense_claim.decide",
                        {
                            "id": claim_id,
                            "decision": "approve",
                            "expected_state": "submitted",
                            "content_hash": claim["content_hash"],
                            "reason": "",
                        },
                    )


async def _journey(
    api: httpx.AsyncClient,
    browser: Any,
    running_app: RunningApp,
    contexts: list[Any],
    push_service: FakePushService,
    device: Any,
    agent: Agent,
    lang: str,
    claim_id: str,
    question: str,
    answer: str,
) -> None:
    words = WORDS[lang]
    # The agent's phone is open on its home screen, subscribed to pushes in its language.
    subscribed = await api.post(
        "/api/v1/push/subscriptions",
        headers=agent.headers,
        json={**device.info, "user_agent": "chromium", "language": lang},
    )
    assert subscribed.status_code == 200, subscribed.text
    await api.put(
        "/api/v1/push/preferences",
        headers=agent.headers,
        json={"quiet_start": None, "quiet_end": None, "hide_amounts": False},
    )
    agent_context, phone = await _phone(browser, running_app, "agent_a", lang)
    contexts.append(agent_context)
    await agent_context.grant_permissions(["notifications"], origin=running_app.base_url)
    registrations = await watch_service_worker(agent_context, phone)
    await phone.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)

    manager_context, manager = await _phone(browser, running_app, "manager_a", lang)
    contexts.append(manager_context)
    await manager.evaluate(GO_TO, f"/approvals/claim/{claim_id}")
    thread = manager.locator(f"section[data-thread='{claim_id}']")
    await thread.get_by_text(words["none"]).wait_for(timeout=30_000)

    # Offline: the question is kept on the phone and shows at once, marked as waiting.
    await manager_context.set_offline(True)
    await manager.get_by_label(words["ask"]).fill(question)
    await manager.get_by_role("button", name=words["send_question"]).click()
    mine = thread.locator("ol.thread > li").filter(has_text=question)
    await mine.get_by_text(words["waiting"]).wait_for(timeout=10_000)
    assert words["you"] in await mine.inner_text()
    await thread.get_by_role("status").get_by_text(words["queued"]).wait_for()
    assert await manager.get_by_label(words["ask"]).input_value() == ""
    assert await _comments_on_server(api, agent.headers, claim_id) == []
    await _no_sideways_scroll(manager)

    # Back online: it syncs by itself; the claim was not returned.
    await manager_context.set_offline(False)
    deadline = asyncio.get_running_loop().time() + 30
    while not await _comments_on_server(api, agent.headers, claim_id):
        assert asyncio.get_running_loop().time() < deadline, "the question never synced"
        await asyncio.sleep(0.3)
    assert await _comments_on_server(api, agent.headers, claim_id) == [question]
    claim = await _state(api, agent.headers, f"/api/v1/claims/{claim_id}")
    assert claim["state"] == "submitted"
    await mine.get_by_text(words["waiting"]).wait_for(state="detached", timeout=30_000)
    await thread.get_by_role("status").get_by_text(words["delivered"]).wait_for()

    # The agent's phone shows the push in their language; a tap opens the claim.
    deadline = asyncio.get_running_loop().time() + 30
    while not (
        pushed := [m for m in push_service.messages(device) if claim_id.encode() in m.plaintext]
    ):
        assert asyncio.get_running_loop().time() < deadline, "no push for the question"
        await asyncio.sleep(0.1)
    shown = await deliver_push(phone, running_app.base_url, registrations[-1], pushed[0].plaintext)
    assert [(n["title"].split(" (")[0], n["data"]["url"]) for n in shown] == [
        (words["push"], f"/claims/{claim_id}")
    ], shown
    assert question in shown[0]["body"]
    [worker] = agent_context.service_workers
    assert (await worker.evaluate(TAP_NOTIFICATION, claim_id))["found"]
    await phone.wait_for_url(f"**/claims/{claim_id}", timeout=15_000)

    # The agent reads it on their claim (a list: who, when, what) and answers.
    asked = phone.locator(f"section[data-thread='{claim_id}'] ol.thread > li")
    await asked.filter(has_text=question).wait_for(timeout=30_000)
    first = await asked.first.inner_text()
    assert "manager" in first.lower() and question in first, first
    assert await asked.first.locator("time[datetime]").count() == 1
    violations = await audit(phone, f"agent-claim-thread-{lang}")
    assert violations == [], violations
    await _no_sideways_scroll(phone)
    await phone.get_by_label(words["answer"]).fill(answer)
    await phone.get_by_role("button", name=words["send_answer"]).click()
    await asked.filter(has_text=answer).wait_for()

    # The manager's open decision screen shows the answer once it syncs.
    await thread.locator("ol.thread > li").filter(has_text=answer).wait_for(timeout=45_000)
    texts = await thread.locator("ol.thread > li").all_inner_texts()
    assert [question in texts[0], answer in texts[1]] == [True, True], texts
    assert "agent" in texts[1].lower(), texts
    violations = await audit(manager, f"manager-claim-thread-{lang}")
    assert violations == [], violations
    await _no_sideways_scroll(manager)
    await manager.screenshot(path=f"/tmp/comments-manager-{lang}.png", full_page=True)
    await phone.screenshot(path=f"/tmp/comments-agent-{lang}.png", full_page=True)
    assert await _comments_on_server(api, agent.headers, claim_id) == [question, answer]
