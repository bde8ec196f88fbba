"""Piccolo app of the accounts domain."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.accounts.tables import (
    AttemptCounter,
    Delegation,
    Device,
    Organisation,
    SupplierCompany,
    Unit,
    User,
)

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Organisation, Unit, SupplierCompany, User, Delegation, Device, AttemptCounter,
    ],
    migration_dependencies=[],
    commands=[],
)
