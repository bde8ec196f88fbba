"""Sync housekeeping jobs: blob garbage collection and tombstone purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kernel.jobs import job
from sync.blobs import collect_blobs
from sync.registry import entities
from sync.tables import OrganisationVersion

__all__ = ("TOMBSTONE_DAYS", "collect_unreferenced_blobs", "purge_tombstones")

TOMBSTONE_DAYS = 90  # clients offline longer than this reset to a snapshot


@job("sync.collect_blobs", retries=2, timeout=600)
async def collect_unreferenced_blobs() -> int:
    """Delete blobs unreferenced for longer than the grace time."""
    return await collect_blobs()


@job("sync.purge_tombstones", retries=2, timeout=600)
async def purge_tombstones(days: int = TOMBSTONE_DAYS, now: datetime | None = None) -> int:
    """Delete tombstones older than ``days`` and raise each organisation's horizon past them."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    purged = 0
    horizons: dict[str, int] = {}
    for spec in entities().values():
        table = spec.table
        rows = await table.select(table.organisation, table.sync_version).where(  # type: ignore[attr-defined]
            table.deleted_at < cutoff)  # type: ignore[attr-defined]
        for row in rows:
            org = str(row["organisation"])
            horizons[org] = max(horizons.get(org, 0), int(row["sync_version"]))
        await table.delete().where(table.deleted_at < cutoff)  # type: ignore[attr-defined]
        purged += len(rows)
    for org, horizon in horizons.items():
        await OrganisationVersion.update({OrganisationVersion.horizon: horizon}).where(
            OrganisationVersion.organisation == org, OrganisationVersion.horizon < horizon)
    return purged
