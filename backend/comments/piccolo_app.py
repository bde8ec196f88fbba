"""Piccolo app of comments on documents."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.comments.tables import DocumentComment

APP_CONFIG = AppConfig(
    app_name="comments",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[DocumentComment],
    migration_dependencies=[],
    commands=[],
)
