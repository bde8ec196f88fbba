"""Piccolo app of expense policy rule sets."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.policy.tables import PolicyRuleSet

APP_CONFIG = AppConfig(
    app_name="policy",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PolicyRuleSet],
    migration_dependencies=[],
    commands=[],
)
