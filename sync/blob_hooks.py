"""What domains use around blobs: references (they grant download and keep the blob), the
"blob completed" hook (OCR subscribes to it), the "blob held" hook (someone finished uploading
a blob, new or already stored: what they attached to it comes alive) and the "blob collected"
hook (files derived from a blob, such as receipt thumbnails, go with it)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from sync.tables import BlobReference

__all__ = ("BlobCollected", "BlobCompleted", "BlobHeld", "on_blob_collected",
           "on_blob_completed", "on_blob_held", "reference_blob", "referencing_rows",
           "registered_hooks", "run_blob_collected", "run_blob_completed", "run_blob_held",
           "unreference_blob")

log = logging.getLogger("nomade.sync.blobs")
BlobCompleted = Callable[[UUID, str, int, str, UUID], Awaitable[Any]]
BlobCollected = Callable[[UUID, str], Awaitable[Any]]
BlobHeld = Callable[[UUID, str, UUID], Awaitable[Any]]
_HOOKS: list[BlobCompleted] = []
_COLLECTED_HOOKS: list[BlobCollected] = []
_HELD_HOOKS: list[BlobHeld] = []


def registered_hooks() -> tuple[str, ...]:
    """``completed:module.name`` and ``collected:module.name`` for every registered hook."""
    return (*(f"completed:{fn.__module__}.{fn.__qualname__}" for fn in _HOOKS),
            *(f"collected:{fn.__module__}.{fn.__qualname__}" for fn in _COLLECTED_HOOKS),
            *(f"held:{fn.__module__}.{fn.__qualname__}" for fn in _HELD_HOOKS))


def on_blob_completed(fn: BlobCompleted) -> BlobCompleted:
    """Register ``async fn(organisation_id, sha256, size, content_type, uploader_id)``.

    Called after a blob upload completed and was verified (not for duplicates already stored).
    Keep it short: enqueue a job for real work. A failing hook is logged, never fails the upload.
    """
    if fn not in _HOOKS:
        _HOOKS.append(fn)
    return fn


async def run_blob_completed(organisation_id: UUID, sha256: str, size: int, content_type: str,
                             uploader_id: UUID) -> None:
    """Call every registered hook (the blob service does this)."""
    for hook in list(_HOOKS):
        try:
            await hook(organisation_id, sha256, size, content_type, uploader_id)
        except Exception:
            log.exception("blob completed hook failed", extra={"sha256": sha256})


def on_blob_held(fn: BlobHeld) -> BlobHeld:
    """Register ``async fn(organisation_id, sha256, holder_id)``, called after ``holder_id``
    finished uploading the blob themselves (the first upload of the bytes, or a later upload
    of bytes already stored): from then on they hold it (``sync.blobs.holds_blob``). Called
    after the "completed" hooks. A failing hook is logged, never fails the upload."""
    if fn not in _HELD_HOOKS:
        _HELD_HOOKS.append(fn)
    return fn


async def run_blob_held(organisation_id: UUID, sha256: str, holder_id: UUID) -> None:
    """Call every "blob held" hook (the blob service does this)."""
    for hook in list(_HELD_HOOKS):
        try:
            await hook(organisation_id, sha256, holder_id)
        except Exception:
            log.exception("blob held hook failed", extra={"sha256": sha256})


def on_blob_collected(fn: BlobCollected) -> BlobCollected:
    """Register ``async fn(organisation_id, sha256)``, called after garbage collection deleted
    the blob (in the process running the collection). A failing hook is logged."""
    if fn not in _COLLECTED_HOOKS:
        _COLLECTED_HOOKS.append(fn)
    return fn


async def run_blob_collected(organisation_id: UUID, sha256: str) -> None:
    """Call every "blob collected" hook (the blob service does this)."""
    for hook in list(_COLLECTED_HOOKS):
        try:
            await hook(organisation_id, sha256)
        except Exception:
            log.exception("blob collected hook failed", extra={"sha256": sha256})


def _ref_key(organisation_id: UUID, sha256: str, entity: str, row_id: Any) -> str:
    return f"{organisation_id}:{sha256}:{entity}:{row_id}"


async def reference_blob(organisation_id: UUID, sha256: str, entity: str, row_id: Any) -> None:
    """Record that ``entity``/``row_id`` references the blob (idempotent; call in the intent)."""
    key = _ref_key(organisation_id, sha256, entity, row_id)
    exists = await BlobReference.exists().where(BlobReference.ref_key == key)
    if not exists:
        await BlobReference.insert(
            BlobReference(organisation=organisation_id, sha256=sha256, entity=entity,
                          row_id=str(row_id), ref_key=key)
        )


async def unreference_blob(organisation_id: UUID, sha256: str, entity: str, row_id: Any) -> None:
    """Drop the reference; the blob is collected after the grace time if nothing else uses it."""
    await BlobReference.delete().where(
        BlobReference.ref_key == _ref_key(organisation_id, sha256, entity, row_id)
    )


async def referencing_rows(organisation_id: UUID, sha256: str, entity: str) -> list[str]:
    """Ids of the ``entity`` rows of the organisation that reference the blob (the indexed
    reference table: no scan of the rows' own JSON)."""
    rows = await BlobReference.select(BlobReference.row_id).where(
        (BlobReference.sha256 == sha256) & (BlobReference.organisation == organisation_id)
        & (BlobReference.entity == entity))
    return [str(row["row_id"]) for row in rows]
