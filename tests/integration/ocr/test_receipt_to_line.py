"""A receipt photo attached to a draft line offline comes back, on the next pull, as a filled
line: the real blob upload, the OCR job, the sync push and pull.

Without Redis the in-process queue runs the job and the test drains it; with Redis
(``NOMADE_TEST_REDIS=1``) the queue is SAQ with no worker in the test process, so the test runs
the job function the worker would run, with the same arguments.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import msgspec
import pytest
from litestar.channels import ChannelsPlugin
from PIL import Image

from backend.expenses.ocr_flow import read_receipt, set_ocr_worker
from backend.expenses.tables import ReceiptReading
from bench.synthetic_receipts import render_receipt
from kernel.jobs import InProcessQueue, get_queue
from ocr.evaluation import truth_date, truth_total
from ocr.isolation import OcrWorker
from sync.live import channel_name
from tests.factories import make_org
from tests.integration.sync.helpers import SyncClient
from tests.integration.uploads import upload_blob
from tests.unit.ocr.samples import encode

PLACEHOLDER = {"date": date(2026, 1, 1).isoformat(), "amount_cents": 0, "currency": "EUR",
               "category": "other", "merchant": ""}
OCR_PLACEHOLDERS = dict.fromkeys(("date", "amount_cents", "currency", "category", "merchant"),
                                 "ocr")


@pytest.fixture(scope="module", autouse=True)
def ocr_worker() -> Iterator[None]:
    """A roomy time budget: correctness here, speed in the benchmark (shared CI machines)."""
    worker = OcrWorker(time_budget=120.0)
    set_ocr_worker(worker, timeout=150.0)
    yield
    set_ocr_worker(None)
    worker.close()


async def _run_ocr_job(organisation_id: uuid.UUID, sha: str) -> None:
    """What the worker does after the upload: drain the in-process queue, or (SAQ, no worker in
    this process) run the job function with the arguments the hook enqueued."""
    queue = get_queue()
    if isinstance(queue, InProcessQueue):
        await queue.drain(within_seconds=300.0)
    else:
        await read_receipt(organisation_id=str(organisation_id), sha256=sha)


async def _new_line(phone: SyncClient, **fields: Any) -> str:
    line_id = str(uuid.uuid4())
    sources = {**OCR_PLACEHOLDERS, **{k: "user" for k in fields}}
    ack = await phone.do("expense_line.create", {"id": line_id, **PLACEHOLDER, **fields,
                                                 "field_sources": sources})
    assert ack["status"] == "applied", ack
    return line_id


async def _attach(phone: SyncClient, line_id: str, sha: str) -> None:
    ack = await phone.do("expense_line.attach_receipt", {"id": line_id, "sha256": sha})
    assert ack["status"] == "applied", ack


async def test_receipt_photo_fills_the_draft_line_once_and_keeps_user_values(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    phone = SyncClient(client, agent)
    photo, truth = render_receipt(0)  # a restaurant bill, photographed cleanly
    data = encode(photo, quality=90)
    sha = hashlib.sha256(data).hexdigest()
    blank = await _new_line(phone)
    typed = await _new_line(phone, amount_cents=1234)  # the agent typed the amount first
    await _attach(phone, blank, sha)  # offline: attached before the bytes are up
    await _attach(phone, typed, sha)
    await phone.pull()
    before = phone.rows[("expense_line", typed)]["row_version"]

    assert await upload_blob(client, agent, data) == sha
    await _run_ocr_job(org.id, sha)
    await phone.pull()

    line = phone.rows[("expense_line", blank)]
    assert line["amount_cents"] == truth_total(str(truth["total"]))
    assert line["date"] == truth_date(str(truth["date"]))
    assert line["merchant"] and line["merchant"] != PLACEHOLDER["merchant"]
    for name in ("amount_cents", "date", "merchant"):
        assert line["field_sources"][name] == "ocr"
        assert 0.0 < line["ocr"]["fields"][name] <= 1.0
    assert line["ocr"]["sha256"] == sha and line["ocr"]["code"] is None
    assert isinstance(line["ocr"]["auto_accept"], bool)

    kept = phone.rows[("expense_line", typed)]
    assert kept["amount_cents"] == 1234 and kept["field_sources"]["amount_cents"] == "user"
    assert kept["date"] == line["date"] and kept["field_sources"]["date"] == "ocr"
    assert kept["row_version"] == before + 1

    readings = await ReceiptReading.select().where(
        ReceiptReading.organisation == org.id, ReceiptReading.sha256 == sha)
    assert len(readings) == 1 and readings[0]["raw_text"] and readings[0]["rule_version"]

    # The job again (a retry after a crash, a duplicate delivery): nothing changes twice.
    assert await read_receipt(organisation_id=str(org.id), sha256=sha) == 0
    await phone.pull()
    assert phone.rows[("expense_line", blank)]["row_version"] == line["row_version"]
    assert phone.rows[("expense_line", typed)]["row_version"] == kept["row_version"]

    # Attached after it was read (a second line for the same receipt): filled at once.
    late = await _new_line(phone)
    await _attach(phone, late, sha)
    await phone.pull()
    filled = phone.rows[("expense_line", late)]
    assert filled["amount_cents"] == line["amount_cents"]
    assert filled["field_sources"]["amount_cents"] == "ocr"

    inbox = await client.get("/api/v1/inbox", headers=agent.headers)
    assert inbox.status_code == 200, inbox.text
    about = {item["document"]["id"] for item in inbox.json()["items"]
             if item["event_type"] in ("ocr_finished", "ocr_needs_review")}
    assert about == {blank, typed}  # once per line filled by the job, not for the retry


async def test_the_owners_phone_is_poked_when_the_reading_fills_its_line(
        client: Any, app: Any) -> None:
    """No waiting for the phone's timer: once the filled line is committed, the organisation's
    live channel carries a poke, and the pull it triggers brings the filled line."""
    org = await make_org()
    agent = org.people["agent_a2"]
    phone = SyncClient(client, agent)
    photo, truth = render_receipt(4)
    data = encode(photo, quality=90)
    sha = hashlib.sha256(data).hexdigest()
    line_id = await _new_line(phone)
    await _attach(phone, line_id, sha)
    await phone.pull()

    channels = app.plugins.get(ChannelsPlugin)
    async with channels.start_subscription([channel_name(org.id)]) as subscriber:
        events = subscriber.iter_events()
        await upload_blob(client, agent, data)
        await _run_ocr_job(org.id, sha)
        poke = msgspec.json.decode(await asyncio.wait_for(anext(events), 10))
        await events.aclose()
    assert poke["organisation"] == org.id.hex and poke["version"] >= 1

    await phone.pull()
    assert phone.rows[("expense_line", line_id)]["amount_cents"] == truth_total(str(truth["total"]))


async def test_a_picture_that_is_not_a_receipt_leaves_the_line_alone(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_b"]
    phone = SyncClient(client, agent)
    data = encode(Image.new("RGB", (2000, 3000), (250, 250, 248)))
    sha = hashlib.sha256(data).hexdigest()
    line_id = await _new_line(phone, merchant="Brasserie du Port")
    await _attach(phone, line_id, sha)
    await phone.pull()
    before = dict(phone.rows[("expense_line", line_id)])

    await upload_blob(client, agent, data)
    await _run_ocr_job(org.id, sha)
    await phone.pull()

    after = phone.rows[("expense_line", line_id)]
    for name in ("date", "amount_cents", "merchant", "category", "currency", "field_sources",
                 "field_versions"):
        assert after[name] == before[name], name
    assert after["ocr"]["code"] == "OCR_NOT_A_RECEIPT"
    reading = await ReceiptReading.select().where(
        ReceiptReading.organisation == org.id, ReceiptReading.sha256 == sha).first()
    assert reading is not None and reading["status"] == "rejected"
    assert reading["code"] == "OCR_NOT_A_RECEIPT"


async def test_a_receipt_dated_outside_the_mission_says_so_on_the_line(client: Any) -> None:
    from tests.integration.workflows.test_claims import approved_mission, open_claim

    org = await make_org()
    agent = org.people["agent_a"]
    phone = SyncClient(client, agent)
    mission = await approved_mission(client, org)  # 5 to 7 October 2026
    claim_id = await open_claim(client, org, mission)
    photo, truth = render_receipt(0)
    assert not "2026-10-05" <= str(truth_date(str(truth["date"]))) <= "2026-10-07"
    data = encode(photo, quality=90)
    sha = hashlib.sha256(data).hexdigest()
    line_id = await _new_line(phone, claim_id=claim_id)
    await _attach(phone, line_id, sha)

    await upload_blob(client, agent, data)
    await _run_ocr_job(org.id, sha)
    await phone.pull()

    line = phone.rows[("expense_line", line_id)]
    assert line["date"] == truth_date(str(truth["date"]))
    # Said once, by the line's finding that names the receipt, its date and what to do.
    assert "OCR_REVIEW_DATE_OUTSIDE_MISSION" not in {r["code"] for r in line["ocr"]["review"]}
    [outside] = [f for f in line["ocr"]["findings"]
                 if f["code"] == "RECEIPT_DATE_OUTSIDE_MISSION"]
    assert "24/02/2025" in outside["message_fr"] and "05/10/2026" in outside["message_fr"]
    assert "Vérifiez la date" in outside["message_fr"], outside
    assert "2025-02-24" in outside["message_en"] and "Check the date" in outside["message_en"]
    assert line["ocr"]["sources"]["total_cents"] in ("tesseract", "rapidocr", "both")
    inbox = await client.get("/api/v1/inbox", headers=agent.headers)
    events = {item["event_type"] for item in inbox.json()["items"]
              if item["document"]["id"] == line_id}
    assert events == {"ocr_needs_review"}
