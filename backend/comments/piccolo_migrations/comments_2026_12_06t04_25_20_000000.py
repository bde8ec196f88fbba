from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T04:25:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "document_comment: one index on (organisation, sync_version) for pull pages"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="comments", description=DESCRIPTION
    )

    async def run():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS document_comment_organisation_sync_version ON document_comment (organisation, sync_version)"
        )

    async def run_backwards():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS document_comment_organisation_sync_version")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)

    return manager
