"""The sync blob tests (tests/integration/sync/test_blobs.py), run again with the app's blob
store on S3 (moto's standalone server) instead of the filesystem."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import msgspec
import pytest

from kernel.settings import get_settings
from sync import blobs
from sync.blobstore_s3 import S3BlobStore
from tests.integration.sync.test_blobs import *  # noqa: F403 - the same tests, collected here
from tests.integration.sync.test_blobs import (  # noqa: F401 - its test hook, installed here too
    _declared_here,
)


@pytest.fixture(autouse=True)
def _s3_blob_store(s3_endpoint: str) -> Iterator[S3BlobStore]:
    previous = blobs.blob_store()
    settings = msgspec.structs.replace(
        get_settings(), blob_storage="s3", s3_endpoint_url=s3_endpoint,
        s3_bucket=f"nomade-sync-{uuid.uuid4().hex[:10]}", s3_access_key="testing",
        s3_secret_key="testing")
    store = S3BlobStore.from_settings(settings)
    blobs.set_blob_store(store)
    yield store
    blobs.set_blob_store(previous)




def test_every_sync_blob_test_is_collected_here() -> None:
    from tests.integration.sync import test_blobs

    theirs = {name for name in dir(test_blobs) if name.startswith("test_")}
    assert theirs, "the sync blob tests moved"
    assert theirs <= set(globals())
