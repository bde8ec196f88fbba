"""Piccolo app of expense policy rule sets."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.policy.tables import CurrencyRate, PolicyRuleSet

APP_CONFIG = AppConfig(
    app_name="policy",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PolicyRuleSet, CurrencyRate],
    migration_dependencies=[],
    commands=[],
)
