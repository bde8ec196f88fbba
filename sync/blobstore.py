"""Where blob bytes live: a small interface, with a filesystem implementation (S3 comes later).

Blocking file work runs in a thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol
from uuid import UUID

__all__ = ("BlobStore", "FilesystemBlobStore")

_READ_SIZE = 256 * 1024


class BlobStore(Protocol):
    """Storage of finished blobs (by organisation and SHA-256) and of partial uploads."""

    async def write_chunk(self, upload_id: UUID, offset: int, data: bytes) -> None: ...

    async def partial_digest(self, upload_id: UUID) -> tuple[str, int]: ...

    async def promote(self, upload_id: UUID, organisation_id: UUID, sha256: str) -> None: ...

    async def discard(self, upload_id: UUID) -> None: ...

    async def exists(self, organisation_id: UUID, sha256: str) -> bool: ...

    def read(self, organisation_id: UUID, sha256: str) -> AsyncIterator[bytes]: ...

    async def delete(self, organisation_id: UUID, sha256: str) -> None: ...


class FilesystemBlobStore:
    """Blobs under ``root/<organisation>/<sha[:2]>/<sha>``; partial uploads in ``root/uploads``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _partial(self, upload_id: UUID) -> Path:
        return self.root / "uploads" / f"{upload_id.hex}.part"

    def _final(self, organisation_id: UUID, sha256: str) -> Path:
        return self.root / organisation_id.hex / sha256[:2] / sha256

    async def write_chunk(self, upload_id: UUID, offset: int, data: bytes) -> None:
        path = self._partial(upload_id)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                os.pwrite(fd, data, offset)
                os.ftruncate(fd, offset + len(data))
                os.fsync(fd)
            finally:
                os.close(fd)

        await asyncio.to_thread(write)

    async def partial_digest(self, upload_id: UUID) -> tuple[str, int]:
        path = self._partial(upload_id)

        def digest() -> tuple[str, int]:
            h = hashlib.sha256()
            size = 0
            with path.open("rb") as handle:
                while block := handle.read(_READ_SIZE):
                    h.update(block)
                    size += len(block)
            return h.hexdigest(), size

        return await asyncio.to_thread(digest)

    async def promote(self, upload_id: UUID, organisation_id: UUID, sha256: str) -> None:
        source, target = self._partial(upload_id), self._final(organisation_id, sha256)

        def move() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            source.replace(target)

        await asyncio.to_thread(move)

    async def discard(self, upload_id: UUID) -> None:
        await asyncio.to_thread(self._partial(upload_id).unlink, True)

    async def exists(self, organisation_id: UUID, sha256: str) -> bool:
        return await asyncio.to_thread(self._final(organisation_id, sha256).exists)

    async def read(self, organisation_id: UUID, sha256: str) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self._final(organisation_id, sha256).open, "rb")
        try:
            while block := await asyncio.to_thread(handle.read, _READ_SIZE):
                yield block
        finally:
            await asyncio.to_thread(handle.close)

    async def delete(self, organisation_id: UUID, sha256: str) -> None:
        await asyncio.to_thread(self._final(organisation_id, sha256).unlink, True)

    async def clear(self) -> None:
        """Remove everything (tests only)."""
        await asyncio.to_thread(shutil.rmtree, self.root, True)
