"""Piccolo app of the sync protocol."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from sync.tables import (
    Blob,
    BlobReference,
    BlobUpload,
    ConflictLog,
    OrganisationVersion,
    SyncAck,
    SyncClient,
    SyncMeta,
)

APP_CONFIG = AppConfig(
    app_name="sync",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SyncClient, SyncAck, OrganisationVersion, SyncMeta, ConflictLog, Blob,
                   BlobUpload, BlobReference],
    migration_dependencies=[],
    commands=[],
)
