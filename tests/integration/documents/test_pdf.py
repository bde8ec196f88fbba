"""Printed mission order and expense claim: what the file and the accountant get, in the
reader's language, with the receipts, for those who may see them only."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pypdfium2
from PIL import Image

from tests.factories import make_org
from tests.integration.uploads import upload_blob
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_claims import claim, line, open_claim
from tests.integration.workflows.test_missions import decide as decide_mission
from tests.integration.workflows.test_missions import submitted


def _text(pdf: bytes) -> tuple[str, int]:
    """The text of every page, and how many images the pages hold."""
    document = pypdfium2.PdfDocument(pdf)
    texts, images = [], 0
    for page in document:
        texts.append(page.get_textpage().get_text_range())
        images += sum(1 for obj in page.get_objects()
                      if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE)
    return "\n".join(texts), images


def _receipt_photo() -> bytes:
    image = Image.new("RGB", (600, 900), "white")
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


async def test_mission_order_and_claim_as_pdf(client: Any) -> None:
    org = await make_org()
    mission = await submitted(client, org, starts_on="2026-10-05", ends_on="2026-10-07",
                              destination="Lyon", purpose="Audit régional",
                              departs_at="2026-10-05T08:00:00", returns_at="2026-10-07T20:00:00")
    assert (await decide_mission(client, org, "manager_a", mission, "approve")).status == (
        "applied")
    order = await client.get(f"/api/v1/missions/{mission['id']}/order.pdf",
                             headers=org.people["agent_a"].headers)
    assert order.status_code == 200, order.text
    assert order.headers["content-type"] == "application/pdf"
    text, _ = _text(order.content)
    assert "Ordre de mission" in text and "Audit régional" in text and "Lyon" in text
    assert "5 repas, 2 nuitées" in text  # the allowances computed from the times
    assert "Validée" in text and "approved" not in text  # the state in the reader's words
    claim_id = await open_claim(client, org, mission)
    sha = await upload_blob(client, org.people["agent_a"], _receipt_photo())
    await line(client, org, claim_id, receipt=sha, category="lodging", amount_cents=23000,
               merchant="Hôtel des Célestins", vat_cents=2091)
    assert (await send(client, org.people["agent_a"], "expense_claim.submit",
                       {"id": claim_id, "expected_state": "draft"})).status == "applied"
    total = (await claim(client, org, claim_id))["total_cents"]
    french = await client.get(f"/api/v1/claims/{claim_id}/claim.pdf",
                              headers=org.people["agent_a"].headers)
    text, images = _text(french.content)
    assert "État de frais" in text and "Hôtel des Célestins" in text
    assert f"{total // 100},{total % 100:02d} €" in text.replace("\u202f", " ")
    assert images == 1  # the receipt itself
    english = await client.get(f"/api/v1/claims/{claim_id}/claim.pdf?lang=en",
                               headers=org.people["manager_a"].headers)
    text, _ = _text(english.content)
    assert "Expense claim" in text and "Receipts" in text
    assert (await client.get(f"/api/v1/claims/{claim_id}/claim.pdf",
                             headers=org.people["back_office"].headers)).status_code == 200
    for who, codes in (("agent_a2", {404}), ("manager_b", {404}), ("supplier", {403})):
        response = await client.get(f"/api/v1/claims/{claim_id}/claim.pdf",
                                    headers=org.people[who].headers)
        assert response.status_code in codes, (who, response.status_code)
        response = await client.get(f"/api/v1/missions/{mission['id']}/order.pdf",
                                    headers=org.people[who].headers)
        assert response.status_code in codes, (who, response.status_code)
    unknown = await client.get(f"/api/v1/claims/{uuid.uuid4()}/claim.pdf",
                               headers=org.people["agent_a"].headers)
    assert unknown.status_code == 404


async def test_a_mileage_line_prints_its_split_across_the_bands(client: Any) -> None:
    org = await make_org()
    mission = await submitted(client, org, starts_on="2026-10-05", ends_on="2026-10-07",
                              destination="Lyon", purpose="Inspection")
    assert (await decide_mission(client, org, "manager_a", mission, "approve")).status == (
        "applied")
    claim_id = await open_claim(client, org, mission)
    assert (await send(client, org.people["agent_a"], "vehicle_profile.set", {
        "id": str(org.people["agent_a"].user_id), "fiscal_cv": 5, "year": 2026,
        "declared_km": 1800})).status == "applied"
    await line(client, org, claim_id, category="mileage", km=500, merchant="Paris – Rouen",
               vat_rate_bp=None, vat_cents=None)
    french, _ = _text((await client.get(f"/api/v1/claims/{claim_id}/claim.pdf",
                                        headers=org.people["agent_a"].headers)).content)
    assert "Paris – Rouen" in french and "184,00 €" in french and "Brouillon" in french
    assert "Indemnités km" in french and "mileage" not in french
    assert "200 km × 0,32 + 300 km × 0,40" in french
    english, _ = _text((await client.get(f"/api/v1/claims/{claim_id}/claim.pdf?lang=en",
                                         headers=org.people["manager_a"].headers)).content)
    assert "200 km × 0.32 + 300 km × 0.40" in english and "€184.00" in english
    assert "Mileage" in english and "Draft" in english


async def test_deciders_and_back_office_print_in_their_own_language(client: Any) -> None:
    from tests.factories import make_person

    org = await make_org()
    mission = await submitted(client, org, starts_on="2026-10-05", ends_on="2026-10-07",
                              destination="Nantes", purpose="Formation des formateurs")
    english = await make_person("back_office", organisation_id=org.id, language="en")
    path = f"/api/v1/missions/{mission['id']}/order.pdf"
    for who, headers, title in (("manager_a", org.people["manager_a"].headers,
                                 "Ordre de mission"),
                                ("back office (en)", english.headers, "Mission order")):
        response = await client.get(path, headers=headers)  # no ?lang: the reader's own
        assert response.status_code == 200, (who, response.text)
        assert response.content.startswith(b"%PDF")
        text, _ = _text(response.content)
        assert title in text and "Formation des formateurs" in text, who
    # Another agent, even of the same unit, and a manager of another unit: not found.
    for who in ("agent_a2", "manager_b"):
        assert (await client.get(path, headers=org.people[who].headers)).status_code == 404
