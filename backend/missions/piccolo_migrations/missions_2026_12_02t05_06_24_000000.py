"""Fills mission.agent_name for the rows recorded before the column existed.

Written by hand (data, not schema); never edited once landed. Rows already on phones show the
name once they change again (this does not bump their sync version).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T05:06:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "mission.agent_name filled from app_user.full_name"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="missions", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            'UPDATE "mission" SET agent_name = COALESCE((SELECT full_name FROM app_user '
            'WHERE app_user.id = "mission".agent), \'\') WHERE agent_name = \'\''
        )

    manager.add_raw(run)
    return manager
