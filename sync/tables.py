"""Piccolo storage of the sync protocol: clients, stored acks, versions, conflicts, blobs."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = (
    "Blob",
    "BlobReference",
    "BlobUpload",
    "ConflictLog",
    "OrganisationVersion",
    "SyncAck",
    "SyncClient",
    "SyncMeta",
)


class SyncClient(Table, tablename="sync_client"):
    """One (installation, user) pushing intents; ``last_seq`` is its last processed seq."""

    id = UUID(primary_key=True)
    user = UUID(index=True)
    device = UUID(null=True, default=None)
    last_seq = BigInt(default=0)
    schema_version = Integer(default=0)
    app_version = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())


class SyncAck(Table, tablename="sync_ack"):
    """The stored answer to an intent, returned again when the client retries the same seq."""

    id = Serial(primary_key=True)
    client = UUID(index=True)
    seq = BigInt()
    ack_key = Varchar(length=64, unique=True)  # "<client>:<seq>"
    mutation_id = UUID()
    name = Varchar(length=80)
    v = Integer(default=1)
    status = Varchar(length=16)  # applied | noop | rejected
    code = Varchar(length=64, null=True, default=None)
    details = JSON(default="{}")
    conflicts = JSON(default="[]")
    created_at = Timestamptz(default=TimestamptzNow())


class OrganisationVersion(Table, tablename="organisation_version"):
    """The commit-ordered pull cursor of an organisation, and its tombstone horizon."""

    organisation = UUID(primary_key=True)
    version = BigInt(default=0)
    horizon = BigInt(default=0)  # tombstones with sync_version <= horizon were purged


class SyncMeta(Table, tablename="sync_meta"):
    """Server-wide facts: ``epoch`` (changed on restore from backup)."""

    key = Varchar(length=32, primary_key=True)
    value = Text(default="")


class ConflictLog(Table, tablename="sync_conflict"):
    """A value overwritten by a later arrival (kept so the user can restore it)."""

    id = Serial(primary_key=True)
    organisation = UUID(index=True)
    entity = Varchar(length=64)
    row_id = Varchar(length=64, index=True)
    field = Varchar(length=64)
    lost = JSON(default="null")
    kept = JSON(default="null")
    mutation_id = UUID()
    user = UUID()
    created_at = Timestamptz(default=TimestamptzNow())


class Blob(Table, tablename="sync_blob"):
    """A stored file, content-addressed by SHA-256 within an organisation."""

    id = UUID(primary_key=True)
    organisation = UUID(index=True)
    sha256 = Varchar(length=64)
    blob_key = Varchar(length=101, unique=True)  # "<organisation>:<sha256>"
    size = BigInt()
    content_type = Varchar(length=100, default="application/octet-stream")
    created_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())


class BlobUpload(Table, tablename="sync_blob_upload"):
    """A resumable upload in progress (``offset`` bytes received and checked so far)."""

    id = UUID(primary_key=True)
    organisation = UUID(index=True)
    sha256 = Varchar(length=64)
    size = BigInt()
    offset = BigInt(default=0)
    content_type = Varchar(length=100, default="application/octet-stream")
    user = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    completed_at = Timestamptz(null=True, default=None)


class BlobReference(Table, tablename="sync_blob_reference"):
    """A document (synced entity row) that references a blob: it grants download and keeps it."""

    id = Serial(primary_key=True)
    organisation = UUID(index=True)
    sha256 = Varchar(length=64, index=True)
    entity = Varchar(length=64)
    row_id = Varchar(length=64)
    ref_key = Varchar(length=240, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
