from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T11:51:01:939193"
VERSION = "1.38.0"
DESCRIPTION = "purchase_order: one index on (organisation, sync_version) for pull pages"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="orders", description=DESCRIPTION
    )

    async def run():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS purchase_order_organisation_sync_version ON purchase_order (organisation, sync_version)"
        )

    async def run_backwards():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS purchase_order_organisation_sync_version")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)

    return manager
