"""Piccolo app of the notifications domain."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from notifications.tables import InboxItem, PushOutbox, PushPreference, PushSubscription

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PushSubscription, PushOutbox, PushPreference, InboxItem],
    migration_dependencies=["backend.accounts.piccolo_app"],
    commands=[],
)
