"""Piccolo app of expense claims."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.claims.tables import ExpenseClaim

APP_CONFIG = AppConfig(
    app_name="claims",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ExpenseClaim],
    migration_dependencies=[],
    commands=[],
)
