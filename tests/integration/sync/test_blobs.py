"""Receipts and other blobs: resumable upload, dedup, checksums, access, garbage collection."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sync import on_blob_completed
from tests.factories import make_org
from tests.integration.sync.helpers import SyncClient, line_args
from tests.registries import declared

CHUNK = 1000
_completed: list[tuple[str, int]] = []


@on_blob_completed
async def _record(unit_of_work, organisation_id, sha256, size, content_type, uploader_id):  # type: ignore[no-untyped-def]
    _completed.append((sha256, size))


@pytest.fixture(autouse=True)
def _declared_here() -> Iterator[None]:
    """The hook recording completed uploads, installed beside the app's for this module's tests
    (declaring registers nothing: the server installs what the modules it lists declare)."""
    with declared(__name__):
        yield


async def _create(client, person, data: bytes, expect: int = 200):  # type: ignore[no-untyped-def]
    response = await client.post("/sync/v1/blobs", headers=person.headers, json={
        "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
        "content_type": "image/jpeg"})
    assert response.status_code == expect, response.text
    return response.json()


async def _chunk(client, person, upload_id: str, offset: int, chunk: bytes,  # type: ignore[no-untyped-def]
                 sha: str | None = None):
    return await client.patch(
        f"/sync/v1/blobs/uploads/{upload_id}", content=chunk,
        headers={**person.headers, "Upload-Offset": str(offset),
                 "Upload-Chunk-SHA256": sha or hashlib.sha256(chunk).hexdigest()})


async def _upload(client, person, data: bytes) -> dict:  # type: ignore[no-untyped-def,type-arg]
    status = await _create(client, person, data)
    offset = status["offset"]
    while not status["complete"]:
        response = await _chunk(client, person, status["upload_id"], offset,
                                data[offset:offset + CHUNK])
        assert response.status_code == 200, response.text
        status = response.json()
        offset = status["offset"]
    return status  # type: ignore[no-any-return]


async def test_upload_interrupted_at_every_chunk_boundary_resumes(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    data = os.urandom(CHUNK * 4 + 123)
    sha = hashlib.sha256(data).hexdigest()
    boundaries = list(range(CHUNK, len(data), CHUNK))
    for stop_at in boundaries:
        payload = data[:stop_at] + os.urandom(len(data) - stop_at)  # distinct blob per run
        payload_sha = hashlib.sha256(payload).hexdigest()
        status = await _create(client, agent, payload)
        upload_id, offset = status["upload_id"], 0
        while offset < stop_at:  # the connection drops at this boundary
            response = await _chunk(client, agent, upload_id, offset,
                                    payload[offset:offset + CHUNK])
            offset = response.json()["offset"]
        head = await client.head(f"/sync/v1/blobs/uploads/{upload_id}", headers=agent.headers)
        assert head.status_code == 200 and int(head.headers["upload-offset"]) == stop_at
        resumed = await _create(client, agent, payload)  # the app restarts and asks again
        assert (resumed["upload_id"], resumed["offset"]) == (upload_id, stop_at)
        wrong = await _chunk(client, agent, upload_id, 0, payload[:CHUNK])
        assert wrong.status_code == 409 and wrong.json()["details"]["offset"] == stop_at
        while offset < len(payload):
            response = await _chunk(client, agent, upload_id, offset,
                                    payload[offset:offset + CHUNK])
            assert response.status_code == 200, response.text
            offset = response.json()["offset"]
        assert response.json()["complete"] is True
        assert (payload_sha, len(payload)) in _completed
    # the original blob, attached then downloaded byte for byte
    assert (await _upload(client, agent, data))["complete"]
    sync_client = SyncClient(client, agent)
    line_id = str(uuid.uuid4())
    await sync_client.do("expense_line.create", line_args(line_id))
    ack = await sync_client.do("expense_line.attach_receipt", {"id": line_id, "sha256": sha})
    assert ack["status"] == "applied"
    response = await client.get(f"/sync/v1/blobs/{sha}", headers=agent.headers)
    assert response.status_code == 200 and response.content == data


async def test_duplicate_upload_is_stored_once_and_hook_runs_once(client: Any) -> None:
    """Storage is shared, access is not: the first uploader asks again and sends nothing; a
    colleague holding the same bytes sends them (checked against the hash), and the blob is
    still stored once and read once."""
    from sync.tables import Blob

    org = await make_org()
    data = os.urandom(2500)
    sha = hashlib.sha256(data).hexdigest()
    await _upload(client, org.people["agent_a"], data)
    again = await _create(client, org.people["agent_a"], data)
    assert again == {"upload_id": None, "sha256": sha, "size": 2500, "offset": 2500,
                     "complete": True}
    colleague = await _create(client, org.people["agent_b"], data)
    assert (colleague["complete"], colleague["offset"]) == (False, 0)
    assert (await _upload(client, org.people["agent_b"], data))["complete"]
    assert (await _create(client, org.people["agent_b"], data))["upload_id"] is None
    assert _completed.count((sha, 2500)) == 1
    assert await Blob.count().where(Blob.blob_key == f"{org.id}:{sha}") == 1


async def test_corrupted_chunk_and_wrong_file_are_refused(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    data = os.urandom(1500)
    status = await _create(client, agent, data)
    bad = await _chunk(client, agent, status["upload_id"], 0, data[:CHUNK], sha="0" * 64)
    assert bad.status_code == 400 and bad.json()["code"] == "BLOB_CHUNK_CHECKSUM"
    lying = bytearray(data)
    lying[-1] ^= 0xFF
    await _chunk(client, agent, status["upload_id"], 0, bytes(lying[:CHUNK]))
    last = await _chunk(client, agent, status["upload_id"], CHUNK, bytes(lying[CHUNK:]))
    assert last.status_code == 400 and last.json()["code"] == "BLOB_CHECKSUM_MISMATCH"
    status = (await client.get(f"/sync/v1/blobs/uploads/{status['upload_id']}",
                               headers=agent.headers)).json()
    assert status["offset"] == 0 and not status["complete"]
    too_big = await client.post("/sync/v1/blobs", headers=agent.headers, json={
        "sha256": "a" * 64, "size": 10**12})
    assert too_big.status_code == 413 and too_big.json()["code"] == "BLOB_TOO_LARGE"
    bad_sha = await client.post("/sync/v1/blobs", headers=agent.headers, json={
        "sha256": "not-a-sha", "size": 10})
    assert bad_sha.status_code == 400 and bad_sha.json()["code"] == "BLOB_HASH_INVALID"
    other = await client.get(f"/sync/v1/blobs/uploads/{uuid.uuid4()}", headers=agent.headers)
    assert other.status_code == 404


async def test_download_only_for_people_who_see_a_referencing_document(client: Any) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    data = os.urandom(800)
    sha = hashlib.sha256(data).hexdigest()
    await _upload(client, agent, data)
    assert (await client.get(f"/sync/v1/blobs/{sha}", headers=agent.headers)).status_code == 404
    sync_client = SyncClient(client, agent)
    line_id = str(uuid.uuid4())
    await sync_client.do("expense_line.create", line_args(line_id))
    await sync_client.do("expense_line.attach_receipt", {"id": line_id, "sha256": sha})
    for name, expected in [("agent_a", 200), ("manager_a", 200), ("agent_a2", 404),
                           ("manager_b", 404), ("supplier", 403)]:
        response = await client.get(f"/sync/v1/blobs/{sha}", headers=org.people[name].headers)
        assert response.status_code == expected, name
    other_org = await make_org()
    response = await client.get(f"/sync/v1/blobs/{sha}",
                                headers=other_org.people["agent_a"].headers)
    assert response.status_code == 404


async def test_unreferenced_blobs_are_collected_after_the_grace_time(client: Any) -> None:
    from sync.blobs import BLOB_GRACE, blob_store, collect_blobs
    from sync.tables import Blob
    org = await make_org()
    agent = org.people["agent_a"]
    kept, orphan = os.urandom(600), os.urandom(700)
    await _upload(client, agent, kept)
    await _upload(client, agent, orphan)
    sync_client = SyncClient(client, agent)
    line_id = str(uuid.uuid4())
    await sync_client.do("expense_line.create", line_args(line_id))
    kept_sha, orphan_sha = hashlib.sha256(kept).hexdigest(), hashlib.sha256(orphan).hexdigest()
    await sync_client.do("expense_line.attach_receipt", {"id": line_id, "sha256": kept_sha})
    await collect_blobs()  # within the grace time nothing goes
    assert await blob_store().exists(org.id, orphan_sha)
    await collect_blobs(now=datetime.now(UTC) + BLOB_GRACE + timedelta(minutes=1))
    assert not await blob_store().exists(org.id, orphan_sha)
    assert await blob_store().exists(org.id, kept_sha)
    assert not await Blob.exists().where(Blob.blob_key == f"{org.id}:{orphan_sha}")
