"""Piccolo app of the platform's outbox."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from kernel.outbox.tables import Outbox

APP_CONFIG = AppConfig(
    app_name="outbox",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Outbox],
    migration_dependencies=[],
    commands=[],
)
