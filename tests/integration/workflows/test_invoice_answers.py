"""A supplier answers a suspension from the phone: a message and documents (photos, PDFs)
uploaded resumably to the invoice's organisation; the invoice moves to COMPLETEE, the new
deadline opens, the back-office sees and downloads the documents. Bad input is refused with a
code and nothing already saved is lost."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from tests.factories import Org, make_org
from tests.integration.uploads import upload_blob
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_invoices import (
    invoice_event,
    invoices,
    keyed_org,
    post,
    status_event,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def suspended(client: Any, number: str) -> tuple[Org, dict[str, str], str]:
    org, key = await keyed_org()
    [created, _] = await post(client, key, invoice_event(org, number, days_ago=20),
                              status_event(org, number, "SUSPENDUE", days_ago=11,
                                           reason="Attestation d'assurance manquante"))
    return org, key, created["invoice_id"]


def attachment(sha: str, name: str, content_type: str, data: bytes) -> dict[str, Any]:
    return {"sha256": sha, "name": name, "content_type": content_type, "size": len(data)}


async def test_supplier_answers_with_a_photo_and_a_pdf(client: Any) -> None:
    org, _, invoice_id = await suspended(client, "A-1")
    supplier = org.people["supplier"]
    photo = await upload_blob(client, supplier, JPEG, organisation_id=org.id)
    pdf = await upload_blob(client, supplier, PDF, content_type="application/pdf",
                            organisation_id=org.id)
    ack = await send(client, supplier, "invoice.complete", {
        "id": invoice_id, "expected_status": "SUSPENDUE", "comment": "Attestation jointe",
        "attachments": [attachment(photo, "attestation.jpg", "image/jpeg", JPEG),
                        attachment(pdf, "attestation.pdf", "application/pdf", PDF)]})
    assert ack.status == "applied", ack
    seen = (await client.get(f"/api/v1/invoices/{invoice_id}",
                             headers=org.people["back_office"].headers)).json()
    assert seen["status_code"] == "COMPLETEE"
    answer = seen["history"][-1]
    assert (answer["code"], answer["reason"], answer["source"]) == (
        "COMPLETEE", "Attestation jointe", "nomade")
    assert [a["name"] for a in answer["attachments"]] == ["attestation.jpg", "attestation.pdf"]
    # The suspension came 9 days after receipt (21 days left): a new 30 days from the answer.
    answered_at = datetime.fromisoformat(answer["occurred_at"])
    assert abs(datetime.fromisoformat(seen["due_at"]) - (answered_at + timedelta(days=30))) < (
        timedelta(seconds=5))
    for sha, data in ((photo, JPEG), (pdf, PDF)):
        download = await client.get(f"/sync/v1/blobs/{sha}",
                                    headers=org.people["back_office"].headers)
        assert download.status_code == 200 and download.content == data
        own = await client.get(f"/sync/v1/blobs/{sha}", params={"organisation_id": str(org.id)},
                               headers=supplier.headers)  # the supplier gets their own file back
        assert own.status_code == 200 and own.content == data
        other = await make_org()
        stranger = await client.get(f"/sync/v1/blobs/{sha}",
                                    params={"organisation_id": str(org.id)},
                                    headers=other.people["supplier"].headers)
        assert stranger.status_code == 404
    # Replayed (the phone did not get the ack): nothing moves twice.
    again = await send(client, supplier, "invoice.complete", {
        "id": invoice_id, "expected_status": "SUSPENDUE", "comment": "Attestation jointe"})
    assert again.status == "noop"


async def test_uploads_only_documents_to_a_buyer_of_theirs(client: Any) -> None:
    org, _, _ = await suspended(client, "A-2")
    supplier = org.people["supplier"]
    stranger = await make_org()

    async def start(body: dict[str, Any]) -> Any:
        return await client.post("/sync/v1/blobs", headers=supplier.headers, json={
            "sha256": hashlib.sha256(b"x").hexdigest(), "size": 1, **body})

    refused = {
        "no organisation": (await start({"content_type": "image/jpeg"}), 403, "FORBIDDEN"),
        "not a buyer": (await start({"content_type": "image/jpeg",
                                     "organisation_id": str(stranger.id)}), 403, "FORBIDDEN"),
        "not a document": (await start({"content_type": "text/html",
                                        "organisation_id": str(org.id)}), 415,
                           "BLOB_NOT_DOCUMENT"),
    }
    for case, (response, status, code) in refused.items():
        assert (response.status_code, response.json()["code"]) == (status, code), case
    assert set(response.json()["message"]) == {"fr", "en"}
    too_large = await client.post("/sync/v1/blobs", headers=supplier.headers, json={
        "sha256": hashlib.sha256(b"x").hexdigest(), "size": 10**10,
        "content_type": "application/pdf", "organisation_id": str(org.id)})
    assert (too_large.status_code, too_large.json()["code"]) == (413, "BLOB_TOO_LARGE")


async def test_bad_answers_are_refused_and_leave_the_invoice_as_it_was(client: Any) -> None:
    org, key, invoice_id = await suspended(client, "A-3")
    supplier = org.people["supplier"]
    text = b"<html>not a scan</html>"
    disguised = await upload_blob(client, supplier, text, organisation_id=org.id)
    ack = await send(client, supplier, "invoice.complete", {
        "id": invoice_id, "expected_status": "SUSPENDUE",
        "attachments": [attachment(disguised, "scan.jpg", "image/jpeg", text)]})
    assert (ack.status, ack.code) == ("rejected", "ATTACHMENT_NOT_DOCUMENT")
    other = await send(client, org.people["other_supplier"], "invoice.complete",
                       {"id": invoice_id, "expected_status": "SUSPENDUE"})
    assert (other.status, other.code) == ("rejected", "NOT_FOUND")
    [item] = (await invoices(client, org, "supplier", q="A-3"))["items"]
    assert (item["status_code"], item["status_reason"]) == (
        "SUSPENDUE", "Attestation d'assurance manquante")
    [fresh] = await post(client, key, invoice_event(org, "A-4"))
    not_suspended = await send(client, supplier, "invoice.complete",
                               {"id": fresh["invoice_id"], "expected_status": "SUSPENDUE"})
    assert (not_suspended.status, not_suspended.code) == ("rejected", "INVOICE_NOT_SUSPENDED")
    await post(client, key, status_event(org, "A-3", "REJETEE", reason="Doublon"))
    late = await send(client, supplier, "invoice.complete",
                      {"id": invoice_id, "expected_status": "SUSPENDUE", "comment": "Trop tard"})
    assert (late.status, late.code) == ("rejected", "INVOICE_REJECTED")
