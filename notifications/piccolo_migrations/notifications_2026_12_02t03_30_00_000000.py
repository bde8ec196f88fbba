"""push_outbox: a partial index for the sender's ordering probe (rows still to send, by device
and Topic, oldest first). Written by hand (Piccolo's auto migrations make no partial or
multi-column indexes); never edited once landed."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "push_outbox: index of unsent rows by (subscription, topic, created_at)"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS push_outbox_unsent_by_topic "
            "ON push_outbox (subscription, topic, created_at) "
            "WHERE state IN ('pending', 'sending')"
        )

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS push_outbox_unsent_by_topic")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
