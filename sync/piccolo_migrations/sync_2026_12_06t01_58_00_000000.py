from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T01:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync_blob_upload: index on (organisation, sha256, user) for who holds a blob"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sync", description=DESCRIPTION
    )

    async def run():
        await engine_finder().run_ddl(
            'CREATE INDEX IF NOT EXISTS sync_blob_upload_holder ON sync_blob_upload (organisation, sha256, "user")'
        )

    async def run_backwards():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS sync_blob_upload_holder")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)

    return manager
