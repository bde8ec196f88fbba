from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T11:50:56:933344"
VERSION = "1.38.0"
DESCRIPTION = "expense_claim: one index on (organisation, sync_version) for pull pages"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="claims", description=DESCRIPTION
    )

    async def run():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS expense_claim_organisation_sync_version ON expense_claim (organisation, sync_version)"
        )

    async def run_backwards():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS expense_claim_organisation_sync_version")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)

    return manager
