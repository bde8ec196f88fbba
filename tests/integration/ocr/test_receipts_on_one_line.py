"""Several receipts on one line add up, and a line's receipts are checked against the
organisation: receipts of different kinds, a receipt dated outside the mission, and a receipt
already claimed (same file, a near-identical photo, the same merchant, date and amount) by the
agent or a colleague of the same organisation, never of another one. Real uploads, the real
OCR job (Tesseract) and the sync pull, on SQLite and on PostgreSQL + Redis."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from backend.expenses.ocr_flow import set_ocr_worker
from bench.synthetic_receipts import render_receipt
from ocr.isolation import OcrWorker
from tests.factories import Org, Person, make_org
from tests.integration.ocr.test_receipt_to_line import _run_ocr_job
from tests.integration.sync.helpers import SyncClient
from tests.integration.uploads import upload_blob
from tests.integration.workflows.test_claims import approved_mission, open_claim
from tests.integration.workflows.test_missions import decide as decide_mission
from tests.integration.workflows.test_missions import submitted

PLACEHOLDER = {
    "date": "2026-01-01",
    "amount_cents": 0,
    "currency": "EUR",
    "category": "other",
    "merchant": "",
}
OCR_FILLS = dict.fromkeys(("date", "amount_cents", "currency", "category", "merchant"), "ocr")


@pytest.fixture(scope="module", autouse=True)
def ocr_worker() -> Iterator[None]:
    worker = OcrWorker(time_budget=120.0)
    set_ocr_worker(worker, timeout=150.0)
    yield
    set_ocr_worker(None)
    worker.close()


def photo(seed: int, *, quality: int = 90, scale: float = 1.0) -> bytes:
    """A French receipt rendered by the project (seed 1: HOTEL IBIS GARE, 04/04/2026,
    101,99 €; seed 3: TAXI RADIO LYON, 20/06/2024, 75,80 €) as a JPEG."""
    image, _truth = render_receipt(seed)
    if scale != 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


async def new_line(client: Any, person: Person, claim_id: str | None = None, **typed: Any) -> str:
    line_id = str(uuid.uuid4())
    phone = SyncClient(client, person)
    ack = await phone.do(
        "expense_line.create",
        {
            "id": line_id,
            **PLACEHOLDER,
            **typed,
            "claim_id": claim_id,
            "field_sources": {**OCR_FILLS, **dict.fromkeys(typed, "user")},
        },
    )
    assert ack["status"] == "applied", ack
    return line_id


async def attach(client: Any, org: Org, person: Person, line_id: str, data: bytes) -> None:
    sha = hashlib.sha256(data).hexdigest()
    ack = await SyncClient(client, person).do(
        "expense_line.attach_receipt", {"id": line_id, "sha256": sha}
    )
    assert ack["status"] == "applied", ack
    assert await upload_blob(client, person, data) == sha
    await _run_ocr_job(org.id, sha)


async def pulled(client: Any, person: Person, line_id: str) -> dict[str, Any]:
    phone = SyncClient(client, person)
    await phone.pull()
    return dict(phone.rows[("expense_line", line_id)])


def codes(line: dict[str, Any]) -> list[str]:
    return [f["code"] for f in line["ocr"]["findings"]]


async def test_two_receipts_on_one_line_add_up_and_each_reading_is_kept(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    mission = await approved_mission(client, org)  # 5 to 7 October 2026
    claim_id = await open_claim(client, org, mission)
    line_id = await new_line(client, agent, claim_id)

    await attach(client, org, agent, line_id, photo(1))  # the hotel
    one = await pulled(client, agent, line_id)
    assert (one["merchant"], one["amount_cents"], one["category"]) == (
        "HOTEL IBIS GARE",
        10199,
        "lodging",
    )
    assert [e["amount_cents"] for e in one["ocr"]["receipts"]] == [10199]
    assert "RECEIPTS_DIFFER" not in codes(one)

    await attach(client, org, agent, line_id, photo(3))  # then the taxi, on the same line
    both = await pulled(client, agent, line_id)
    # Not the last receipt read: the sum of both, each receipt's reading kept on the line.
    assert both["amount_cents"] == 10199 + 7580
    assert [
        (e["merchant"], e["amount_cents"], e["category"], e["date"])
        for e in both["ocr"]["receipts"]
    ] == [
        ("HOTEL IBIS GARE", 10199, "lodging", "2026-04-04"),
        ("TAXI RADIO LYON", 7580, "taxi", "2024-06-20"),
    ]
    assert both["date"] == "2024-06-20"  # the earliest receipt
    assert both["merchant"] == "HOTEL IBIS GARE"  # they differ: the first receipt's
    assert both["field_sources"]["amount_cents"] == "ocr"
    [differ] = [f for f in both["ocr"]["findings"] if f["code"] == "RECEIPTS_DIFFER"]
    assert differ["message_fr"] == (
        "Ligne « HOTEL IBIS GARE » : 2 justificatifs de natures différentes (HOTEL IBIS GARE "
        "101,99 € ; TAXI RADIO LYON 75,80 €) sont additionnés (177,79 €). Séparez-la en une "
        "ligne par justificatif."
    )
    assert "Split it into one line per receipt" in differ["message_en"]
    # Both receipts are dated outside the mission: each is named, with what to do.
    outside = [f for f in both["ocr"]["findings"] if f["code"] == "RECEIPT_DATE_OUTSIDE_MISSION"]
    assert [f["figures"]["date"] for f in outside] == ["2026-04-04", "2024-06-20"]
    assert (
        "TAXI RADIO LYON 75,80 € est daté du 20/06/2024, hors de la mission (05/10/2026 – "
        "07/10/2026). Vérifiez la date"
    ) in outside[1]["message_fr"]


async def test_amount_typed_by_the_agent_is_kept_and_readings_still_shown(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    line_id = await new_line(client, agent, amount_cents=20000)
    await attach(client, org, agent, line_id, photo(1))
    await attach(client, org, agent, line_id, photo(3))
    line = await pulled(client, agent, line_id)
    assert line["amount_cents"] == 20000 and line["field_sources"]["amount_cents"] == "user"
    assert [e["amount_cents"] for e in line["ocr"]["receipts"]] == [10199, 7580]


async def _agent_b_claim(client: Any, org: Org) -> str:
    mission = await submitted(
        client, org, who="agent_b", starts_on="2026-04-03", ends_on="2026-04-05", destination="Lyon"
    )
    assert (await decide_mission(client, org, "manager_b", mission, "approve")).status == (
        "applied"
    )
    claim_id = str(uuid.uuid4())
    ack = await SyncClient(client, org.people["agent_b"]).do(
        "expense_claim.create", {"id": claim_id, "mission_id": mission["id"]}
    )
    assert ack["status"] == "applied", ack
    return claim_id


async def test_a_receipt_claimed_by_a_colleague_is_found_within_the_organisation_only(
    client: Any,
) -> None:
    org, elsewhere = await make_org(), await make_org()
    hotel = photo(1)
    first = await new_line(client, org.people["agent_a"])
    await attach(client, org, org.people["agent_a"], first, hotel)
    # Another organisation's agent with the very same file: nothing to say to them.
    stranger = await new_line(client, elsewhere.people["agent_a"])
    await attach(client, elsewhere, elsewhere.people["agent_a"], stranger, hotel)
    theirs = await pulled(client, elsewhere.people["agent_a"], stranger)
    assert "DUPLICATE_RECEIPT" not in codes(theirs)

    # A colleague of the same organisation claims it again, on a claim of theirs.
    claim_id = await _agent_b_claim(client, org)
    again = await new_line(client, org.people["agent_b"], claim_id)
    await attach(client, org, org.people["agent_b"], again, hotel)
    line = await pulled(client, org.people["agent_b"], again)
    [dup] = [f for f in line["ocr"]["findings"] if f["code"] == "DUPLICATE_RECEIPT"]
    assert dup["figures"] == {
        "sha256": hashlib.sha256(hotel).hexdigest(),
        "other_line_id": first,
        "reason": "same_image",
        "colleague": True,
    }
    assert dup["message_fr"] == (
        "Ligne « HOTEL IBIS GARE » : le justificatif HOTEL IBIS GARE 101,99 € figure déjà sur "
        "la ligne d’un autre agent de votre organisation (même fichier). Retirez-le s’il a déjà "
        "été présenté."
    )
    assert "RECEIPT_DATE_OUTSIDE_MISSION" not in codes(line)  # 04/04/2026, within the mission

    # A near-identical photo of it (another file) and a line typed by hand with its facts.
    resized = await new_line(client, org.people["agent_a2"])
    await attach(client, org, org.people["agent_a2"], resized, photo(1, quality=70, scale=0.8))
    similar = await pulled(client, org.people["agent_a2"], resized)
    reasons = {
        f["figures"]["other_line_id"]: f["figures"]["reason"]
        for f in similar["ocr"]["findings"]
        if f["code"] == "DUPLICATE_RECEIPT"
    }
    assert reasons == {first: "similar_image", again: "similar_image"}, reasons
    typed = await new_line(
        client,
        org.people["agent_a2"],
        merchant="Hôtel Ibis Gare",
        date="2026-04-04",
        amount_cents=10199,
        category="lodging",
    )

    # The manager deciding on the colleague's claim sees it too, duplicates first.
    ack = await SyncClient(client, org.people["agent_b"]).do(
        "expense_claim.submit", {"id": claim_id, "expected_state": "draft"}
    )
    assert ack["status"] == "applied", ack
    response = await client.get(
        f"/api/v1/claims/{claim_id}", headers=org.people["manager_b"].headers
    )
    assert response.status_code == 200, response.text
    found = {
        (f["figures"].get("other_line_id"), f["figures"].get("reason"))
        for f in response.json()["findings"]
        if f["code"] == "DUPLICATE_RECEIPT" and f["line_id"] == again
    }
    assert found == {
        (first, "same_image"),
        (resized, "similar_image"),
        (typed, "same_merchant_date_amount"),
    }, found
    assert stranger not in str(response.json()["findings"])


async def test_a_2024_receipt_on_a_2026_mission_is_flagged_on_the_line(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    mission = await approved_mission(client, org)
    line_id = await new_line(client, agent, await open_claim(client, org, mission))
    await attach(client, org, agent, line_id, photo(3))
    line = await pulled(client, agent, line_id)
    [outside] = [f for f in line["ocr"]["findings"] if f["code"] == "RECEIPT_DATE_OUTSIDE_MISSION"]
    assert outside["figures"] == {
        "sha256": line["receipts"][0],
        "date": "2024-06-20",
        "mission_start": "2026-10-05",
        "mission_end": "2026-10-07",
    }
    assert outside["message_en"] == (
        "Line “TAXI RADIO LYON”: the receipt TAXI RADIO LYON €75.80 is dated 2024-06-20, "
        "outside the mission (2026-10-05 – 2026-10-07). Check the date or remove this "
        "receipt."
    )


async def test_a_line_of_a_hotel_and_a_taxi_is_split_into_one_line_per_receipt(
    client: Any,
) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    mission = await approved_mission(client, org)
    claim_id = await open_claim(client, org, mission)
    line_id = await new_line(client, agent, claim_id, description="Lyon")
    await attach(client, org, agent, line_id, photo(1))
    await attach(client, org, agent, line_id, photo(3))
    taxi_id = str(uuid.uuid4())
    phone = SyncClient(client, agent)
    wrong = await phone.do(
        "expense_line.split_receipts", {"id": line_id, "new_ids": [taxi_id, str(uuid.uuid4())]}
    )
    assert (wrong["status"], wrong["code"]) == ("rejected", "SPLIT_COUNT_MISMATCH"), wrong
    ack = await phone.do("expense_line.split_receipts", {"id": line_id, "new_ids": [taxi_id]})
    assert ack["status"] == "applied", ack

    hotel, taxi = await pulled(client, agent, line_id), await pulled(client, agent, taxi_id)
    assert (hotel["merchant"], hotel["amount_cents"], hotel["category"], hotel["date"]) == (
        "HOTEL IBIS GARE",
        10199,
        "lodging",
        "2026-04-04",
    )
    assert (taxi["merchant"], taxi["amount_cents"], taxi["category"], taxi["date"]) == (
        "TAXI RADIO LYON",
        7580,
        "taxi",
        "2024-06-20",
    )
    assert taxi["claim_id"] == claim_id and taxi["owner"] == str(agent.user_id)
    assert hotel["receipts"] == [hashlib.sha256(photo(1)).hexdigest()]
    assert taxi["receipts"] == [hashlib.sha256(photo(3)).hexdigest()]
    assert "RECEIPTS_DIFFER" not in codes(hotel) + codes(taxi)
    assert "DUPLICATE_RECEIPT" not in codes(hotel) + codes(taxi)  # moved, not copied
    assert codes(taxi) == ["RECEIPT_DATE_OUTSIDE_MISSION"]
    # The taxi's receipt shows on its new line (the owner holds it), not on the hotel's.
    image = await client.get(
        f"/api/v1/expense-lines/{taxi_id}/receipts/{taxi['receipts'][0]}/thumbnail",
        headers=agent.headers,
    )
    assert image.status_code == 200, image.text
    again = await phone.do("expense_line.split_receipts", {"id": line_id, "new_ids": [taxi_id]})
    assert (again["status"], again.get("code")) == ("noop", "ALREADY_SPLIT"), again
