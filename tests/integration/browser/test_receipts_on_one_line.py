"""Proof journey (#17 item 6): an agent photographs a hotel bill and then a taxi receipt onto
one expense line; once both are sent and read, the line shows each receipt's amount and their
sum (not the last one read), says the two receipts are of different kinds, that the taxi's is
dated outside the mission, and that a colleague of the organisation already claimed the hotel
bill; one tap splits it into one line per receipt. Data created and synced through the product
(the colleague's line through the sync API and the blob upload), the real OCR job, Debian's
chromium at 360 px."""

from __future__ import annotations

import io
import uuid
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from PIL import Image

from bench.synthetic_receipts import render_receipt
from tests.integration.browser.conftest import (
    GO_TO,
    PHONE,
    RunningApp,
    api_login,
    audit,
    sign_in,
)
from tests.integration.browser.test_agent_road import read_row, sync
from tests.integration.browser.test_receipt_ocr import _pulled, _push, shot
from tests.integration.uploads import upload_blob

pytestmark = pytest.mark.browser

PURPOSE = "Salon de l’habitat à Lyon"


def photo(seed: int) -> bytes:
    """Seed 1: HOTEL IBIS GARE, 04/04/2026, 101,99 €; seed 3: TAXI RADIO LYON, 20/06/2024,
    75,80 € (bench/synthetic_receipts, rendered by the project), enlarged to a phone camera's
    size as in the receipt journey."""
    image, _truth = render_receipt(seed)
    big = image.resize((image.width * 3, image.height * 3), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    big.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def text_of(raw: str) -> str:
    return " ".join(raw.replace("\u202f", " ").replace("\xa0", " ").split())


async def approved_mission(app: RunningApp, agent: str, manager: str) -> str:
    mission_id = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=app.base_url, timeout=20) as api:
        headers = await api_login(api, app, agent)
        await _push(
            api,
            headers,
            [
                (
                    "mission.create",
                    {
                        "id": mission_id,
                        "purpose": PURPOSE,
                        "destination": "Lyon",
                        "starts_on": "2026-04-03",
                        "ends_on": "2026-04-05",
                        "transport": "train",
                        "estimated_cost_cents": 40_000,
                    },
                ),
                ("mission.submit", {"id": mission_id, "expected_state": "draft"}),
            ],
        )
        manager_headers = await api_login(api, app, manager)
        seen = await _pulled(api, manager_headers, "mission", mission_id)
        await _push(
            api,
            manager_headers,
            [
                (
                    "mission.decide",
                    {
                        "id": mission_id,
                        "decision": "approve",
                        "expected_state": "submitted",
                        "content_hash": seen["content_hash"],
                    },
                )
            ],
        )
    return mission_id


async def colleague_claims_the_hotel_bill(app: RunningApp, data: bytes) -> str:
    """The colleague's phone: a line, the hotel bill attached and uploaded; returns once the
    server has read it onto their line."""
    import asyncio
    import hashlib

    line_id, sha = str(uuid.uuid4()), hashlib.sha256(data).hexdigest()
    async with httpx.AsyncClient(base_url=app.base_url, timeout=20) as api:
        headers = await api_login(api, app, "agent_colleague")
        await _push(
            api,
            headers,
            [
                (
                    "expense_line.create",
                    {
                        "id": line_id,
                        "date": "2026-04-01",
                        "amount_cents": 0,
                        "category": "other",
                        "merchant": "",
                        "field_sources": dict.fromkeys(
                            ("date", "amount_cents", "category", "merchant"), "ocr"
                        ),
                    },
                ),
                ("expense_line.attach_receipt", {"id": line_id, "sha256": sha}),
            ],
        )
        assert await upload_blob(api, SimpleNamespace(headers=headers), data) == sha  # type: ignore[arg-type]
        for _ in range(120):
            row: dict[str, Any] = await _pulled(api, headers, "expense_line", line_id)
            if row["amount_cents"] == 10199:
                return line_id
            await asyncio.sleep(0.5)
    raise AssertionError("the colleague's hotel bill was not read")


async def test_two_receipts_on_one_line_add_up_then_split(
    browser, phone, running_app: RunningApp
) -> None:  # type: ignore[no-untyped-def]
    hotel, taxi = photo(1), photo(3)
    await approved_mission(running_app, "agent_receipts", "manager_b")
    colleague_line = await colleague_claims_the_hotel_bill(running_app, hotel)

    page = await phone.new_page()
    await sign_in(page, running_app, "agent_receipts")
    trip = page.get_by_role("listitem").filter(has_text=PURPOSE)
    await trip.get_by_text("Validée").wait_for(timeout=30_000)
    await trip.click()
    await page.get_by_role("button", name="État de frais").click()
    await page.get_by_role("heading", name=f"État de frais — {PURPOSE}").wait_for()
    claim_url = page.url

    # The hotel bill, then the taxi receipt on the same line (opened again, a second photo).
    await page.get_by_role("link", name="Ajouter un justificatif").click()
    await page.locator("input#picker").set_input_files(
        files=[{"name": "IMG_hotel.jpg", "mimeType": "image/jpeg", "buffer": hotel}]
    )
    await page.locator("[data-receipt-size]").wait_for(timeout=20_000)
    await page.get_by_label("Catégorie").select_option("lodging")
    await page.get_by_role("button", name="Enregistrer").click()
    await sync(page)
    await page.goto(claim_url)
    read = page.locator("li.card").filter(has_text="HOTEL IBIS GARE")
    await read.wait_for(timeout=60_000)
    await read.get_by_role("link").first.click()
    await page.get_by_role("heading", name="HOTEL IBIS GARE").wait_for()
    await page.locator("input#picker").set_input_files(
        files=[{"name": "IMG_taxi.jpg", "mimeType": "image/jpeg", "buffer": taxi}]
    )
    await page.locator("[data-receipt-size]").wait_for(timeout=20_000)
    await page.get_by_role("button", name="Enregistrer").click()
    await sync(page)

    # Both read: each receipt's amount and their sum, not the last one read.
    await page.goto(claim_url)
    card = page.locator("li.card").filter(has_text="2 justificatifs lus sur cette ligne")
    await card.wait_for(timeout=60_000)
    said = text_of(await card.inner_text())
    line_id = (await card.get_by_role("link").first.get_attribute("href") or "").split("/")[-1]
    stored = await read_row(running_app, "agent_receipts", "expense_line", line_id)
    for figure in (
        "HOTEL IBIS GARE",
        "101,99 €",
        "TAXI RADIO LYON",
        "75,80 €",
        "Somme des justificatifs 177,79 €",
    ):
        assert figure in said, (said, stored["ocr"])
    findings = text_of(
        await card.get_by_role("list", name="Contrôles sur cette ligne").inner_text()
    )
    assert "figure déjà sur la ligne d’un autre agent de votre organisation" in findings, findings
    assert "2 justificatifs de natures différentes" in findings, findings
    assert "daté du 20/06/2024, hors de la mission (03/04/2026 – 05/04/2026)" in findings, findings
    assert findings.index("figure déjà") < findings.index("natures différentes")  # duplicate first
    await shot(page, "agent-two-receipts-one-line-fr")
    assert await audit(page, "agent-two-receipts-one-line-fr-full") == []
    assert stored["amount_cents"] == 17779 and len(stored["receipts"]) == 2, stored
    [dup] = [f for f in stored["ocr"]["findings"] if f["code"] == "DUPLICATE_RECEIPT"]
    assert dup["figures"]["other_line_id"] == colleague_line and dup["figures"]["colleague"]

    # In English too; one tap: one line per receipt, each with its own amount.
    await page.evaluate(GO_TO, "/settings")
    await page.get_by_text("English").click()
    await page.goto(claim_url)
    card = page.locator("li.card").filter(has_text="2 receipts read on this line")
    said = text_of(await card.inner_text())
    for figure in ("€101.99", "€75.80", "Sum of the receipts €177.79", "Split it into one line"):
        assert figure in said, said
    await shot(page, "agent-two-receipts-one-line-en")
    await card.get_by_role("button", name="Split into one line per receipt (2 lines)").click()
    await sync(page, "Sync now", "Everything is sent")
    await page.goto(claim_url)
    hotel_card = page.locator("li.card").filter(has_text="HOTEL IBIS GARE")
    taxi_card = page.locator("li.card").filter(has_text="TAXI RADIO LYON")
    await taxi_card.wait_for(timeout=30_000)
    assert "€101.99" in text_of(await hotel_card.inner_text())
    assert "€75.80" in text_of(await taxi_card.inner_text())
    assert "receipts read" not in await page.locator("main").inner_text()
    await shot(page, "agent-two-receipts-split-en")
    assert await audit(page, "agent-two-receipts-split-en-full") == []
    kept = await read_row(running_app, "agent_receipts", "expense_line", line_id)
    assert (kept["amount_cents"], len(kept["receipts"])) == (10199, 1), kept

    # Submitted, the claim reaches the manager with the duplicate on top of the lines to read.
    await page.get_by_role("button", name="Submit the claim").click()
    await sync(page, "Sync now", "Everything is sent")
    claim_id = claim_url.rstrip("/").split("/")[-1]
    submitted = await read_row(running_app, "agent_receipts", "expense_claim", claim_id)
    assert submitted["state"] == "submitted", submitted
    manager = await browser.new_context(
        viewport=PHONE,
        base_url=running_app.base_url,
        bypass_csp=True,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    try:
        desk = await manager.new_page()
        await sign_in(desk, running_app, "manager_b")
        await desk.goto(f"/approvals/claim/{claim_id}")
        lines = desk.locator("li[data-line]")
        await lines.nth(1).wait_for(timeout=30_000)
        first = text_of(await lines.nth(0).inner_text())
        second = text_of(await lines.nth(1).inner_text())
        assert "HOTEL IBIS GARE" in first, first
        assert "figure déjà sur la ligne d’un autre agent de votre organisation" in first, first
        assert "TAXI RADIO LYON" in second and "hors des dates de la mission" in second, second
        await shot(desk, "manager-claim-receipt-duplicate-fr")
        assert await audit(desk, "manager-claim-receipt-duplicate-fr-full") == []
    finally:
        await manager.close()
