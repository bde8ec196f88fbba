"""An agent who drives, on a phone (360 px), on data created and synced through the product:
creates a mission and downloads its order as a PDF; on the claim, a mileage line is refused
before the car is entered (offline rule, same data as the server), then priced from the car
(5 CV, 1,800 km declared: 500 km = 200 × 0.32 + 300 × 0.40 = 184 €) with the split shown; the
server prices it the same; the claim's PDF prints the split; another agent gets no PDF."""

from __future__ import annotations

import httpx
import pypdfium2
import pytest

from tests.integration.browser.conftest import GO_TO, RunningApp, api_login, sign_in
from tests.integration.browser.test_agent_road import decide, read_row, sync

pytestmark = pytest.mark.browser

PURPOSE = "Visite du chantier de Rouen"


def spaced(text: str) -> str:
    """Text with the narrow and no-break spaces of French numbers as plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


async def download(page, button: str) -> bytes:  # type: ignore[no-untyped-def]
    """Taps the PDF button and returns the bytes of the file the phone receives."""
    async with page.expect_download(timeout=30_000) as info:
        await page.get_by_role("button", name=button).click()
    file = await (await info.value).path()
    return bytes(file.read_bytes())


async def test_mileage_from_the_car_and_pdfs(phone, running_app: RunningApp) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await sign_in(page, running_app, "agent_car")
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    await page.get_by_role("link", name="Nouvelle mission").first.click()
    await page.get_by_label("Objet").fill(PURPOSE)
    await page.get_by_label("Destination").fill("Rouen")
    await page.get_by_label("Départ (heure locale)").fill("2026-12-07T07:30")
    await page.get_by_label("Retour (heure locale)").fill("2026-12-08T19:00")
    await page.get_by_role("button", name="Créer la mission").click()
    await page.get_by_role("heading", name=PURPOSE).wait_for()
    mission_url = page.url
    mission_id = mission_url.rstrip("/").split("/")[-1]
    await page.get_by_role("button", name="Envoyer pour validation").click()
    await sync(page)
    await page.goto(mission_url)

    # The mission order, downloaded from the mission screen, in French.
    order = await download(page, "Télécharger l’ordre de mission (PDF)")
    assert order.startswith(b"%PDF")
    text = pdf_text(order)
    assert "Ordre de mission" in text and PURPOSE in text and "Rouen" in text
    await page.screenshot(path="/tmp/mileage-mission-pdf.png", full_page=True)

    # Approved by the manager, the agent opens the claim and, offline, adds a mileage line:
    # refused before the car is entered, by the phone itself with the server's words.
    await decide(running_app, "manager_b", "mission", mission_id, "approve")
    await sync(page)
    await page.goto(mission_url)
    await page.get_by_text("Validée").first.wait_for(timeout=30_000)
    await page.get_by_role("button", name="État de frais").click()
    await page.get_by_role("heading", name=f"État de frais — {PURPOSE}").wait_for()
    claim_url = page.url
    await phone.set_offline(True)
    await page.get_by_role("link", name="Ajouter un justificatif").click()
    await page.get_by_label("Catégorie").select_option("mileage")
    await page.get_by_label("Date", exact=True).fill("2026-12-07")
    await page.get_by_label("Distance (km)").fill("500")
    await page.get_by_role("button", name="Enregistrer").click()
    refusal = page.get_by_role("alert")
    await refusal.get_by_text("Renseignez d'abord votre véhicule").wait_for()

    # The car, in the settings (still offline, queued): 5 CV, 1,800 km already this year.
    await page.evaluate(GO_TO, "/settings")
    await page.get_by_role("link", name="Mon véhicule").click()
    await page.get_by_label("Puissance fiscale (CV)").fill("5")
    await page.get_by_label("Km professionnels déjà parcourus en 2026 avant Nomade").fill("1800")
    await page.get_by_role("button", name="Enregistrer").click()
    await page.get_by_text("Véhicule enregistré.").wait_for()
    await page.get_by_text("Km professionnels en 2026 à ce jour : 1 800 km").wait_for()
    await page.screenshot(path="/tmp/mileage-vehicle.png", full_page=True)

    # Back on the claim, the same line is priced band by band before saving, offline.
    await page.evaluate(GO_TO, claim_url.split(running_app.base_url, 1)[-1])
    await page.get_by_role("link", name="Ajouter un justificatif").click()
    await page.get_by_label("Catégorie").select_option("mileage")
    await page.get_by_label("Date", exact=True).fill("2026-12-07")
    await page.get_by_label("Distance (km)").fill("500")
    amount = page.get_by_test_id("mileage-amount")
    assert spaced(await amount.inner_text()) == "184,00 €"
    split = spaced(await page.get_by_test_id("mileage-split").inner_text())
    assert split == "5 CV : 200 km × 0,32 € + 300 km × 0,40 €", split
    await page.screenshot(path="/tmp/mileage-line-preview.png", full_page=True)
    await page.get_by_role("button", name="Enregistrer").click()
    await page.get_by_role("heading", name=f"État de frais — {PURPOSE}").wait_for()
    await phone.set_offline(False)
    await sync(page)
    await page.goto(claim_url)
    await page.get_by_test_id("mileage-split").wait_for(timeout=30_000)
    card = spaced(await page.get_by_role("listitem").filter(
        has_text="Indemnités kilométriques").inner_text())
    assert "184,00 €" in card and "Aucun justificatif" not in card, card
    await page.screenshot(path="/tmp/mileage-claim.png", full_page=True)
    claim_id = claim_url.rstrip("/").split("/")[-1]

    # The server priced it the same, and prints the split on the claim's PDF.
    async with httpx.AsyncClient(base_url=running_app.base_url, timeout=30) as api:
        headers = await api_login(api, running_app, "agent_car")
        pulled = await api.post("/sync/v1/pull", headers=headers, json={
            "client_id": "00000000-0000-7000-8000-00000000c0a7", "limit": 1000})
        mileage = [op["data"] for op in pulled.json()["patch"]
                   if op["entity"] == "expense_line" and op["data"].get("claim_id") == claim_id]
        assert [(m["amount_cents"], m["km"]) for m in mileage] == [(18400, 500)]
        others = await api_login(api, running_app, "agent_b")
        for path in (f"/api/v1/missions/{mission_id}/order.pdf",
                     f"/api/v1/claims/{claim_id}/claim.pdf"):
            assert (await api.get(path, headers=others)).status_code == 404
    claim_pdf = await download(page, "Télécharger l’état de frais (PDF)")
    assert claim_pdf.startswith(b"%PDF")
    text = pdf_text(claim_pdf)
    assert "État de frais" in text and "200 km × 0,32 + 300 km × 0,40" in text
    assert (await read_row(running_app, "agent_car", "mission", mission_id))["purpose"] == PURPOSE
