"""Piccolo app of supplier invoices."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.invoices.tables import IntegrationEvent, IntegrationKey, Invoice, InvoiceStatusEvent

APP_CONFIG = AppConfig(
    app_name="invoices",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Invoice, InvoiceStatusEvent, IntegrationKey, IntegrationEvent],
    migration_dependencies=[],
    commands=[],
)
