"""Nomade's offline sync protocol: intent registry, conflict rules, push/pull, blobs, live pokes.

Domain packages use the public names below; see ``docs/sync-protocol.md`` for the wire protocol.
"""

import sync.errors  # noqa: F401 - registers the codes
from sync.blob_hooks import (
    on_blob_collected,
    on_blob_completed,
    on_blob_held,
    reference_blob,
    referencing_rows,
    unreference_blob,
)
from sync.blobs import blob_ready, holds_blob, read_blob
from sync.outcomes import Noop, Outcome, Rejected, Transient
from sync.pokes import publish_poke
from sync.registry import (
    SYNCED_COLUMNS,
    MutationContext,
    SyncedColumns,
    entities,
    mutation,
    organisation_scope,
    synced_entity,
    touch_rows,
)

__all__ = (
    "SYNCED_COLUMNS",
    "MutationContext",
    "Noop",
    "Outcome",
    "Rejected",
    "SyncedColumns",
    "Transient",
    "blob_ready",
    "entities",
    "holds_blob",
    "mutation",
    "on_blob_collected",
    "on_blob_completed",
    "on_blob_held",
    "organisation_scope",
    "publish_poke",
    "read_blob",
    "reference_blob",
    "referencing_rows",
    "synced_entity",
    "touch_rows",
    "unreference_blob",
)
