"""Receipt images beside an expense line: who sees them, their size and orientation, caching,
and the codes of a receipt that cannot be shown."""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

import pytest
from PIL import Image

from backend.expenses import receipt_images
from tests.factories import Org, Person, delegate, make_org
from tests.integration.uploads import upload_blob
from tests.integration.workflows.intents import send
from tests.integration.workflows.test_claims import approved_mission, line, open_claim


def sideways_phone_photo() -> bytes:
    """A portrait receipt (1200 × 2000, dark header band) stored as phones do: pixels turned,
    EXIF orientation 6."""
    upright = Image.new("RGB", (1200, 2000), "white")
    upright.paste((10, 10, 10), (0, 0, 1200, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    upright.transpose(Image.Transpose.ROTATE_90).save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


async def upload(client: Any, person: Person, data: bytes) -> str:
    """Declared as text so that no OCR job is queued: the route sniffs the bytes anyway."""
    return await upload_blob(client, person, data, content_type="text/plain")


def url(line_id: str, sha: str, rendition: str = "thumbnail") -> str:
    return f"/api/v1/expense-lines/{line_id}/receipts/{sha}/{rendition}"


async def claimed_line_with(client: Any, org: Org, data: bytes) -> tuple[str, str]:
    """A line of agent_a's open claim with ``data`` attached and uploaded."""
    claim_id = await open_claim(client, org, await approved_mission(client, org))
    sha = await upload(client, org.people["agent_a"], data)
    return await line(client, org, claim_id, receipt=sha), sha


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the renditions really made (the rest came from the cache)."""
    made: list[str] = []
    real = receipt_images.render_rendition

    def counting(data: bytes, rendition: Any) -> bytes:
        made.append(rendition)
        return real(data, rendition)

    monkeypatch.setattr(receipt_images, "render_rendition", counting)
    return made


async def test_owner_sees_a_small_upright_thumbnail_made_once_then_304(
    client: Any, renders: list[str]
) -> None:
    org = await make_org()
    line_id, sha = await claimed_line_with(client, org, sideways_phone_photo())
    agent = org.people["agent_a"]

    response = await client.get(url(line_id, sha), headers=agent.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "private, max-age=31536000, immutable"
    etag = response.headers["etag"]
    assert sha in etag
    thumb = Image.open(io.BytesIO(response.content))
    assert thumb.format == "JPEG" and thumb.size == (288, 480)  # portrait, long side 480
    assert sum(thumb.convert("RGB").getpixel((144, 30))) < 150  # the header band is on top
    assert sum(thumb.convert("RGB").getpixel((144, 450))) > 600

    again = await client.get(url(line_id, sha), headers=agent.headers)
    assert again.content == response.content and again.headers["etag"] == etag
    not_modified = await client.get(url(line_id, sha),
                                    headers={**agent.headers, "If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.headers["etag"] == etag
    assert not_modified.content == b""

    image = await client.get(url(line_id, sha, "image"), headers=agent.headers)
    assert image.status_code == 200 and image.headers["etag"] != etag
    assert Image.open(io.BytesIO(image.content)).size == (960, 1600)
    assert renders == ["thumbnail", "image"]  # each made once, then served from the cache


async def test_who_may_see_a_receipt(client: Any) -> None:
    org = await make_org()
    line_id, sha = await claimed_line_with(client, org, sideways_phone_photo())
    for person in ("agent_a", "manager_a", "back_office", "admin"):
        response = await client.get(url(line_id, sha), headers=org.people[person].headers)
        assert response.status_code == 200, (person, response.text)
    for person in ("agent_a2", "manager_b", "agent_b"):
        response = await client.get(url(line_id, sha), headers=org.people[person].headers)
        assert (response.status_code, response.json()["code"]) == (404, "RECEIPT_NOT_FOUND"), person
    for person in ("supplier", "other_supplier"):
        response = await client.get(url(line_id, sha), headers=org.people[person].headers)
        assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN"), person
    other_org = await make_org()
    for person in ("agent_a", "back_office"):
        response = await client.get(url(line_id, sha), headers=other_org.people[person].headers)
        assert response.status_code == 404, person
    assert (await client.get(url(line_id, sha))).status_code == 401

    # manager_a's delegate decides for agent_a while the delegation lasts: they see it too.
    await delegate(org, "manager_a", "manager_b")
    response = await client.get(url(line_id, sha), headers=org.people["manager_b"].headers)
    assert response.status_code == 200, response.text


async def test_a_draft_outside_any_claim_stays_private_to_its_owner_and_approvers(
    client: Any
) -> None:
    org = await make_org()
    sha = await upload(client, org.people["agent_a"], sideways_phone_photo())
    line_id = str(uuid.uuid4())
    agent = org.people["agent_a"]
    assert (await send(client, agent, "expense_line.create", {
        "id": line_id, "date": "2026-10-05", "amount_cents": 1800, "category": "meal"})
    ).status == "applied"
    assert (await send(client, agent, "expense_line.attach_receipt",
                       {"id": line_id, "sha256": sha})).status == "applied"
    assert (await client.get(url(line_id, sha), headers=agent.headers)).status_code == 200
    assert (await client.get(url(line_id, sha),
                             headers=org.people["manager_a"].headers)).status_code == 200
    response = await client.get(url(line_id, sha), headers=org.people["back_office"].headers)
    assert response.status_code == 404


async def test_receipts_not_attached_not_uploaded_or_unreadable_have_clear_codes(
    client: Any, renders: list[str]
) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    line_id, sha = await claimed_line_with(client, org, b"%PDF-1.4 truncated, not a real PDF")

    other = hashlib.sha256(b"another photo").hexdigest()
    response = await client.get(url(line_id, other), headers=agent.headers)
    assert (response.status_code, response.json()["code"]) == (404, "RECEIPT_NOT_FOUND")
    assert (await client.get(url(line_id, "not-a-hash"), headers=agent.headers)).status_code == 404
    assert (await client.get(url(str(uuid.uuid4()), sha), headers=agent.headers)).status_code == 404

    for _ in range(2):  # the second answer comes from the remembered failure
        response = await client.get(url(line_id, sha), headers=agent.headers)
        body = response.json()
        assert (response.status_code, body["code"]) == (422, "RECEIPT_IMAGE_UNREADABLE")
        assert body["details"]["reason"] == "OCR_CORRUPT_FILE"
        assert body["message"]["fr"].startswith("Ce justificatif ne peut pas être affiché")
        assert body["message"]["en"].startswith("This receipt cannot be shown")
    assert renders == ["thumbnail"]

    pending = hashlib.sha256(b"photo taken offline, still on the phone").hexdigest()
    ack = await send(client, agent, "expense_line.attach_receipt",
                     {"id": line_id, "sha256": pending})
    assert ack.status == "applied", ack
    response = await client.get(url(line_id, pending), headers=agent.headers)
    assert (response.status_code, response.json()["code"]) == (404, "RECEIPT_NOT_UPLOADED")
    assert "pas encore arrivé" in response.json()["message"]["fr"]


async def test_a_decoder_crash_is_a_clear_error_and_is_tried_again(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    line_id, sha = await claimed_line_with(client, org, sideways_phone_photo())

    def crash(data: bytes, rendition: Any) -> bytes:
        raise RuntimeError("decoder bug")

    monkeypatch.setattr(receipt_images, "render_rendition", crash)
    response = await client.get(url(line_id, sha), headers=agent.headers)
    assert (response.status_code, response.json()["code"]) == (422, "RECEIPT_IMAGE_UNREADABLE")
    assert response.json()["details"]["reason"] == "RENDER_FAILED"
    monkeypatch.undo()
    response = await client.get(url(line_id, sha), headers=agent.headers)
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"


async def test_renditions_go_when_their_blob_is_collected(client: Any, data_dir: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from sync import unreference_blob
    from sync.blobs import BLOB_GRACE, collect_blobs

    org = await make_org()
    line_id, sha = await claimed_line_with(client, org, sideways_phone_photo())
    for rendition in ("thumbnail", "image"):
        response = await client.get(url(line_id, sha, rendition),
                                    headers=org.people["agent_a"].headers)
        assert response.status_code == 200
    folder = data_dir / "renditions" / org.id.hex / sha[:2]
    assert len(list(folder.glob(f"{sha}.*"))) == 2
    await unreference_blob(org.id, sha, "expense_line", line_id)  # as if the line let it go
    await collect_blobs(now=datetime.now(UTC) + BLOB_GRACE + timedelta(minutes=1))
    assert list(folder.glob(f"{sha}.*")) == []


async def test_renditions_run_bounded_apart_from_sign_in_and_answer_busy_with_retry_after(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slow renditions hold at most RENDER_SLOTS threads of their own pool: the next request
    is answered 503 + Retry-After, a password check (default pool) is not delayed, and each
    rendition is made once and served from the cache on the retry."""
    import asyncio
    import threading
    import time

    import msgspec

    from kernel.settings import get_settings
    from tests.factories import PASSWORD

    quick = msgspec.structs.replace(get_settings(), rendition_wait_seconds=0.2,
                                    rendition_time_limit_seconds=0.3)
    monkeypatch.setattr("backend.expenses.receipt_images.get_settings", lambda: quick)
    gate, threads = threading.Event(), []
    real = receipt_images.render_rendition

    def slow(data: bytes, rendition: Any) -> bytes:
        threads.append(threading.current_thread().name)
        gate.wait(30)
        return real(data, rendition)

    monkeypatch.setattr(receipt_images, "render_rendition", slow)
    org = await make_org()
    agent = org.people["agent_a"]
    line_id, sha = await claimed_line_with(client, org, sideways_phone_photo())
    try:
        started = await asyncio.gather(client.get(url(line_id, sha), headers=agent.headers),
                                       client.get(url(line_id, sha, "image"),
                                                  headers=agent.headers),
                                       client.get(url(line_id, sha), headers=agent.headers))
        for response in started:  # two renderings (the same thumbnail asked twice is shared)
            assert response.status_code == 503, response.text
            assert response.json()["code"] == "RECEIPT_IMAGE_BUSY"
            assert int(response.headers["retry-after"]) > 0
        assert sorted(threads) and all(name.startswith("rendition") for name in threads)
        assert len(threads) == receipt_images.RENDER_SLOTS == 2
        other_line, other_sha = await claimed_line_with(client, org, sideways_phone_photo()
                                                        + b"\0")
        full = await client.get(url(other_line, other_sha), headers=agent.headers)
        assert full.status_code == 503 and full.json()["details"]["reason"] == "busy"
        begun = time.monotonic()
        signed_in = await client.post("/api/v1/auth/login",
                                      json={"email": agent.email, "password": PASSWORD})
        assert signed_in.status_code == 200
        assert time.monotonic() - begun < 5  # the password check did not wait for renditions
    finally:
        gate.set()
    for _ in range(100):
        if not receipt_images._rendering:
            break
        await asyncio.sleep(0.05)
    monkeypatch.setattr(receipt_images, "render_rendition", real)
    ready = await client.get(url(line_id, sha), headers=agent.headers)
    assert ready.status_code == 200 and ready.headers["content-type"] == "image/jpeg"
    assert len(threads) == 2  # the timed-out renditions finished into the cache
