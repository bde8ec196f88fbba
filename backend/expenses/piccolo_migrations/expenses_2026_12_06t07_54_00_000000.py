"""Fills receipt_reading.hash_band_0..3 for the readings stored before the columns existed.

Written by hand (data, not schema); never edited once landed: the band layout is copied here
(four 16-bit bands of the 64-bit dHash, each "{organisation}:{band:04x}",
``backend.expenses.duplicates.band_columns``), not imported.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import UUID, Varchar
from piccolo.table import Table

ID = "2026-12-06T07:54:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "receipt_reading.hash_band_* filled from perceptual_hash"


class _Reading(Table, tablename="receipt_reading"):
    id = UUID(primary_key=True)
    organisation = UUID()
    perceptual_hash = Varchar(length=16, null=True, default=None)
    hash_band_0 = Varchar(length=41, null=True, default=None)
    hash_band_1 = Varchar(length=41, null=True, default=None)
    hash_band_2 = Varchar(length=41, null=True, default=None)
    hash_band_3 = Varchar(length=41, null=True, default=None)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="expenses", description=DESCRIPTION)

    async def run() -> None:
        columns = (_Reading.hash_band_0, _Reading.hash_band_1, _Reading.hash_band_2,
                   _Reading.hash_band_3)
        rows = await _Reading.select(_Reading.id, _Reading.organisation,
                                     _Reading.perceptual_hash).where(
            _Reading.perceptual_hash.is_not_null(), _Reading.hash_band_0.is_null())
        for row in rows:
            value = int(row["perceptual_hash"], 16)
            bands = [(value >> (16 * (3 - i))) & 0xFFFF for i in range(4)]
            await _Reading.update({column: f"{row['organisation']}:{band:04x}"
                                   for column, band in zip(columns, bands, strict=True)}).where(
                _Reading.id == row["id"])

    manager.add_raw(run)
    return manager
