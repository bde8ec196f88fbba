"""Piccolo app of the administration."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.administration.tables import (
    Invitation,
    PlatformOrganisation,
    SupplierAdmin,
    SupplierRegistration,
)

APP_CONFIG = AppConfig(
    app_name="administration",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SupplierRegistration, Invitation, SupplierAdmin, PlatformOrganisation],
    migration_dependencies=["backend.accounts.piccolo_app"],
    commands=[],
)
