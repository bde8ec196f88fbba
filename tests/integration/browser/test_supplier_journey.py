"""A supplier acts on their invoices on a 360 px phone, on synced data (the integration API
feeds the real server): a suspension push opens the invoice, the supplier photographs the
missing document and answers offline, sees COMPLETEE and the new deadline once synced; later
an invoice is late with the interest owed, then paid with its details; the list is exported.
French then English; axe finds no serious or critical violation."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.integration.browser.conftest import (
    GO_TO,
    RunningApp,
    api_login,
    audit,
    deliver_push,
    screenshot_path,
    sign_in,
    watch_service_worker,
)
from tests.pushservice import FakePushService

pytestmark = pytest.mark.browser
SYNCED = "document.querySelector('header').innerText.includes('Tout est envoyé')"


async def integration(app: RunningApp, *events: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=app.base_url, timeout=20) as api:
        response = await api.post("/integration/v1/events", json={"events": list(events)},
                                   headers={"X-Api-Key": app.integration_key})
    assert response.status_code == 200, response.text
    assert all(r["status"] == "accepted" for r in response.json()["results"]), response.text


def created(app: RunningApp, number: str, at: datetime) -> dict[str, Any]:
    return {"event_id": uuid.uuid4().hex, "type": "invoice.created", "occurred_at": at.isoformat(),
            "invoice": {"number": number, "supplier_siret": app.supplier_siret,
                        "issued_on": at.date().isoformat(), "amount_ht_cents": 100_000,
                        "vat_cents": 20_000, "amount_ttc_cents": 120_000, "lines": []}}


def status(app: RunningApp, number: str, code: str, at: datetime,
           reason: str = "") -> dict[str, Any]:
    return {"event_id": uuid.uuid4().hex, "type": "invoice.status", "occurred_at": at.isoformat(),
            "status": {"number": number, "supplier_siret": app.supplier_siret, "code": code,
                       "reason": reason}}


def photo(tmp: Path) -> Path:
    """A real JPEG, as the phone's camera would hand it over."""
    path = tmp / "attestation.jpg"
    image = Image.new("RGB", (640, 480), "white")
    for x in range(40, 600):
        for y in (100, 200, 300):
            image.putpixel((x, y), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    path.write_bytes(buffer.getvalue())
    return path


async def server_invoice(app: RunningApp, headers: dict[str, str], number: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=app.base_url, timeout=20) as api:
        page = (await api.get("/api/v1/invoices", params={"q": number}, headers=headers)).json()
    [item] = page["items"]
    return item  # type: ignore[no-any-return]


async def test_supplier_answers_a_suspension_offline_then_follows_lateness_and_payment(
    phone, running_app: RunningApp, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:5].upper()
    suspended, late = f"F-SUS-{tag}", f"F-LATE-{tag}"
    now = datetime.now(UTC)
    received = now - timedelta(days=20)
    with FakePushService() as push_service:
        device = push_service.new_subscription()
        async with httpx.AsyncClient(base_url=running_app.base_url, timeout=20) as api:
            supplier = await api_login(api, running_app, "supplier")
            back_office = await api_login(api, running_app, "back_office")
            # A French device: the account's language is whatever another journey left.
            response = await api.post("/api/v1/push/subscriptions", headers=supplier,
                                      json={**device.info, "user_agent": "chromium test",
                                            "language": "fr"})
            assert response.status_code == 200, response.text
            response = await api.put("/api/v1/push/preferences", headers=supplier, json={
                "modes": {"invoice_status_changed": "immediate"},
                "quiet_start": None, "quiet_end": None})
            assert response.status_code == 200, response.text
        await phone.grant_permissions(["notifications"], origin=running_app.base_url)
        page = await phone.new_page()
        registrations = await watch_service_worker(phone, page)
        await sign_in(page, running_app, "supplier")
        await page.wait_for_function("navigator.serviceWorker.controller !== null",
                                     timeout=20_000)
        # The buyer interrupts the deadline 9 days after receipt (21 days were left).
        await integration(running_app, created(running_app, suspended, received),
                          status(running_app, suspended, "SUSPENDUE",
                                 received + timedelta(days=9), "Attestation d'assurance manquante"))
        messages = await push_service.wait_for_async(device, 2, timeout=30)
        assert b"suspendue" in messages[-1].plaintext.lower(), messages[-1].plaintext[:200]
        shown = await deliver_push(page, running_app.base_url, registrations[-1],
                                   messages[-1].plaintext)
    assert shown and suspended in shown[-1]["title"] + shown[-1]["body"]
    url = shown[-1]["data"]["url"]
    await phone.service_workers[0].evaluate(
        """url => self.clients.matchAll({type: 'window', includeUncontrolled: true})
            .then(ws => ws.forEach(w => w.postMessage({type: 'NAVIGATE', url})))""", url)
    await page.wait_for_url(f"**{url}")
    # Opened before the phone pulled the invoice: the screen pulls it (no reload needed).
    await page.get_by_role("heading", name=suspended).wait_for(timeout=30_000)
    form = page.get_by_role("form", name="Répondre à la suspension")
    await form.wait_for(timeout=30_000)
    assert "Attestation d'assurance manquante" in await form.inner_text()
    assert "Délai interrompu" in await page.locator("main").inner_text()
    assert await audit(page, "supplier-answer-form") == []

    # Offline: photograph the missing document and answer.
    await phone.set_offline(True)
    await form.get_by_label("Votre message").fill("Voici l'attestation demandée.")
    await page.locator("#doc-camera").set_input_files(str(photo(tmp_path)))
    await form.get_by_text("attestation.jpg", exact=True).wait_for()
    await form.get_by_role("button", name="Envoyer la réponse").click()
    await page.get_by_text("Réponse enregistrée").wait_for()
    await page.get_by_text("Complétée après suspension").first.wait_for()
    await page.screenshot(path=screenshot_path("supplier-answered-offline"), full_page=True)

    # Online again: the photo uploads, the answer reaches the server, the new deadline shows.
    await phone.set_offline(False)
    await page.wait_for_function(SYNCED, timeout=30_000)
    for _ in range(60):
        item = await server_invoice(running_app, back_office, suspended)
        if item["status_code"] == "COMPLETEE":
            break
        await asyncio.sleep(0.5)
    assert item["status_code"] == "COMPLETEE", item
    answer = item["history"][-1]
    assert answer["reason"] == "Voici l'attestation demandée."
    assert [a["name"] for a in answer["attachments"]] == ["attestation.jpg"]
    async with httpx.AsyncClient(base_url=running_app.base_url, timeout=20) as api:
        download = await api.get(f"/sync/v1/blobs/{answer['attachments'][0]['sha256']}",
                                 headers=back_office)
    assert download.status_code == 200 and download.content[:3] == b"\xff\xd8\xff"
    due = datetime.fromisoformat(item["due_at"])
    assert abs(due - (datetime.fromisoformat(answer["occurred_at"]) + timedelta(days=30))) < (
        timedelta(seconds=5))
    await page.reload()
    await page.get_by_role("heading", name=suspended).wait_for(timeout=30_000)
    deadline = page.locator("[data-deadline]")
    await page.get_by_text("jours restants").first.wait_for(timeout=30_000)
    assert "30 jours restants" in await deadline.inner_text()
    assert "via Nomade" in await page.locator("main").inner_text()
    await page.screenshot(path=screenshot_path("supplier-completed-new-deadline"),
                          full_page=True)

    # Later: another invoice 15 days past its 30 days, with the interest it owes.
    await integration(running_app, created(running_app, late, now - timedelta(days=45)))
    await page.evaluate(GO_TO, "/invoices")
    await page.reload()
    card = page.get_by_role("listitem").filter(has_text=late)
    await card.wait_for(timeout=30_000)
    assert "En retard de 15 jours" in await card.inner_text()
    await card.get_by_role("link").click()
    await page.get_by_role("heading", name=late).wait_for()
    charges = page.get_by_role("region", name="Dû pour retard de paiement")
    await charges.wait_for()
    text = await charges.inner_text()
    # 1,200.00 € × 10.15 % × 15 / 365 = 5.0055 € → 5.01 €; + the 40 € indemnity.
    assert "Intérêts moratoires (10,15 %, 15 jours)" in text, text
    assert "5,01" in text and "40,00" in text and "45,01" in text, text
    assert await audit(page, "supplier-late-interest") == []

    # Paid: the payment and its bank reference reach the phone.
    await integration(running_app, {
        "event_id": uuid.uuid4().hex, "type": "invoice.payment",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payment": {"number": late, "supplier_siret": running_app.supplier_siret,
                    "amount_cents": 120_000, "bank_reference": f"VIR-{tag}"}})
    await page.reload()
    await page.get_by_role("heading", name=late).wait_for(timeout=30_000)
    payments = page.get_by_role("region", name="Paiements")
    await payments.wait_for(timeout=30_000)
    assert f"Référence VIR-{tag}" in await payments.inner_text()
    assert "Mise en paiement" in await page.locator("main").inner_text()
    await page.screenshot(path=screenshot_path("supplier-paid-details"), full_page=True)

    # The list, late first, exported as CSV.
    await page.evaluate(GO_TO, "/invoices")
    await page.get_by_label("Trier par").select_option("lateness")
    async with page.expect_download() as waiting:
        await page.get_by_role("button", name="Exporter la liste (CSV)").click()
    download_path = await (await waiting.value).path()
    csv_text = Path(download_path).read_text(encoding="utf-8-sig")
    assert csv_text.startswith("Numéro;Acheteur;")
    assert late in csv_text and suspended in csv_text
    assert await audit(page, "supplier-invoice-list") == []
    await page.evaluate(GO_TO, "/stats")
    await page.get_by_role("heading", name="Statistiques").wait_for()
    assert await audit(page, "supplier-statistics") == []

    # The same in English.
    await page.evaluate(GO_TO, "/settings")
    await page.get_by_role("radio", name="English").check()
    await page.evaluate(GO_TO, "/invoices")
    await page.get_by_role("listitem").filter(has_text=late).get_by_role("link").click()
    await page.get_by_role("heading", name=late).wait_for()
    english = await page.locator("main").inner_text()
    assert "Owed to you for late payment" in english and f"Reference VIR-{tag}" in english
    assert await audit(page, "supplier-paid-details-en") == []
    await page.evaluate(GO_TO, "/stats")
    await page.get_by_role("heading", name="Statistics").wait_for()
    assert await audit(page, "supplier-statistics-en") == []
