"""Only receipts of expense lines are read: a supplier's photo answering a suspended invoice,
or any picture nobody attached to an expense line, queues no OCR job (the OCR workers' CPU is
for receipts). A receipt is read once its owner both uploaded it and attached it to a line of
theirs, whichever came first. Real uploads and intents; the job queue records what was asked."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from backend.expenses.ocr_flow import JOB_NAME
from kernel.jobs import get_queue
from tests.factories import Person, make_org
from tests.integration.uploads import upload_blob
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_invoice_answers import JPEG, attachment, suspended

PLACEHOLDER = {"date": "2026-01-01", "amount_cents": 0, "merchant": "",
               "field_sources": {"merchant": "ocr", "amount_cents": "ocr", "date": "ocr"}}


@pytest.fixture
def readings_asked(client: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The keys of the OCR jobs queued while the test runs (other jobs go through)."""
    queue = get_queue()
    forward = queue.enqueue
    asked: list[str] = []

    async def enqueue(name: str, *, key: str | None = None, **kwargs: Any) -> None:
        if name == JOB_NAME:
            asked.append(str(key))
            return
        await forward(name, key=key, **kwargs)

    monkeypatch.setattr(queue, "enqueue", enqueue)
    yield asked


def _photo(tag: str) -> bytes:
    return JPEG + tag.encode()


async def _line(client: Any, person: Person) -> str:
    line_id = str(uuid.uuid4())
    ack = await send(client, person, "expense_line.create", {"id": line_id, **PLACEHOLDER})
    assert ack.status == "applied", ack
    return line_id


async def _attach(client: Any, person: Person, line_id: str, sha: str) -> None:
    ack = await send(client, person, "expense_line.attach_receipt",
                     {"id": line_id, "sha256": sha})
    assert ack.status == "applied", ack


async def test_a_suppliers_photo_answering_an_invoice_is_not_read(
        client: Any, readings_asked: list[str]) -> None:
    org, _, invoice_id = await suspended(client, "OCR-1")
    supplier = org.people["supplier"]
    data = _photo("supplier")
    sha = await upload_blob(client, supplier, data, organisation_id=org.id)
    ack = await send(client, supplier, "invoice.complete", {
        "id": invoice_id, "expected_status": "SUSPENDUE", "comment": "Photo du chantier",
        "attachments": [attachment(sha, "chantier.jpg", "image/jpeg", data)]})
    assert ack.status == "applied", ack
    assert readings_asked == []


async def test_a_picture_on_no_expense_line_is_not_read(
        client: Any, readings_asked: list[str]) -> None:
    org = await make_org()
    await upload_blob(client, org.people["manager_a"], _photo("manager"))
    assert readings_asked == []


async def test_a_receipt_attached_before_its_upload_is_read_once_uploaded(
        client: Any, readings_asked: list[str]) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    data = _photo("offline")
    sha = hashlib.sha256(data).hexdigest()
    await _attach(client, agent, await _line(client, agent), sha)  # offline: bytes not up yet
    assert readings_asked == []
    await upload_blob(client, agent, data)
    assert readings_asked == [f"ocr:{org.id}:{sha}"]


async def test_a_receipt_uploaded_before_it_is_attached_is_read_once_attached(
        client: Any, readings_asked: list[str]) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    sha = await upload_blob(client, agent, _photo("online"))
    assert readings_asked == []  # not yet a receipt of any line
    await _attach(client, agent, await _line(client, agent), sha)
    assert readings_asked == [f"ocr:{org.id}:{sha}"]
