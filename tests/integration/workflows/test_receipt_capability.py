"""A receipt belongs to those who uploaded it: knowing its SHA-256 gives neither its image, nor
its bytes, nor the fields read from it. Two people who really hold the same file (the same
e-ticket PDF) each upload it; storage keeps one copy."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from backend.expenses.ocr_flow import apply_reading
from backend.expenses.readings import store_reading, stored_reading
from backend.expenses.tables import ExpenseLine
from ocr.schemas import OcrFields, ReceiptReading
from sync.tables import Blob
from tests.factories import Person, make_org
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_receipt_images import sideways_phone_photo, upload, url

SECRET = OcrFields(merchant="Hôtel du Secret", date="2026-10-06", total_cents=45_600,
                   currency="EUR", category="lodging")


def _reading(rule_version: str) -> ReceiptReading:
    return ReceiptReading(rule_version=rule_version, status="read", fields=SECRET,
                          confidence={"merchant": 0.9, "total": 0.95, "date": 0.9},
                          auto_accept=True, raw_text="HOTEL DU SECRET TOTAL 456,00")


async def _line_awaiting_ocr(client: Any, person: Person, sha: str) -> str:
    """A draft whose fields wait for the receipt's reading, with ``sha`` attached."""
    line_id = str(uuid.uuid4())
    ack = await send(client, person, "expense_line.create", {
        "id": line_id, "date": "2026-01-01", "amount_cents": 0, "merchant": "",
        "field_sources": {"merchant": "ocr", "amount_cents": "ocr", "date": "ocr"}})
    assert ack.status == "applied", ack
    ack = await send(client, person, "expense_line.attach_receipt", {"id": line_id, "sha256": sha})
    assert ack.status == "applied", ack
    return line_id


async def _row(line_id: str) -> dict[str, Any]:
    row = await ExpenseLine.select().where(ExpenseLine.id == uuid.UUID(line_id)).first()
    assert row is not None
    return row


async def test_a_receipts_hash_opens_nothing_and_honest_uploaders_still_get_theirs(
    client: Any
) -> None:
    org = await make_org()
    victim, thief, honest = (org.people[k] for k in ("agent_a", "agent_a2", "agent_b"))
    data = sideways_phone_photo()
    sha = await upload(client, victim, data)
    victims_line = await _line_awaiting_ocr(client, victim, sha)
    await store_reading(org.id, sha, _reading("test-1"))
    reading = await stored_reading(org.id, sha)
    assert reading is not None
    await apply_reading(org.id, sha, reading)
    assert (await _row(victims_line))["merchant"] == "Hôtel du Secret"

    # the thief attaches the hash: the reading is not copied into their line...
    thiefs_line = await _line_awaiting_ocr(client, thief, sha)
    stolen = await _row(thiefs_line)
    assert (stolen["merchant"], stolen["amount_cents"]) == ("", 0)
    assert "Secret" not in str(stolen["ocr"])
    # ...nor by a later reading of the receipt
    await apply_reading(org.id, sha, _reading("test-2"))
    assert (await _row(thiefs_line))["merchant"] == ""
    # no image through the line, for the thief or for the manager who sees the thief's line
    for person in (thief, org.people["manager_a"]):
        for rendition in ("thumbnail", "image"):
            response = await client.get(url(thiefs_line, sha, rendition), headers=person.headers)
            assert (response.status_code, response.json()["code"]) == (
                404, "RECEIPT_NOT_UPLOADED"), (person.email, rendition)
    # no bytes, and announcing the hash to the blob service asks for the bytes
    assert (await client.get(f"/sync/v1/blobs/{sha}", headers=thief.headers)).status_code == 404
    announced = await client.post("/sync/v1/blobs", headers=thief.headers, json={
        "sha256": sha, "size": len(data), "content_type": "image/jpeg"})
    assert announced.status_code == 200
    assert (announced.json()["complete"], announced.json()["offset"]) == (False, 0)

    # someone who really holds the same file uploads it and gets everything on their line
    assert await upload(client, honest, data) == sha
    honest_line = await _line_awaiting_ocr(client, honest, sha)
    assert (await _row(honest_line))["merchant"] == "Hôtel du Secret"
    response = await client.get(url(honest_line, sha), headers=honest.headers)
    assert response.status_code == 200, response.text
    assert (await client.get(f"/sync/v1/blobs/{sha}", headers=honest.headers)).content == data
    again = await client.post("/sync/v1/blobs", headers=victim.headers, json={
        "sha256": sha, "size": len(data), "content_type": "image/jpeg"})
    assert again.json()["complete"] is True  # the first uploader sends nothing twice
    assert await Blob.count().where(Blob.blob_key == f"{org.id}:{sha}") == 1


async def test_a_line_attached_before_its_upload_is_filled_once_its_owner_uploads(
    client: Any
) -> None:
    """The offline order of things: attach first, upload later; a reading made meanwhile for
    someone else's copy reaches the line once its owner's upload completes."""
    org = await make_org()
    first, second = org.people["agent_a"], org.people["agent_b"]
    data = sideways_phone_photo() + b"same e-ticket"
    sha = hashlib.sha256(data).hexdigest()
    offline_line = await _line_awaiting_ocr(client, second, sha)
    await upload(client, first, data)
    await store_reading(org.id, sha, _reading("test-1"))
    reading = await stored_reading(org.id, sha)
    assert reading is not None
    await apply_reading(org.id, sha, reading)
    assert (await _row(offline_line))["merchant"] == ""
    await upload(client, second, data)
    assert (await _row(offline_line))["merchant"] == "Hôtel du Secret"
    response = await client.get(url(offline_line, sha), headers=second.headers)
    assert response.status_code == 200, response.text


async def test_a_claim_cannot_be_submitted_on_someone_elses_receipt(client: Any) -> None:
    from tests.integration.workflows.test_claims import approved_mission, line, open_claim

    org = await make_org()
    sha = await upload(client, org.people["agent_b"], sideways_phone_photo() + b"b's taxi")
    claim_id = await open_claim(client, org, await approved_mission(client, org))
    await line(client, org, claim_id, receipt=sha)
    response = await client.post("/sync/v1/push", headers=org.people["agent_a"].headers, json={
        "client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [{
            "seq": 1, "id": str(uuid.uuid4()), "name": "expense_claim.submit", "v": 1,
            "args": {"id": claim_id, "expected_state": "draft"}}]})
    assert (response.status_code, response.json()["code"]) == (503, "BLOB_PENDING")


async def test_receipts_referenced_before_this_release_keep_working(client: Any) -> None:
    """A colleague who attached the same e-ticket before uploaders were checked (the server
    said "complete" without the bytes) keeps the image; the release's migration records them."""
    import importlib

    from sync import reference_blob

    migration = importlib.import_module(
        "backend.expenses.piccolo_migrations.expenses_2026_12_06t02_00_00_000000")
    org = await make_org()
    first, colleague = org.people["agent_a"], org.people["agent_b"]
    data = sideways_phone_photo() + b"e-ticket " + org.id.bytes
    sha = await upload(client, first, data)
    line_id = await _line_awaiting_ocr(client, colleague, sha)
    await reference_blob(org.id, sha, "expense_line", line_id)  # what the old attach did
    response = await client.get(url(line_id, sha), headers=colleague.headers)
    assert response.json()["code"] == "RECEIPT_NOT_UPLOADED"
    assert await migration.grandfather_holders() >= 1
    assert await migration.grandfather_holders() == 0  # once
    response = await client.get(url(line_id, sha), headers=colleague.headers)
    assert response.status_code == 200, response.text
