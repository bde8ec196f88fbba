"""Receipt images of an expense line (justificatif affiché): a thumbnail beside the fields read
from it, and a larger image to check them.

Who may see them: whoever sees the line (its owner, the managers who decide for the owner and
their delegates: :func:`owners_visible_to`) and whoever sees the line's claim (back-office and
admin of the organisation, the claim's deciders: ``backend.claims.services.is_visible``).
Anything else, another organisation's line included, is "not found".

Renditions are CPU work: made once in this module's own pool of :data:`RENDER_SLOTS` threads
(never the event loop's shared default pool, which sign-in's password checks use) through
:func:`ocr.thumbnails.render_rendition`, which loads the receipt with the OCR reader's safety
limits. A request waits ``rendition_wait_seconds`` for a free slot and
``rendition_time_limit_seconds`` for its rendition; past either it gets RECEIPT_IMAGE_BUSY
(503 + Retry-After) while a started rendition finishes in the background (still holding its
slot, so at most :data:`RENDER_SLOTS` run at once) and lands in the cache for the retry;
concurrent requests for one rendition share one rendering. Renditions are then kept on disk
under ``<data_dir>/renditions``, keyed by the blob's organisation, hash and the rendition (a
blob's bytes never change, so neither does its rendition). A receipt that cannot be shown is
remembered too (a small marker file), so a bad blob costs one decoding. When garbage
collection deletes a blob, its renditions on the machine running the collection go with it;
with S3 blob storage and several app machines, the other machines' copies stay (small, and
never served: no line references the blob any more).
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from backend.expenses.claim_rules import claim_rules
from backend.expenses.services import get_line, owner_holds_receipt, owners_visible_to
from kernel.actor import Actor
from kernel.coerce import json_value
from kernel.errors import DomainError, Problem, register_codes
from kernel.settings import get_settings
from ocr.errors import OcrError
from ocr.thumbnails import Rendition, render_rendition
from sync import on_blob_collected
from sync.blobs import blob_ready, read_blob

__all__ = ("RENDER_SLOTS", "RENDITION_VERSION", "ReceiptImage", "forget_renditions",
           "receipt_image", "rendition_etag")

#: Bumped when the renditions change (size, quality): new ETags and new cache files.
RENDITION_VERSION = "r1"
#: Renditions made at once by a process (each decodes at most ocr.loading.MAX_PIXELS, drafted
#: down for JPEG): bounds memory and leaves cores to the requests.
RENDER_SLOTS = 2
log = logging.getLogger("nomade.expenses")
_pool = ThreadPoolExecutor(max_workers=RENDER_SLOTS, thread_name_prefix="rendition")
_admission: dict[int, asyncio.Semaphore] = {}  # per event loop: renditions admitted
_rendering: dict[Path, asyncio.Future[tuple[bytes | None, str]]] = {}
RETRY_AFTER_SECONDS = 5
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

register_codes({
    "RECEIPT_NOT_FOUND": Problem(
        404, "Justificatif introuvable sur cette ligne de frais.",
        "No such receipt on this expense line."),
    "RECEIPT_NOT_UPLOADED": Problem(
        404, "Le justificatif n'est pas encore arrivé sur le serveur ; il s'affichera après "
        "l'envoi depuis le téléphone.",
        "The receipt has not reached the server yet; it shows once the phone has sent it."),
    "RECEIPT_IMAGE_UNREADABLE": Problem(
        422, "Ce justificatif ne peut pas être affiché (fichier illisible ou format non pris "
        "en charge) ; joignez une nouvelle photo.",
        "This receipt cannot be shown (unreadable file or unsupported format); attach a new "
        "photo."),
    "RECEIPT_IMAGE_BUSY": Problem(
        503, "L'image du justificatif est en préparation ; elle s'affichera dans un instant.",
        "The receipt image is being prepared; it will show in a moment."),
})


@dataclass(frozen=True)
class ReceiptImage:
    """A rendition as JPEG bytes, or ``content`` None when the client's copy is current."""

    etag: str
    content: bytes | None


def rendition_etag(sha256: str, rendition: Rendition) -> str:
    """The strong ETag of a rendition: the blob hash, the rendition and its version."""
    return f'"{sha256}.{rendition}.{RENDITION_VERSION}"'


def _etags(if_none_match: str) -> set[str]:
    """The entity tags of an If-None-Match header (weak ones compared as strong: the bytes of
    a rendition never change under one tag)."""
    return {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}


async def _check_access(actor: Actor, line_id: UUID, sha256: str) -> UUID:
    """The line's organisation when the actor may see this receipt of the line; else
    RECEIPT_NOT_FOUND (the same answer whether the line exists or not), or
    RECEIPT_NOT_UPLOADED while the line's owner has not uploaded the receipt themselves (a
    hash attached without the file opens nothing, not even a rendition already made)."""
    row = await get_line(line_id)
    if (row is None or row["deleted_at"] is not None or actor.organisation_id is None
            or str(row["organisation"]) != str(actor.organisation_id)
            or sha256 not in (json_value(row["receipts"]) or [])):
        raise DomainError("RECEIPT_NOT_FOUND")
    owners = await owners_visible_to(actor)
    sees = owners is not None and UUID(str(row["owner"])) in owners
    if not sees and row["claim_id"] is not None:
        sees = await claim_rules().is_visible(actor, UUID(str(row["claim_id"])))
    if not sees:
        raise DomainError("RECEIPT_NOT_FOUND")
    if not await owner_holds_receipt(row, sha256):
        raise DomainError("RECEIPT_NOT_UPLOADED", {"sha256": sha256})
    return actor.organisation_id


def _cache_path(organisation_id: UUID, sha256: str, rendition: Rendition) -> Path:
    root = get_settings().data_dir / "renditions"
    return root / organisation_id.hex / sha256[:2] / f"{sha256}.{rendition}.{RENDITION_VERSION}"


def _read_cached(path: Path) -> tuple[bytes | None, str | None]:
    """(JPEG bytes, None), (None, failure code) or (None, None) when not made yet."""
    try:
        return path.with_suffix(path.suffix + ".jpg").read_bytes(), None
    except FileNotFoundError:
        pass
    try:
        return None, path.with_suffix(path.suffix + ".err").read_text().strip() or "unknown"
    except FileNotFoundError:
        return None, None


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as handle:
        temporary = handle.name
    try:
        Path(temporary).write_bytes(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _render_and_keep(data: bytes, rendition: Rendition, path: Path) -> tuple[bytes | None, str]:
    """Blocking (in :data:`_pool`): render and keep the result or the failure code."""
    try:
        jpeg = render_rendition(data, rendition)
    except (OcrError, MemoryError) as error:
        code = error.code if isinstance(error, OcrError) else "OCR_IMAGE_TOO_LARGE"
        _write_atomically(path.with_suffix(path.suffix + ".err"), code.encode())
        return None, code
    except Exception:  # a decoder's bug: answered as unreadable, tried again next time
        log.exception("receipt rendition failed", extra={"path": str(path)})
        return None, "RENDER_FAILED"
    _write_atomically(path.with_suffix(path.suffix + ".jpg"), jpeg)
    return jpeg, ""


def _busy(reason: str) -> DomainError:
    return DomainError("RECEIPT_IMAGE_BUSY", {"reason": reason,
                                              "retry_after": RETRY_AFTER_SECONDS},
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _admission_slots() -> asyncio.Semaphore:
    loop_id = id(asyncio.get_running_loop())
    slots = _admission.get(loop_id)
    if slots is None:
        slots = _admission[loop_id] = asyncio.Semaphore(RENDER_SLOTS)
    return slots


async def _render(data: bytes, rendition: Rendition, path: Path) -> tuple[bytes | None, str]:
    """The rendition, made in the bounded pool within the time limits (RECEIPT_IMAGE_BUSY)."""
    settings = get_settings()
    rendering = _rendering.get(path)
    if rendering is None:
        slots = _admission_slots()
        try:
            await asyncio.wait_for(slots.acquire(), settings.rendition_wait_seconds)
        except TimeoutError:
            raise _busy("busy") from None
        rendering = asyncio.get_running_loop().run_in_executor(
            _pool, _render_and_keep, data, rendition, path)
        _rendering[path] = rendering

        def done(_: object) -> None:
            slots.release()
            _rendering.pop(path, None)

        rendering.add_done_callback(done)
    try:
        return await asyncio.wait_for(asyncio.shield(rendering),
                                      settings.rendition_time_limit_seconds)
    except TimeoutError:
        raise _busy("rendering") from None


async def receipt_image(actor: Actor, line_id: UUID, sha256: str, rendition: Rendition, *,
                        if_none_match: str | None = None) -> ReceiptImage:
    """A rendition of a receipt attached to an expense line, for someone who may see it.

    Raises RECEIPT_NOT_FOUND, RECEIPT_NOT_UPLOADED (attached offline, bytes not sent yet),
    RECEIPT_IMAGE_UNREADABLE (details ``reason``: the reader's code, e.g. OCR_CORRUPT_FILE) or
    RECEIPT_IMAGE_BUSY (503 + Retry-After: no free rendering slot, or still rendering).
    """
    sha = sha256.lower()
    if not _SHA256.match(sha):
        raise DomainError("RECEIPT_NOT_FOUND")
    organisation_id = await _check_access(actor, line_id, sha)
    etag = rendition_etag(sha, rendition)
    if if_none_match is not None and etag in _etags(if_none_match):
        return ReceiptImage(etag, None)
    path = _cache_path(organisation_id, sha, rendition)
    jpeg, failure = await asyncio.to_thread(_read_cached, path)
    if jpeg is None and failure is None:
        if not await blob_ready(organisation_id, sha):
            raise DomainError("RECEIPT_NOT_UPLOADED", {"sha256": sha})
        data = await read_blob(organisation_id, sha)
        jpeg, failure = await _render(data, rendition, path)
    if jpeg is None:
        raise DomainError("RECEIPT_IMAGE_UNREADABLE", {"reason": failure, "sha256": sha})
    return ReceiptImage(etag, jpeg)


def _delete_renditions(organisation_id: UUID, sha256: str) -> None:
    folder = _cache_path(organisation_id, sha256, "thumbnail").parent
    for path in folder.glob(f"{sha256}.*"):
        path.unlink(missing_ok=True)


@on_blob_collected
async def forget_renditions(organisation_id: UUID, sha256: str) -> None:
    """The blob was collected: its renditions (and failure markers) on this machine go too."""
    if _SHA256.match(sha256):
        await asyncio.to_thread(_delete_renditions, organisation_id, sha256)
