"""Blob services: content-addressed per organisation, resumable chunked upload, download
checked against the documents referencing the blob, garbage collection after a grace time.

A blob is a capability of the people who uploaded it (:func:`holds_blob`): knowing its SHA-256
gives nothing. Storage is shared (one copy per organisation), access is not: someone who
announces a hash already stored sends the bytes themselves before they hold it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict, cast
from uuid import UUID

import msgspec

from kernel.actor import Actor
from kernel.coerce import as_uuid
from kernel.errors import DomainError
from kernel.settings import get_settings
from kernel.unit_of_work import UnitOfWork
from sync.blob_hooks import run_blob_collected, run_blob_completed, run_blob_held
from sync.blobstore import BlobStore, FilesystemBlobStore
from sync.registry import entities, visible_organisations
from sync.tables import Blob, BlobReference, BlobUpload
from sync.wire import BlobStatus, BlobUploadCreate

__all__ = (
    "BLOB_GRACE",
    "DOCUMENT_TYPES",
    "StoredBlob",
    "blob_store",
    "collect_blobs",
    "create_upload",
    "holds_blob",
    "open_download",
    "read_blob",
    "upload_chunk",
    "upload_status",
)

BLOB_GRACE = timedelta(hours=24)  # unreferenced blobs older than this are collected
UPLOAD_EXPIRY = timedelta(days=14)  # unfinished uploads older than this are dropped
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_store: BlobStore | None = None


class _UploadRow(TypedDict):
    """A ``sync_blob_upload`` row as ``select()`` returns it."""

    id: UUID
    organisation: UUID
    sha256: str
    size: int
    offset: int
    content_type: str
    user: UUID
    created_at: datetime
    completed_at: datetime | None


class _Upload(msgspec.Struct, kw_only=True):
    """A row of ``sync_blob_upload`` as this module uses it (``offset``: bytes checked so far)."""

    id: UUID
    organisation: UUID
    sha256: str
    size: int
    offset: int
    content_type: str
    user: UUID
    completed_at: datetime | None

    @classmethod
    def of(cls, row: _UploadRow) -> _Upload:
        return cls(id=as_uuid(row["id"]), organisation=as_uuid(row["organisation"]),
                   sha256=row["sha256"], size=int(row["size"]), offset=int(row["offset"]),
                   content_type=row["content_type"], user=as_uuid(row["user"]),
                   completed_at=row["completed_at"])


class StoredBlob(msgspec.Struct, frozen=True, kw_only=True):
    """What a download answers with besides the bytes."""

    sha256: str
    size: int
    content_type: str


def blob_store() -> BlobStore:
    """The process's blob store: filesystem under ``settings.blob_dir``, or S3 when
    ``settings.blob_storage == "s3"`` (sync.blobstore_s3)."""
    global _store
    if _store is None:
        settings = get_settings()
        if settings.blob_storage == "s3":
            from sync.blobstore_s3 import S3BlobStore

            _store = S3BlobStore.from_settings(settings)
        else:
            _store = FilesystemBlobStore(settings.blob_dir)
    return _store


def set_blob_store(store: BlobStore | None) -> None:
    """Swap the store (tests; object storage later)."""
    global _store
    _store = store


def _organisation(actor: Actor) -> UUID:
    if actor.organisation_id is None:
        raise DomainError("FORBIDDEN", {"reason": "no_organisation"})
    return actor.organisation_id


# What users outside any organisation (suppliers answering a suspended invoice) may upload.
DOCUMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif",
                  "application/pdf")


async def _upload_organisation(actor: Actor, request: BlobUploadCreate) -> UUID:
    """The organisation an upload belongs to: the actor's own, or, for a supplier, one of the
    organisations they sync (their invoices' buyers), and then documents only."""
    if actor.organisation_id is not None:
        return actor.organisation_id
    if request.organisation_id is None or request.organisation_id not in (
            await visible_organisations(actor)):
        raise DomainError("FORBIDDEN", {"reason": "no_organisation"})
    if request.content_type.split(";")[0].strip().lower() not in DOCUMENT_TYPES:
        raise DomainError("BLOB_NOT_DOCUMENT", {"content_type": request.content_type[:100]})
    return request.organisation_id


def _check_sha(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise DomainError("BLOB_HASH_INVALID", {"sha256": sha256[:80]})
    return sha256


async def holds_blob(organisation_id: UUID, sha256: str, user_id: UUID) -> bool:
    """Whether ``user_id`` uploaded the stored blob themselves: its first uploader, or someone
    who later sent the same bytes. The one rule for "may this person use this blob"."""
    row = await Blob.select(Blob.created_by).where(
        Blob.blob_key == f"{organisation_id}:{sha256}").first()
    if row is None:
        return False
    if as_uuid(row["created_by"]) == user_id:
        return True
    return bool(await BlobUpload.exists().where(
        BlobUpload.organisation == organisation_id, BlobUpload.sha256 == sha256,
        BlobUpload.user == user_id, BlobUpload.completed_at.is_not_null()))


async def create_upload(actor: Actor, request: BlobUploadCreate) -> BlobStatus:
    """Start an upload, resume the actor's unfinished one, or answer "complete" when the actor
    already holds the blob. Bytes already stored but uploaded by someone else are sent again
    (and checked against the hash): knowing a hash is no proof of holding the file."""
    org, sha = await _upload_organisation(actor, request), _check_sha(request.sha256.lower())
    limit = get_settings().blob_max_bytes
    if request.size <= 0 or request.size > limit:
        raise DomainError("BLOB_TOO_LARGE", {"size": request.size, "max_bytes": limit})
    existing = await Blob.select(Blob.size).where(Blob.blob_key == f"{org}:{sha}").first()
    if existing is not None and await holds_blob(org, sha, actor.user_id):
        return BlobStatus(upload_id=None, sha256=sha, size=int(existing["size"]),
                          offset=int(existing["size"]), complete=True)
    upload = await BlobUpload.select().where(
        BlobUpload.organisation == org, BlobUpload.sha256 == sha, BlobUpload.user == actor.user_id,
        BlobUpload.size == request.size, BlobUpload.completed_at.is_null(),
    ).first()
    if upload is not None:
        return _status(_Upload.of(cast(_UploadRow, upload)))
    upload_id = uuid.uuid4()
    await BlobUpload.insert(BlobUpload(
        id=upload_id, organisation=org, sha256=sha, size=request.size, offset=0,
        content_type=request.content_type[:100], user=actor.user_id,
    ))
    return BlobStatus(upload_id=upload_id, sha256=sha, size=request.size, offset=0, complete=False)


async def _own_upload(actor: Actor, upload_id: UUID) -> _Upload:
    row = await BlobUpload.select().where(BlobUpload.id == upload_id).first()
    if row is None or as_uuid(row["user"]) != actor.user_id:
        raise DomainError("BLOB_NOT_FOUND")
    return _Upload.of(cast(_UploadRow, row))


async def upload_status(actor: Actor, upload_id: UUID) -> BlobStatus:
    """Where an upload stands (to resume after an interruption)."""
    return _status(await _own_upload(actor, upload_id))


async def upload_chunk(actor: Actor, upload_id: UUID, offset: int, chunk_sha256: str,
                       data: bytes) -> BlobStatus:
    """Append ``data`` at ``offset`` after checking its SHA-256; complete when all bytes are in."""
    upload = await _own_upload(actor, upload_id)
    if upload.completed_at is not None:
        return _status(upload)
    size, current = upload.size, upload.offset
    if offset != current:
        raise DomainError("BLOB_OFFSET_MISMATCH", {"offset": current, "got_offset": offset})
    if not data:
        raise DomainError("VALIDATION_FAILED", {"detail": "empty chunk"})
    if offset + len(data) > size:
        raise DomainError("BLOB_TOO_LARGE", {"size": size, "got_bytes": offset + len(data)})
    if hashlib.sha256(data).hexdigest() != chunk_sha256.lower():
        raise DomainError("BLOB_CHUNK_CHECKSUM", {"offset": current})
    store = blob_store()
    new_offset = offset + len(data)
    # Claim the range first (compare-and-set): of two requests carrying the same chunk at
    # once, one writes it and completes the blob, the other learns where the upload stands.
    claimed = await BlobUpload.update({BlobUpload.offset: new_offset}).where(
        BlobUpload.id == upload_id, BlobUpload.offset == offset).returning(BlobUpload.id)
    if not claimed:
        now = await _own_upload(actor, upload_id)
        raise DomainError("BLOB_OFFSET_MISMATCH",
                          {"offset": now.offset, "got_offset": offset})
    try:
        await store.write_chunk(upload_id, offset, data)
    except BaseException:
        await BlobUpload.update({BlobUpload.offset: offset}).where(
            BlobUpload.id == upload_id, BlobUpload.offset == new_offset)
        raise
    upload.offset = new_offset
    if new_offset == size:
        await _complete(upload, store)
        upload.completed_at = datetime.now(UTC)
    return _status(upload)


async def _complete(upload: _Upload, store: BlobStore) -> None:
    upload_id, org, sha = upload.id, upload.organisation, upload.sha256
    digest, size = await store.partial_digest(upload_id)
    if digest != sha or size != upload.size:
        await store.discard(upload_id)
        await BlobUpload.update({BlobUpload.offset: 0}).where(BlobUpload.id == upload_id)
        raise DomainError("BLOB_CHECKSUM_MISMATCH", {"expected": sha, "got": digest})
    key = f"{org}:{sha}"
    is_new = not await Blob.exists().where(Blob.blob_key == key)
    if is_new:
        await store.promote(upload_id, org, sha)
    else:
        await store.discard(upload_id)
    # the blob, its upload's completion and the hooks' jobs (its reading) commit together
    async with UnitOfWork() as unit_of_work:
        if is_new:
            await Blob.insert(Blob(
                id=uuid.uuid4(), organisation=org, sha256=sha, blob_key=key, size=size,
                content_type=upload.content_type, created_by=upload.user,
            )).on_conflict(action="DO NOTHING")
        await BlobUpload.update({BlobUpload.completed_at: datetime.now(UTC)}).where(
            BlobUpload.id == upload_id)
        if is_new:
            await run_blob_completed(unit_of_work, org, sha, size, upload.content_type,
                                     upload.user)
    await run_blob_held(org, sha, upload.user)


def _status(upload: _Upload) -> BlobStatus:
    return BlobStatus(upload_id=upload.id, sha256=upload.sha256, size=upload.size,
                      offset=upload.offset, complete=upload.completed_at is not None)


async def blob_ready(organisation_id: UUID, sha256: str) -> bool:
    """Whether the blob is fully uploaded (intents that need it answer BLOB_PENDING otherwise)."""
    return bool(await Blob.exists().where(Blob.blob_key == f"{organisation_id}:{sha256}"))


async def read_blob(organisation_id: UUID, sha256: str) -> bytes:
    """The whole blob, for server-side work on it (the OCR job); BLOB_NOT_FOUND if absent.

    Not for requests: no access check here (downloads go through :func:`open_download`).
    """
    sha = _check_sha(sha256.lower())
    if not await blob_ready(organisation_id, sha):
        raise DomainError("BLOB_NOT_FOUND")
    parts = [chunk async for chunk in blob_store().read(organisation_id, sha)]
    return b"".join(parts)


async def can_download(actor: Actor, organisation_id: UUID, sha256: str) -> bool:
    """True when the actor can see at least one document referencing the blob."""
    refs = await BlobReference.select(BlobReference.entity, BlobReference.row_id).where(
        BlobReference.organisation == organisation_id, BlobReference.sha256 == sha256)
    specs = entities()
    for ref in refs:
        spec = specs.get(ref["entity"])
        if spec is None:
            continue
        clause = await spec.where(actor)
        if clause is None:
            continue
        pk = spec.table._meta.primary_key
        row_id: Any = UUID(ref["row_id"]) if pk.value_type is UUID else ref["row_id"]
        if await spec.table.exists().where(pk == row_id, clause):
            return True
    return False


async def open_download(actor: Actor, sha256: str, organisation_id: UUID | None = None
                        ) -> tuple[StoredBlob, AsyncIterator[bytes]]:
    """The blob (hash, size, type) and its bytes, if the actor may see a document referencing
    it. A user outside any organisation (a supplier) names the organisation of the document
    (``organisation_id``, one of those they sync)."""
    sha = _check_sha(sha256.lower())
    org = actor.organisation_id
    if org is None:
        if organisation_id is None:
            raise DomainError("FORBIDDEN", {"reason": "no_organisation"})
        if organisation_id not in await visible_organisations(actor):
            raise DomainError("BLOB_NOT_FOUND")
        org = organisation_id
    row = await Blob.select().where(Blob.blob_key == f"{org}:{sha}").first()
    if row is None or not await can_download(actor, org, sha):
        raise DomainError("BLOB_NOT_FOUND")
    stored = StoredBlob(sha256=row["sha256"], size=int(row["size"]),
                        content_type=row["content_type"])
    return stored, blob_store().read(org, sha)


async def collect_blobs(now: datetime | None = None, grace: timedelta = BLOB_GRACE) -> int:
    """Delete blobs no document referenced for ``grace``, and expired partial uploads."""
    now = now or datetime.now(UTC)
    store = blob_store()
    removed = 0
    old = await Blob.select(Blob.id, Blob.organisation, Blob.sha256).where(
        Blob.created_at < now - grace)
    for row in old:
        org, sha = as_uuid(row["organisation"]), row["sha256"]
        referenced = await BlobReference.exists().where(
            BlobReference.organisation == org, BlobReference.sha256 == sha)
        if referenced:
            continue
        await Blob.delete().where(Blob.id == row["id"])
        await BlobUpload.delete().where(  # who held it: a new upload starts afresh
            BlobUpload.organisation == org, BlobUpload.sha256 == sha,
            BlobUpload.completed_at.is_not_null())
        await store.delete(org, sha)
        await run_blob_collected(org, sha)
        removed += 1
    stale = await BlobUpload.select(BlobUpload.id).where(  # completed ones record holders
        BlobUpload.created_at < now - UPLOAD_EXPIRY, BlobUpload.completed_at.is_null())
    for row in stale:
        await store.discard(as_uuid(row["id"]))
        await BlobUpload.delete().where(BlobUpload.id == row["id"])
    return removed
