"""Piccolo app of mission orders."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.missions.tables import ApprovalDeadlineRule, Mission

APP_CONFIG = AppConfig(
    app_name="missions",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Mission, ApprovalDeadlineRule],
    migration_dependencies=[],
    commands=[],
)
