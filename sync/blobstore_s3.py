"""Blob bytes in an S3-compatible object store, shared by app processes on several machines.

Selected by ``NOMADE_BLOB_STORAGE=s3``. Layout in the bucket:

- ``blobs/<organisation hex>/<sha[:2]>/<sha256>`` — finished, content-addressed blobs;
- ``uploads/<upload hex>/<offset, 12 digits>`` — one object per received chunk of a partial
  upload. Chunks are written as the phone sends them (any process may receive the next one),
  read back in offset order to verify the full SHA-256, then composed into the final object.

A write at ``offset`` drops the chunks stored beyond it, as the filesystem store truncates its
partial file. boto3 is blocking: every call runs in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Any
from uuid import UUID

from kernel.settings import Settings

__all__ = ("S3BlobStore",)

_READ_SIZE = 256 * 1024
_SPOOL_IN_MEMORY = 8 * 1024 * 1024


class S3BlobStore:
    """The :class:`sync.blobstore.BlobStore` interface on an S3 bucket."""

    def __init__(self, client: Any, bucket: str, *, create_bucket: bool = True) -> None:
        self.client = client
        self.bucket = bucket
        self._create_bucket = create_bucket
        self._bucket_checked = False

    @classmethod
    def from_settings(cls, settings: Settings) -> S3BlobStore:
        """A store on ``settings.s3_*`` (endpoint, bucket, keys, region)."""
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            aws_access_key_id=settings.s3_access_key or None,
            aws_secret_access_key=settings.s3_secret_key or None,
            region_name=settings.s3_region or None,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 5, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
                max_pool_connections=32,
            ),
        )
        return cls(client, settings.s3_bucket)

    # -- keys ---------------------------------------------------------------------------
    @staticmethod
    def final_key(organisation_id: UUID, sha256: str) -> str:
        return f"blobs/{organisation_id.hex}/{sha256[:2]}/{sha256}"

    @staticmethod
    def _upload_prefix(upload_id: UUID) -> str:
        return f"uploads/{upload_id.hex}/"

    def _chunk_key(self, upload_id: UUID, offset: int) -> str:
        return f"{self._upload_prefix(upload_id)}{offset:012d}"

    # -- blocking helpers (run in threads) ------------------------------------------------
    def _ensure_bucket(self) -> None:
        if self._bucket_checked or not self._create_bucket:
            return
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            try:
                self.client.create_bucket(Bucket=self.bucket)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise
        self._bucket_checked = True

    def _chunks(self, upload_id: UUID) -> list[tuple[int, int, str]]:
        """(offset, size, key) of the stored chunks, in offset order."""
        found: list[tuple[int, int, str]] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._upload_prefix(upload_id)):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[1]
                if name.isdigit():
                    found.append((int(name), int(item["Size"]), item["Key"]))
        found.sort()
        return found

    def _chain(self, upload_id: UUID) -> list[tuple[int, int, str]]:
        """The contiguous chunks from offset 0 (what the partial upload holds)."""
        chain: list[tuple[int, int, str]] = []
        expected = 0
        for offset, size, key in self._chunks(upload_id):
            if offset != expected:
                break
            chain.append((offset, size, key))
            expected += size
        return chain

    def _delete_keys(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = keys[start:start + 1000]
            if batch:
                self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )

    def _iter_object(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        try:
            while block := body.read(_READ_SIZE):
                yield block
        finally:
            body.close()

    # -- the BlobStore interface ----------------------------------------------------------
    async def write_chunk(self, upload_id: UUID, offset: int, data: bytes) -> None:
        def write() -> None:
            self._ensure_bucket()
            self.client.put_object(Bucket=self.bucket, Key=self._chunk_key(upload_id, offset),
                                   Body=data, ContentLength=len(data))
            beyond = [key for start, _, key in self._chunks(upload_id) if start > offset]
            self._delete_keys(beyond)

        await asyncio.to_thread(write)

    async def partial_digest(self, upload_id: UUID) -> tuple[str, int]:
        def digest() -> tuple[str, int]:
            h = hashlib.sha256()
            size = 0
            for _, _, key in self._chain(upload_id):
                for block in self._iter_object(key):
                    h.update(block)
                    size += len(block)
            return h.hexdigest(), size

        return await asyncio.to_thread(digest)

    async def promote(self, upload_id: UUID, organisation_id: UUID, sha256: str) -> None:
        def compose() -> None:
            self._ensure_bucket()
            chain = self._chain(upload_id)
            with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
                for _, _, key in chain:
                    for block in self._iter_object(key):
                        spool.write(block)
                spool.seek(0)
                self.client.upload_fileobj(spool, self.bucket,
                                           self.final_key(organisation_id, sha256))
            self._delete_keys([key for _, _, key in self._chunks(upload_id)])

        await asyncio.to_thread(compose)

    async def discard(self, upload_id: UUID) -> None:
        def discard() -> None:
            self._delete_keys([key for _, _, key in self._chunks(upload_id)])

        await asyncio.to_thread(discard)

    async def exists(self, organisation_id: UUID, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        def head() -> bool:
            try:
                self.client.head_object(Bucket=self.bucket,
                                        Key=self.final_key(organisation_id, sha256))
            except ClientError as exc:
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                code = exc.response.get("Error", {}).get("Code")
                if status == 404 or code in {"404", "NoSuchKey", "NotFound"}:
                    return False
                raise
            return True

        return await asyncio.to_thread(head)

    async def read(self, organisation_id: UUID, sha256: str) -> AsyncIterator[bytes]:
        key = self.final_key(organisation_id, sha256)
        body = await asyncio.to_thread(
            lambda: self.client.get_object(Bucket=self.bucket, Key=key)["Body"])
        try:
            while block := await asyncio.to_thread(body.read, _READ_SIZE):
                yield block
        finally:
            await asyncio.to_thread(body.close)

    async def delete(self, organisation_id: UUID, sha256: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket,
                                Key=self.final_key(organisation_id, sha256))
