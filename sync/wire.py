"""msgspec wire types of the sync protocol (see docs/sync-protocol.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from kernel.errors import ErrorDetails, JsonValue

__all__ = (
    "MAX_PULL_LIMIT",
    "MIN_CLIENT_SCHEMA",
    "Ack",
    "AckMessage",
    "AckStatus",
    "BlobStatus",
    "BlobUploadCreate",
    "ConflictReport",
    "MutationIn",
    "PatchOp",
    "PullRequest",
    "PullResponse",
    "PushRequest",
    "PushResponse",
    "Reset",
    "SyncedRow",
)

AckStatus = Literal["applied", "noop", "rejected"]
#: Clients whose ``schema_version`` is below this must update: push and pull answer 409
#: SCHEMA_TOO_OLD (nothing of the push is applied; the phone keeps its outbox).
MIN_CLIENT_SCHEMA = 1
#: Bounds of a pull page's ``limit``; outside them the request is 400 VALIDATION_FAILED.
MAX_PULL_LIMIT = 5000
# A seq is a client's 1-based counter, stored as a PostgreSQL bigint.
Seq = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
# A version or count small enough for every column that stores it.
SmallInt = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
# A media type, as the blob is later served with it: token/token(;params), no control chars.
ContentType = Annotated[str, msgspec.Meta(
    max_length=100, pattern=r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+( *;[ -~]*)?\Z")]


class MutationIn(msgspec.Struct, forbid_unknown_fields=True):
    """One intent: ``seq`` is contiguous per client, ``id`` a UUID chosen by the client."""

    seq: Seq
    id: UUID
    name: str
    v: SmallInt
    # The intent's arguments as JSON: their Struct depends on ``name`` (sync.registry's
    # MutationSpec.args) and push converts them to it, after upcasting an older ``v`` (which
    # reads and writes them as a dict).
    args: dict[str, JsonValue]
    client_time: datetime | None = None


class PushRequest(msgspec.Struct):
    """A batch of intents from one client, in seq order."""

    client_id: UUID
    schema_version: SmallInt
    mutations: list[MutationIn]
    app_version: str = ""
    cookie: str | msgspec.UnsetType | None = msgspec.UNSET
    # Optional outbox report for operations (metrics only): intents waiting on the phone,
    # this batch included, and the age in seconds of the oldest one.
    pending: int | None = None
    oldest_pending_seconds: float | None = None


class ConflictReport(msgspec.Struct):
    """A value overwritten by this intent (``lost``) and the one kept (``kept``)."""

    field: str
    lost: Any
    kept: Any


class AckMessage(msgspec.Struct):
    """The human message of an ack code, in both languages."""

    fr: str
    en: str


class Ack(msgspec.Struct, omit_defaults=True):
    """The stored outcome of an intent."""

    seq: int
    id: UUID
    status: AckStatus
    code: str | None = None
    message: AckMessage | None = None
    # The outcome's details, under keys of ``code``'s own (see sync.outcomes).
    details: ErrorDetails = msgspec.field(default_factory=dict)
    conflicts: list[ConflictReport] = msgspec.field(default_factory=list)


class SyncedRow(msgspec.Struct, kw_only=True):
    """Base of each synced entity's row Struct (``synced_entity(..., wire=...)``): the row as
    pull sends it in ``PatchOp.data``, its fields named as on the wire. Each entity's own
    Struct is in its domain's ``schemas`` and in ``contract.gen.ts`` (``SyncedRows``)."""


class PatchOp(msgspec.Struct, omit_defaults=True):
    """A row to store (``put``, with ``data``) or to forget (``del``)."""

    op: Literal["put", "del"]
    entity: str
    id: str
    row_version: int
    data: SyncedRow | None = None


class Reset(msgspec.Struct):
    """Replace the base rows of ``scope`` (entity names) by the snapshot that follows."""

    scope: list[str]
    reason: Literal["initial", "horizon", "epoch_changed", "schema_too_old", "visibility_changed"]


class PullRequest(msgspec.Struct):
    """Ask for what changed since ``cookie`` (null: everything)."""

    client_id: UUID
    cookie: str | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_PULL_LIMIT)] = 1000
    schema_version: SmallInt = 1


class PullResponse(msgspec.Struct):
    """A page of changes; apply the pages only once ``has_more`` is false."""

    cookie: str
    has_more: bool
    last_seq: int
    acks: list[Ack]
    patch: list[PatchOp]
    reset: Reset | None = None


class PushResponse(msgspec.Struct):
    """The acks of the batch, the client's last processed seq and, if asked, a pull page."""

    acks: list[Ack]
    last_seq: int
    pull: PullResponse | None = None


class BlobUploadCreate(msgspec.Struct):
    """Start (or find) the upload of a blob of ``size`` bytes whose SHA-256 is ``sha256``."""

    sha256: str
    size: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
    content_type: ContentType = "application/octet-stream"
    # For users outside any organisation (suppliers): the organisation whose document the blob
    # is for, one of those they sync.
    organisation_id: UUID | None = None


class BlobStatus(msgspec.Struct):
    """Where an upload stands: ``offset`` bytes received; ``complete`` once verified."""

    upload_id: UUID | None
    sha256: str
    size: int
    offset: int
    complete: bool
