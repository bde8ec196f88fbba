"""Receipts attached before uploaders were checked keep working.

Until this release, announcing a receipt already stored answered "complete" without the bytes,
and attaching any hash referenced the blob. From now on a receipt counts on a line only when
the line's owner uploaded it (``sync.blobs.holds_blob``). Lines that referenced a receipt
before (honest colleagues holding the same file, whose phones never sent it and no longer keep
it) would otherwise lose their image and block their claim on BLOB_PENDING: their owners are
recorded as holders, once. References made from now on need a real upload.
"""

import uuid
from datetime import datetime, timezone

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-06T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "receipts referenced before this release: their line owners hold them"

_LEGACY = (
    "SELECT r.organisation AS organisation, r.sha256 AS sha256, l.owner AS owner, "
    "b.size AS size FROM sync_blob_reference r "
    "JOIN expense_line l ON CAST(l.id AS TEXT) = r.row_id "
    "JOIN sync_blob b ON b.organisation = r.organisation AND b.sha256 = r.sha256 "
    "WHERE r.entity = 'expense_line' AND b.created_by <> l.owner AND NOT EXISTS ("
    "SELECT 1 FROM sync_blob_upload u WHERE u.organisation = r.organisation "
    "AND u.sha256 = r.sha256 AND u.\"user\" = l.owner AND u.completed_at IS NOT NULL)"
)
_HOLDER = (
    "INSERT INTO sync_blob_upload (id, organisation, sha256, size, \"offset\", content_type, "
    "\"user\", created_at, completed_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})"
)


async def grandfather_holders() -> int:
    """Record as holder the owner of every line that references a receipt they did not
    upload; returns how many (organisation, receipt, owner) were recorded."""
    engine = engine_finder()
    postgres = engine.engine_type == "postgres"
    now = datetime.now(timezone.utc)
    recorded = set()
    for row in await engine.run_querystring(QueryString(_LEGACY)):
        key = (str(row["organisation"]), row["sha256"], str(row["owner"]))
        if key in recorded:
            continue
        recorded.add(key)
        values = [uuid.uuid4(), row["organisation"], row["sha256"], row["size"], row["size"],
                  "application/octet-stream", row["owner"], now, now]
        if not postgres:
            values = [str(v) if isinstance(v, uuid.UUID) else v for v in values]
        else:
            values = [uuid.UUID(str(v)) if i in (1, 6) else v for i, v in enumerate(values)]
        await engine.run_querystring(QueryString(_HOLDER, *values))
    return len(recorded)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="expenses", description=DESCRIPTION
    )

    async def run():
        await grandfather_holders()

    manager.add_raw(run)
    return manager
