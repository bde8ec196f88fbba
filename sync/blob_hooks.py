"""What domains use around blobs: references (they grant download and keep the blob), the
"blob completed" hook (new bytes stored, whatever they are for), the "blob held" hook (someone
finished uploading a blob, new or already stored: what they attached to it comes alive, e.g.
the receipt of their expense lines is read) and the "blob collected" hook (files derived from
a blob, such as receipt thumbnails, go with it).

The ``on_blob_*`` decorators only declare a hook in their module; the server builds the
:class:`BlobHooks` from the modules it lists and :func:`install_hooks` them at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from kernel.declarations import declare, of_type
from kernel.unit_of_work import UnitOfWork
from sync.tables import BlobReference

__all__ = ("BlobCollected", "BlobCompleted", "BlobHeld", "BlobHookDeclaration", "BlobHooks",
           "install_hooks", "installed_hooks", "on_blob_collected", "on_blob_completed",
           "on_blob_held", "reference_blob", "referencing_rows", "registered_hooks",
           "run_blob_collected", "run_blob_completed", "run_blob_held", "unreference_blob")

log = logging.getLogger("nomade.sync.blobs")
BlobCompleted = Callable[[UnitOfWork, UUID, str, int, str, UUID], Awaitable[Any]]
BlobCollected = Callable[[UUID, str], Awaitable[Any]]
BlobHeld = Callable[[UUID, str, UUID], Awaitable[Any]]
HookKind = Literal["completed", "held", "collected"]


@dataclass(frozen=True)
class BlobHookDeclaration:
    """What an ``on_blob_*`` decorator leaves in the declaring module."""

    kind: HookKind
    fn: Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class BlobHooks:
    """The hooks one process runs, by event, in declaration order."""

    completed: tuple[BlobCompleted, ...] = ()
    held: tuple[BlobHeld, ...] = ()
    collected: tuple[BlobCollected, ...] = ()

    @classmethod
    def build(cls, declarations: list[object]) -> BlobHooks:
        """The hooks of these declarations (a function declared twice runs once)."""
        hooks = of_type(declarations, BlobHookDeclaration)

        def kind(name: HookKind) -> tuple[Any, ...]:
            return tuple(dict.fromkeys(h.fn for h in hooks if h.kind == name))

        return cls(kind("completed"), kind("held"), kind("collected"))

    def names(self) -> tuple[str, ...]:
        """``completed:module.name`` (``held:``, ``collected:``) for every hook."""
        return tuple(f"{kind}:{fn.__module__}.{fn.__qualname__}"
                     for kind, fns in (("completed", self.completed), ("collected", self.collected),
                                       ("held", self.held))
                     for fn in fns)


_installed = BlobHooks()


def install_hooks(hooks: BlobHooks) -> None:
    """Make ``hooks`` the ones this process runs (start-up, once)."""
    global _installed
    _installed = hooks


def installed_hooks() -> BlobHooks:
    """The hooks this process runs (none before start-up)."""
    return _installed


def registered_hooks() -> tuple[str, ...]:
    """``completed:module.name`` (``held:``, ``collected:``) for every installed hook."""
    return _installed.names()


def on_blob_completed(fn: BlobCompleted) -> BlobCompleted:
    """Declare ``async fn(unit_of_work, organisation_id, sha256, size, content_type,
    uploader_id)``.

    Called when a blob upload completed and was verified (not for duplicates already stored),
    in the unit of work that records the blob. Keep it short: enqueue a job for real work with
    ``unit_of_work.enqueue`` (it is queued once the blob is committed, and never lost). A
    failing hook is logged, never fails the upload.
    """
    declare(BlobHookDeclaration("completed", fn))
    return fn


async def run_blob_completed(unit_of_work: UnitOfWork, organisation_id: UUID, sha256: str,
                             size: int, content_type: str, uploader_id: UUID) -> None:
    """Call every installed hook (the blob service does this, in ``unit_of_work``)."""
    for hook in _installed.completed:
        try:
            await hook(unit_of_work, organisation_id, sha256, size, content_type, uploader_id)
        except Exception:
            log.exception("blob completed hook failed", extra={"sha256": sha256})


def on_blob_held(fn: BlobHeld) -> BlobHeld:
    """Declare ``async fn(organisation_id, sha256, holder_id)``, called after ``holder_id``
    finished uploading the blob themselves (the first upload of the bytes, or a later upload
    of bytes already stored): from then on they hold it (``sync.blobs.holds_blob``). Called
    after the "completed" hooks. A failing hook is logged, never fails the upload."""
    declare(BlobHookDeclaration("held", fn))
    return fn


async def run_blob_held(organisation_id: UUID, sha256: str, holder_id: UUID) -> None:
    """Call every "blob held" hook (the blob service does this)."""
    for hook in _installed.held:
        try:
            await hook(organisation_id, sha256, holder_id)
        except Exception:
            log.exception("blob held hook failed", extra={"sha256": sha256})


def on_blob_collected(fn: BlobCollected) -> BlobCollected:
    """Declare ``async fn(organisation_id, sha256)``, called after garbage collection deleted
    the blob (in the process running the collection). A failing hook is logged."""
    declare(BlobHookDeclaration("collected", fn))
    return fn


async def run_blob_collected(organisation_id: UUID, sha256: str) -> None:
    """Call every "blob collected" hook (the blob service does this)."""
    for hook in _installed.collected:
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
