"""Proof journey: an agent, offline, creates a mission and an expense line with a receipt photo
picked through the file input; back online the line and its photo reach the server, the OCR job
reads the receipt, the phone (poked) pulls the line and shows the fields the reading filled,
each with its confidence. In Debian's chromium at phone size against the real server, with the
real Tesseract (the test server runs jobs in its own process)."""

from __future__ import annotations

import io
import math
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from PIL import Image

from bench.synthetic_receipts import render_receipt
from tests.integration.browser.conftest import (
    GO_TO,
    RunningApp,
    api_login,
    audit,
    screenshot_path,
    sign_in,
)

pytestmark = pytest.mark.browser

SYNCED = "document.querySelector('header').innerText.includes('Tout est envoyé')"


def phone_photo_of_a_receipt() -> bytes:
    """A French restaurant bill rendered by the project (bench/synthetic_receipts, seed 0:
    AU BON ACCUEIL, 24/02/2025, 146,25 € TTC), enlarged to a phone camera's size."""
    photo, truth = render_receipt(0)
    assert (truth["company"], truth["date"], truth["total"]) == (
        "AU BON ACCUEIL", "24/02/2025", "146.25")
    big = photo.resize((photo.width * 3, photo.height * 3), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    big.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def size_on_the_phone(photo: bytes, longest: int = 2000) -> tuple[int, int]:
    """The size the phone downscales ``photo`` to (pwa/src/app/image.ts ``fitWithin``),
    computed from the photo itself: its width depends on the fonts the machine rendered the
    receipt with (Liberation or DejaVu), so no constant would hold everywhere."""
    with Image.open(io.BytesIO(photo)) as image:
        width, height = image.size
    scale = min(1.0, longest / max(width, height))
    return (max(1, math.floor(width * scale + 0.5)), max(1, math.floor(height * scale + 0.5)))


def server_rendition(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size of the server's rendition (ocr.thumbnails: longest side ``side``, aspect kept)
    of a photo of ``size`` as the phone sent it."""
    width, height = size
    scale = min(1.0, side / max(width, height))
    return (max(1, round(width * scale)), max(1, round(height * scale)))


async def shot(page, name: str, top: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """A phone-size screenshot of what the user sees, scrolled so that ``top`` (a CSS
    selector) sits just under the sticky header."""
    if top is not None:
        await page.locator(top).first.evaluate(
            "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 64)")
    await page.screenshot(path=screenshot_path(name))


THUMBNAIL = "img[data-receipt-thumbnail]"


async def loaded_image(page, selector: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Waits until the image is decoded; returns its alt text and natural size."""
    await page.wait_for_function(
        "s => { const i = document.querySelector(s); return i?.complete && i.naturalWidth > 0 }",
        arg=selector, timeout=20_000)
    return dict(await page.eval_on_selector(
        selector, "i => ({alt: i.alt, width: i.naturalWidth, height: i.naturalHeight})"))


async def _push(api: httpx.AsyncClient, headers: dict[str, str],
                intents: list[tuple[str, dict[str, Any]]]) -> None:
    now = datetime.now(UTC).isoformat()
    response = await api.post("/sync/v1/push", headers=headers, json={
        "client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [
            {"seq": n, "id": str(uuid.uuid4()), "name": name, "v": 1, "args": args,
             "client_time": now} for n, (name, args) in enumerate(intents, 1)]})
    assert response.status_code == 200, response.text
    assert all(a["status"] == "applied" for a in response.json()["acks"]), response.text


async def _pulled(api: httpx.AsyncClient, headers: dict[str, str], entity: str,
                  row_id: str) -> dict[str, Any]:
    cookie, client_id = None, str(uuid.uuid4())
    while True:
        response = await api.post("/sync/v1/pull", headers=headers, json={
            "client_id": client_id, "cookie": cookie, "limit": 1000})
        assert response.status_code == 200, response.text
        page = response.json()
        for op in page["patch"]:
            if op["entity"] == entity and op["id"] == row_id and op["op"] == "put":
                return dict(op["data"])
        if not page["has_more"]:
            raise AssertionError(f"{entity} {row_id} not pulled")
        cookie = page["cookie"]


async def approved_mission(app: RunningApp, agent: str, manager: str, purpose: str) -> str:
    """A mission of ``agent`` that ``manager`` approved (the trip the agent is on)."""
    mission_id = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=app.base_url, timeout=20) as api:
        agent_headers = await api_login(api, app, agent)
        await _push(api, agent_headers, [
            ("mission.create", {"id": mission_id, "purpose": purpose, "destination": "Lyon",
                                "starts_on": "2026-12-01", "ends_on": "2026-12-03",
                                "transport": "train", "estimated_cost_cents": 31_000}),
            ("mission.submit", {"id": mission_id, "expected_state": "draft"})])
        manager_headers = await api_login(api, app, manager)
        seen = await _pulled(api, manager_headers, "mission", mission_id)
        await _push(api, manager_headers, [
            ("mission.decide", {"id": mission_id, "decision": "approve",
                                "expected_state": "submitted",
                                "content_hash": seen["content_hash"]})])
    return mission_id


async def test_agent_offline_adds_a_receipt_and_sees_the_fields_read_from_it(
    phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    await approved_mission(running_app, "agent_b2", "manager_b", "Formation à Lyon")
    page = await phone.new_page()
    await sign_in(page, running_app, "agent_b2")
    trip = page.get_by_role("listitem").filter(has_text="Formation à Lyon")
    await trip.get_by_text("Validée").wait_for(timeout=30_000)
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)

    # Offline: a new mission, then the receipt of the current trip.
    await phone.set_offline(True)
    await page.get_by_role("status").filter(has_text="Hors ligne").wait_for()
    await page.get_by_role("link", name="Nouvelle mission").click()
    await page.get_by_label("Objet").fill("Audit du chantier de Nantes")
    await page.get_by_label("Destination").fill("Nantes")
    await page.get_by_label("Départ (heure locale)").fill("2027-01-11T08:00")
    await page.get_by_label("Retour (heure locale)").fill("2027-01-12T18:00")
    await page.get_by_role("button", name="Créer la mission").click()
    await page.get_by_role("heading", name="Audit du chantier de Nantes").wait_for()
    await page.get_by_text("En attente d’envoi").first.wait_for()

    await page.evaluate(GO_TO, "/missions")
    await trip.click()
    await page.get_by_role("button", name="État de frais").click()
    await page.get_by_role("heading", name="État de frais — Formation à Lyon").wait_for()
    await page.get_by_role("link", name="Ajouter un justificatif").click()
    photo = phone_photo_of_a_receipt()
    width, height = size_on_the_phone(photo)
    assert height == 2000 and 1000 < width < 2000  # a tall bill, taller than the limit
    await page.locator("input#picker").set_input_files(files=[{
        "name": "IMG_20250224_1312.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    ready = page.locator("[data-receipt-size]")
    await ready.wait_for(timeout=20_000)
    assert await ready.get_attribute("data-receipt-size") == f"{width} × {height}"
    await page.get_by_text("Laissez vide ce qui figure sur le justificatif").wait_for()
    await shot(page, "agent-receipt-picked-offline", "fieldset")
    await page.get_by_role("button", name="Enregistrer").click()  # merchant, date, amount blank

    line = page.get_by_role("listitem").filter(has_text="À lire sur le justificatif")
    await line.get_by_text("En attente d’envoi").wait_for()
    header = page.locator("header")
    assert "4 modifications en attente" in await header.inner_text()  # mission, claim, line, photo
    await shot(page, "agent-receipt-line-offline")

    # Still offline, the line shows its receipt from the photo queued on the phone.
    await line.get_by_role("link").click()
    offline_thumb = await loaded_image(page, THUMBNAIL)
    assert offline_thumb == {"alt": "Justificatif de la ligne, pas encore lu",
                             "width": width, "height": height}, offline_thumb  # the queued photo
    await shot(page, "agent-receipt-thumbnail-offline", "fieldset")
    assert await audit(page, "agent-receipt-thumbnail-offline-full") == []
    await page.go_back()
    await line.wait_for()

    # Online: everything is sent, the receipt is read, and the phone is poked to pull the line
    # (measured: ~1 s to send, ~2.4 s more to read and show; the periodic pull is every 60 s).
    await phone.set_offline(False)
    await page.wait_for_function(SYNCED, timeout=45_000)
    read = page.locator("li.card").filter(has_text="AU BON ACCUEIL")  # the card, not its findings
    await read.wait_for(timeout=40_000)
    card = await read.inner_text()
    assert "146,25" in card and "24 févr. 2025" in card, card
    assert "Lu sur le justificatif" in card and "En attente d’envoi" not in card, card
    assert "Au-delà de l’indemnité de repas" in card, card  # the policy warning of the line
    await shot(page, "agent-receipt-line-read")
    assert await audit(page, "agent-receipt-line-read-full") == []

    # The line itself: the fields filled by the reading, each with its confidence.
    await read.get_by_role("link").click()
    await page.get_by_role("heading", name="AU BON ACCUEIL").wait_for()
    assert await page.get_by_label("Commerçant").input_value() == "AU BON ACCUEIL"
    assert await page.get_by_label("Date").input_value() == "2025-02-24"
    assert await page.get_by_label("Montant TTC (€)").input_value() == "146,25"
    for field in ("merchant", "spent_on", "amount"):
        label = await page.locator(f"label[for={field}]").inner_text()
        assert "confiance" in label and "%" in label, label
    assert "confiance 100" in await page.locator("label[for=amount]").inner_text()
    # The receipt beside them: the server's thumbnail now (the photo left the phone).
    thumb = await loaded_image(page, THUMBNAIL)
    thumb_width, thumb_height = server_rendition((width, height), 480)
    assert thumb == {"alt": "Justificatif : AU BON ACCUEIL, 24 févr. 2025",
                     "width": thumb_width, "height": thumb_height}, thumb
    await shot(page, "agent-receipt-fields-fr", "form")
    await shot(page, "agent-receipt-thumbnail-fr", "fieldset")
    assert await audit(page, "agent-receipt-fields-fr-full") == []

    # Enter on the thumbnail opens the full image in a dialog; Escape closes it.
    opener = page.get_by_role("button", name="Justificatif : AU BON ACCUEIL, 24 févr. 2025")
    await opener.focus()
    await page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Justificatif : AU BON ACCUEIL, 24 févr. 2025")
    await dialog.wait_for()
    full = await loaded_image(page, "dialog img[data-receipt-full]")
    assert (full["width"], full["height"]) == server_rendition((width, height), 1600), full
    await page.screenshot(path=screenshot_path("agent-receipt-full-fr"))
    assert await audit(page, "agent-receipt-full-fr-full") == []
    await page.keyboard.press("Escape")
    await dialog.wait_for(state="hidden")
    assert await page.evaluate(
        "document.activeElement === document.querySelector('button.receipt-thumb')")

    # Offline again, the line opened anew still shows its receipt (the cached thumbnail).
    await phone.set_offline(True)
    await page.evaluate(GO_TO, "/claims")
    await page.evaluate("history.back()")
    cached = await loaded_image(page, THUMBNAIL)
    assert (cached["width"], cached["height"]) == (thumb_width, thumb_height), cached
    await phone.set_offline(False)

    # The mission created offline reached the server too.
    await page.evaluate(GO_TO, "/missions")
    created = page.get_by_role("listitem").filter(has_text="Audit du chantier de Nantes")
    assert "En attente d’envoi" not in await created.inner_text()

    # Same screens in English.
    await page.evaluate(GO_TO, "/settings")
    await page.get_by_text("English").click()
    await page.evaluate(GO_TO, "/missions")
    await trip.click()
    await page.get_by_role("button", name="Expense claim").click()
    read_en = page.locator("li.card").filter(has_text="AU BON ACCUEIL")
    assert "Read from the receipt" in await read_en.inner_text()
    await shot(page, "agent-receipt-line-read-en")
    await read_en.get_by_role("link").click()
    await page.get_by_role("heading", name="AU BON ACCUEIL").wait_for()
    assert "confidence 100" in await page.locator("label[for=amount]").inner_text()
    assert await page.get_by_label("Amount incl. VAT (€)").input_value() == "146.25"
    thumb_en = await loaded_image(page, THUMBNAIL)
    assert thumb_en["alt"] == "Receipt: AU BON ACCUEIL, 24 Feb 2025", thumb_en
    await shot(page, "agent-receipt-fields-en", "form")
    await shot(page, "agent-receipt-thumbnail-en", "fieldset")
    assert await audit(page, "agent-receipt-thumbnail-en-full") == []
    await page.get_by_role("button", name="View full size").click()
    await page.get_by_role("dialog", name="Receipt: AU BON ACCUEIL, 24 Feb 2025").wait_for()
    await loaded_image(page, "dialog img[data-receipt-full]")
    await page.screenshot(path=screenshot_path("agent-receipt-full-en"))
    await page.get_by_role("button", name="Close the receipt").click()
