"""Uploading a whole blob through the resumable blob API, as a phone does once online."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.factories import Person

CHUNK = 64 * 1024


async def upload_blob(client: Any, person: Person, data: bytes, *,
                      content_type: str = "image/jpeg", organisation_id: Any = None) -> str:
    """Create the upload, send every chunk with its checksum; returns the blob's sha256.
    ``organisation_id``: for a supplier, the organisation of the invoice the blob is for."""
    sha = hashlib.sha256(data).hexdigest()
    body = {"sha256": sha, "size": len(data), "content_type": content_type}
    if organisation_id is not None:
        body["organisation_id"] = str(organisation_id)
    response = await client.post("/sync/v1/blobs", headers=person.headers, json=body)
    assert response.status_code == 200, response.text
    status = response.json()
    while not status["complete"]:
        offset = status["offset"]
        chunk = data[offset:offset + CHUNK]
        response = await client.patch(
            f"/sync/v1/blobs/uploads/{status['upload_id']}", content=chunk,
            headers={**person.headers, "Upload-Offset": str(offset),
                     "Upload-Chunk-SHA256": hashlib.sha256(chunk).hexdigest()})
        assert response.status_code == 200, response.text
        status = response.json()
    return sha
