from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T11:50:51:594056"
VERSION = "1.38.0"
DESCRIPTION = "mission: one index on (organisation, sync_version) for pull pages"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="missions", description=DESCRIPTION
    )

    async def run():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS mission_organisation_sync_version ON mission (organisation, sync_version)"
        )

    async def run_backwards():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS mission_organisation_sync_version")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)

    return manager
