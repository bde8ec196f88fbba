"""The same blob tests on both stores: the filesystem one and S3 (moto's server).

Store-level contract (chunks, truncation on rewrite, digest, promote, read, delete, discard),
then the HTTP journey of a receipt: resumable upload, duplicate costing nothing, download by a
user who sees the expense line, refusal for one who does not.
"""

from __future__ import annotations

import hashlib
import itertools
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from kernel.settings import get_settings
from sync import blobs
from sync.blobstore import BlobStore, FilesystemBlobStore
from sync.blobstore_s3 import S3BlobStore
from tests.factories import make_org
from tests.integration.sync.helpers import SyncClient, line_args


@pytest.fixture(params=["filesystem", "s3"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[BlobStore]:
    if request.param == "filesystem":
        with tempfile.TemporaryDirectory() as root:
            yield FilesystemBlobStore(Path(root))
        return
    endpoint = request.getfixturevalue("s3_endpoint")
    settings = msgspec.structs.replace(
        get_settings(), blob_storage="s3", s3_endpoint_url=endpoint,
        s3_bucket=f"nomade-test-{uuid.uuid4().hex[:10]}", s3_access_key="testing",
        s3_secret_key="testing")
    yield S3BlobStore.from_settings(settings)


async def _read_all(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([block async for block in stream])


async def test_chunks_compose_into_the_content_addressed_blob(store: BlobStore) -> None:
    org, upload = uuid.uuid4(), uuid.uuid4()
    data = bytes(range(256)) * 3000  # 768,000 bytes: several read blocks
    sha = hashlib.sha256(data).hexdigest()
    cuts = [0, 100_000, 400_000, len(data)]
    for start, end in itertools.pairwise(cuts):
        await store.write_chunk(upload, start, data[start:end])
    assert await store.partial_digest(upload) == (sha, len(data))
    assert not await store.exists(org, sha)
    await store.promote(upload, org, sha)
    assert await store.exists(org, sha)
    assert await _read_all(store.read(org, sha)) == data
    assert not await store.exists(uuid.uuid4(), sha), "blobs are per organisation"
    await store.delete(org, sha)
    assert not await store.exists(org, sha)


async def test_rewriting_at_an_offset_drops_what_followed(store: BlobStore) -> None:
    upload = uuid.uuid4()
    await store.write_chunk(upload, 0, b"a" * 10)
    await store.write_chunk(upload, 10, b"b" * 10)
    await store.write_chunk(upload, 20, b"c" * 10)
    await store.write_chunk(upload, 10, b"B" * 5)  # a client resuming from offset 10
    expected = b"a" * 10 + b"B" * 5
    assert await store.partial_digest(upload) == (hashlib.sha256(expected).hexdigest(), 15)


async def test_discard_forgets_a_partial_upload(store: BlobStore) -> None:
    upload, org = uuid.uuid4(), uuid.uuid4()
    await store.write_chunk(upload, 0, b"partial")
    await store.discard(upload)
    await store.discard(upload)  # twice is harmless
    await store.write_chunk(upload, 0, b"fresh")
    assert await store.partial_digest(upload) == (hashlib.sha256(b"fresh").hexdigest(), 5)
    await store.delete(org, "0" * 64)  # deleting a missing blob is harmless


@pytest.fixture(params=["filesystem", "s3"])
async def app_store(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """Swap the app's blob store for the test, then restore it."""
    previous = blobs.blob_store()
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        settings = msgspec.structs.replace(
            get_settings(), blob_storage="s3", s3_endpoint_url=endpoint,
            s3_bucket=f"nomade-app-{uuid.uuid4().hex[:10]}", s3_access_key="testing",
            s3_secret_key="testing")
        blobs.set_blob_store(S3BlobStore.from_settings(settings))
    yield request.param
    blobs.set_blob_store(previous)


async def _upload(http: Any, headers: dict[str, str], data: bytes, chunk: int,
                  stop_after: int | None = None) -> dict[str, Any]:
    sha = hashlib.sha256(data).hexdigest()
    created = await http.post("/sync/v1/blobs", headers=headers,
                              json={"sha256": sha, "size": len(data), "content_type": "image/jpeg"})
    assert created.status_code == 200, created.text
    status: dict[str, Any] = created.json()
    sent = 0
    while not status["complete"]:
        if stop_after is not None and sent == stop_after:
            return status
        offset = status["offset"]
        part = data[offset:offset + chunk]
        response = await http.patch(
            f"/sync/v1/blobs/uploads/{status['upload_id']}", content=part,
            headers=headers | {"Upload-Offset": str(offset),
                               "Upload-Chunk-SHA256": hashlib.sha256(part).hexdigest()})
        assert response.status_code == 200, response.text
        status = response.json()
        sent += 1
    return status


async def test_receipt_upload_resumes_and_downloads_on_each_store(client, app_store: str) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    agent, manager = org.people["agent_a"], org.people["manager_a"]
    receipt = hashlib.sha256(app_store.encode()).digest() * 20_000  # 640 KB
    sha = hashlib.sha256(receipt).hexdigest()

    interrupted = await _upload(client, agent.headers, receipt, 100_000, stop_after=3)
    assert interrupted["offset"] == 300_000 and not interrupted["complete"]
    done = await _upload(client, agent.headers, receipt, 100_000)  # resumes where it stopped
    assert done["complete"] and done["size"] == len(receipt)
    again = await _upload(client, agent.headers, receipt, 100_000)
    assert again["complete"] and again["upload_id"] is None, "a duplicate costs no bytes"

    phone = SyncClient(client, agent)
    line_id = uuid.uuid4()
    assert (await phone.do("expense_line.create", line_args(line_id)))["status"] == "applied"
    attach = await phone.do("expense_line.attach_receipt", {"id": str(line_id), "sha256": sha})
    assert attach["status"] == "applied", attach

    for person in (agent, manager):
        response = await client.get(f"/sync/v1/blobs/{sha}", headers=person.headers)
        assert response.status_code == 200
        assert response.content == receipt
    outsider = await client.get(f"/sync/v1/blobs/{sha}", headers=org.people["agent_b"].headers)
    assert outsider.status_code == 404
    store = blobs.blob_store()
    if isinstance(store, S3BlobStore):  # the bytes are in the bucket, the chunks gone
        listed = store.client.list_objects_v2(Bucket=store.bucket)
        keys = [item["Key"] for item in listed.get("Contents", [])]
        assert keys == [S3BlobStore.final_key(org.id, sha)]
