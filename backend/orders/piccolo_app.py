"""Piccolo app of purchase orders and service done."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.orders.tables import PurchaseOrder

APP_CONFIG = AppConfig(
    app_name="orders",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PurchaseOrder],
    migration_dependencies=[],
    commands=[],
)
