"""Proof journey of an agent on the road (#17), on data created and synced through the product:
offline, the agent creates a mission with its departure and return times and a booking; back
online it syncs and shows the allowance the server computed; the manager returns it, the
agent edits the return time and sends it again (a sixth meal), the manager approves it (API);
from the claim one tap opens the camera and the photo becomes a line; the agent submits, the
manager returns the claim with a reason, the agent (in English now) sees the reason on top;
a taxi added without its receipt makes the next submission refused, named on the claim with
the line and a way to it; the agent deletes that line, fixes the meal and submits again.
Phone size, Debian's chromium, the real server; axe finds no serious or critical violation
on the screens of the journey."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest

from bench.synthetic_receipts import render_receipt
from tests.integration.browser.conftest import GO_TO, RunningApp, api_login, audit, sign_in
from tests.integration.browser.test_receipt_ocr import _pulled, _push, shot

pytestmark = pytest.mark.browser

PURPOSE = "Comité de pilotage à Lyon"
RETURN_REASON = "Le ticket indique 17,90 €, pas 18,50 €."


def receipt_photo() -> bytes:
    photo, _truth = render_receipt(3)
    out = io.BytesIO()
    photo.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


async def sync(page, button: str = "Synchroniser", sent: str = "Tout est envoyé") -> None:  # type: ignore[no-untyped-def]
    """Sends and pulls now (the sync page's button), then waits until nothing is pending."""
    await page.evaluate(GO_TO, "/sync")
    await page.get_by_role("button", name=button).click()
    await page.wait_for_function(
        "t => document.querySelector('header').innerText.includes(t)", arg=sent, timeout=45_000)


async def decide(app: RunningApp, manager: str, entity: str, row_id: str, decision: str,
                 reason: str = "") -> dict[str, Any]:
    """The manager decides on what they pulled (its content hash), through the sync API."""
    async with httpx.AsyncClient(base_url=app.base_url, timeout=20) as api:
        headers = await api_login(api, app, manager)
        seen = await _pulled(api, headers, entity, row_id)
        await _push(api, headers, [(f"{entity}.decide", {
            "id": row_id, "decision": decision, "expected_state": seen["state"],
            "content_hash": seen["content_hash"], "reason": reason})])
        return seen


async def read_row(app: RunningApp, person: str, entity: str, row_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=app.base_url, timeout=20) as api:
        return await _pulled(api, await api_login(api, app, person), entity, row_id)


async def test_agent_from_booking_to_a_returned_claim_fixed(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    page = await phone.new_page()
    await sign_in(page, running_app, "agent_road")
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)

    # Offline: the mission with its times and a booking, sent for approval.
    await phone.set_offline(True)
    await page.get_by_role("status").filter(has_text="Hors ligne").wait_for()
    await page.get_by_role("link", name="Nouvelle mission").click()
    await page.get_by_label("Objet").fill(PURPOSE)
    await page.get_by_label("Destination").fill("Lyon")
    assert await page.get_by_label("Pays").input_value() == "FR"  # France by default
    await page.get_by_label("Départ (heure locale)").fill("2026-12-07T08:00")
    await page.get_by_label("Retour (heure locale)").fill("2026-12-09T20:00")
    await page.get_by_role("button", name="Ajouter une réservation").click()
    booking = page.get_by_role("group", name="Réservation 1")
    await booking.get_by_label("Ce qui est réservé").fill("TGV Paris–Lyon")
    await booking.get_by_label("Tarif (€)").fill("89,00")
    await booking.get_by_label("Option valable jusqu’au (heure locale)").fill("2026-12-05T18:00")
    await shot(page, "agent-road-mission-form-offline", "fieldset")
    assert await audit(page, "agent-road-mission-form") == []
    await page.get_by_role("button", name="Créer la mission").click()
    await page.get_by_role("heading", name=PURPOSE).wait_for()
    card = await page.locator("main").inner_text()
    assert "TGV Paris–Lyon" in card and "89,00" in card, card
    assert "calculées par le serveur une fois la mission envoyée" in card, card
    await page.get_by_role("button", name="Envoyer pour validation").click()
    await page.get_by_text("En attente d’envoi").first.wait_for()
    mission_url = page.url

    # Online: it reaches the server, which computes the allowance the phone then shows.
    await phone.set_offline(False)
    await sync(page)
    await page.goto(mission_url)
    allowance = page.locator("section").filter(has_text="Indemnités (calculées par le serveur)")
    await allowance.get_by_text("340,00").wait_for(timeout=30_000)
    mission_id = mission_url.rstrip("/").split("/")[-1]
    stored = await read_row(running_app, "agent_road", "mission", mission_id)
    assert (stored["allowance"]["meals"], stored["allowance"]["nights"],
            stored["allowance"]["expected_cents"]) == (5, 2, 34_000)
    assert stored["departs_at"] == "2026-12-07T07:00:00Z"  # 08:00 in Lyon
    assert stored["bookings"][0]["expires_at"] == "2026-12-05T17:00:00Z"
    assert stored["bookings"][0]["mode"] == "train" and stored["state"] == "submitted"
    text = " ".join((await allowance.inner_text()).replace("\u202f", " ").split())
    for figure in ("Repas 5 · 100,00 €", "Nuitées 2", "Montant prévu 340,00 €"):
        assert figure in text, text
    await shot(page, "agent-road-mission-allowance", "section")
    assert await audit(page, "agent-road-mission-allowance-full") == []

    # The manager returns it: the agent reads why on the mission, moves the return past 21:00,
    # sends it again, and the server counts a sixth meal.
    await decide(running_app, "manager_b", "mission", mission_id, "return",
                 "La réunion finit à 20 h : retour plus tard.")
    await sync(page)
    await page.goto(mission_url)
    await page.get_by_text("Renvoyé par votre responsable : La réunion finit à 20 h").wait_for(
        timeout=30_000)
    await page.get_by_role("link", name="Modifier la mission").click()
    assert await page.get_by_label("Retour (heure locale)").input_value() == "2026-12-09T20:00"
    await page.get_by_label("Retour (heure locale)").fill("2026-12-09T21:30")
    await page.get_by_role("button", name="Enregistrer les modifications").click()
    await page.get_by_role("heading", name=PURPOSE).wait_for()
    await page.get_by_role("button", name="Envoyer pour validation").click()
    await sync(page)
    await page.goto(mission_url)
    await allowance.get_by_text("360,00").wait_for(timeout=30_000)
    stored = await read_row(running_app, "agent_road", "mission", mission_id)
    assert (stored["state"], stored["allowance"]["meals"]) == ("submitted", 6), stored

    # The manager approves; the agent opens the claim and photographs a receipt: one tap on
    # the claim opens the camera (capture=environment), the photo becomes the line.
    await decide(running_app, "manager_b", "mission", mission_id, "approve")
    await sync(page)
    await page.goto(mission_url)
    await page.get_by_text("Validée").first.wait_for(timeout=30_000)
    await page.get_by_role("button", name="État de frais").click()
    await page.get_by_role("heading", name=f"État de frais — {PURPOSE}").wait_for()
    capture = page.locator("input#capture")
    assert await capture.get_attribute("capture") == "environment"
    async with page.expect_file_chooser() as chooser:
        await page.get_by_text("Photographier un justificatif").click()  # tap 1
    await (await chooser.value).set_files(files=[{  # taps 2-3 are the camera's own
        "name": "IMG_20261208_1312.jpg", "mimeType": "image/jpeg", "buffer": receipt_photo()}])
    await page.get_by_text("Justificatif de la ligne, pas encore lu").or_(
        page.get_by_text("Justificatif joint.")).first.wait_for(timeout=20_000)
    claim_url = page.url.split("/lines/")[0]
    await page.get_by_label("Catégorie").select_option("meal")
    await page.get_by_label("Commerçant").fill("Bouchon des Cordeliers")
    await page.get_by_label("Date", exact=True).fill("2026-12-08")
    await page.get_by_label("Montant TTC (€)").fill("18,50")
    await page.get_by_role("button", name="Enregistrer").click()
    await page.get_by_role("heading", name=f"État de frais — {PURPOSE}").wait_for()
    await page.get_by_role("button", name="Envoyer l’état de frais").click()
    await sync(page)
    claim_id = claim_url.rstrip("/").split("/")[-1]
    submitted = await read_row(running_app, "agent_road", "expense_claim", claim_id)
    assert submitted["state"] == "submitted", submitted

    # Returned with a reason; the agent reads it in English at the top of the claim.
    await decide(running_app, "manager_b", "expense_claim", claim_id, "return", RETURN_REASON)
    await sync(page)
    await page.evaluate(GO_TO, "/settings")
    await page.get_by_label("English").check()
    await page.goto(claim_url)
    reason = page.get_by_text(f"Returned by your manager: {RETURN_REASON}")
    await reason.wait_for(timeout=30_000)
    top = await page.locator("main").inner_text()
    assert top.index("Returned by your manager") < top.index("Expense lines"), top
    await shot(page, "agent-road-claim-returned-en")
    assert await audit(page, "agent-road-claim-returned-en-full") == []

    # A taxi without its receipt: the submission is refused, and the refusal is named where
    # the agent acts (the claim, the line), with a one-tap way to the line; the agent deletes
    # it, fixes the meal's amount and submits again.
    await page.get_by_role("link", name="Add a receipt").click()
    await page.get_by_label("Category").select_option("taxi")
    await page.get_by_label("Merchant").fill("Taxi Lyon")
    await page.get_by_label("Date", exact=True).fill("2026-12-08")
    await page.get_by_label("Amount incl. VAT (€)").fill("12.00")
    await page.get_by_role("button", name="Save").click()
    line = page.locator("li.card").filter(has_text="Bouchon des Cordeliers")
    await line.get_by_role("link").click()
    await page.get_by_label("Amount incl. VAT (€)").fill("17.90")
    await page.get_by_role("button", name="Save").click()
    await page.get_by_role("button", name="Submit the claim").click()
    await page.evaluate(GO_TO, "/sync")
    await page.get_by_role("button", name="Sync now").click()
    await page.get_by_text("Sent, but 1 change(s) were not accepted: see below.").wait_for(
        timeout=45_000)
    await page.get_by_text("Tap “Fix it” to open the line").wait_for()
    await shot(page, "agent-road-sync-refused-en", "#problems")
    await page.goto(claim_url)
    refusal = page.get_by_role("alert").filter(has_text="Not accepted: Submitting an expense claim")
    await refusal.wait_for(timeout=20_000)
    said = await refusal.inner_text()
    assert "Taxi Lyon" in said and "receipt is missing" in said, said
    await shot(page, "agent-road-claim-refused-en")
    assert await audit(page, "agent-road-claim-refused-en-full") == []
    await refusal.get_by_role("link", name="Fix it").click()
    await page.get_by_role("heading", name="Taxi Lyon").wait_for()
    await page.get_by_role("button", name="Delete this line").click()
    await page.get_by_role("button", name="Confirm: delete this line").click()
    await page.get_by_role("heading", name=f"Expense claim — {PURPOSE}").wait_for()
    await page.get_by_role("alert").filter(has_text="Not accepted").get_by_role(
        "button", name="Understood").click()
    await page.get_by_role("button", name="Submit the claim").click()
    await sync(page, "Sync now", "Everything is sent")
    again = await read_row(running_app, "agent_road", "expense_claim", claim_id)
    # The meal receipt is a proof: meals are the flat allowance computed from the mission's
    # times (6 meals × 20 €), so the 17.90 € receipt is not added on top.
    assert (again["state"], again["allowance_cents"], again["total_cents"]) == (
        "submitted", 12000, 12000), again
    await page.goto(claim_url)
    await page.get_by_role("button", name="Withdraw the claim").wait_for()
    assert "Taxi Lyon" not in await page.locator("main").inner_text()
    # What the claim comes to is the server's figures, not the sum of the receipts typed in
    # (the 17.90 € meal receipt is a proof, the meals are the allowance).
    totals = page.locator("[data-claim-totals]")
    text = " ".join((await totals.inner_text()).replace("\u202f", " ").split())
    for figure in ("Receipts counted €0.00", "Allowances (mission times) €120.00",
                   "To be paid to you €120.00"):
        assert figure in text, text
    # The server's findings on the line, in the agent's language, where the line is shown.
    assert again["findings"], again  # e.g. the meal's VAT rate, as checked by the server
    shown = await page.get_by_role("list", name="Checks on this line").inner_text()
    for finding in again["findings"]:
        assert finding["message_en"] in shown, (finding, shown)
    await shot(page, "agent-road-claim-resubmitted-en")
    assert await audit(page, "agent-road-claim-resubmitted-en-full") == []

    # Before the manager decides, the agent can still take the claim back.
    await page.get_by_role("button", name="Withdraw the claim").click()
    await sync(page, "Sync now", "Everything is sent")
    withdrawn = await read_row(running_app, "agent_road", "expense_claim", claim_id)
    assert withdrawn["state"] == "draft", withdrawn
