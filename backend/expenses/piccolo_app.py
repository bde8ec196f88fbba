"""Piccolo app of the expenses domain."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.expenses.tables import ExpenseLine, OcrApplication, ReceiptReading, VehicleProfile

APP_CONFIG = AppConfig(
    app_name="expenses",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ExpenseLine, ReceiptReading, OcrApplication, VehicleProfile],
    migration_dependencies=[],
    commands=[],
)
