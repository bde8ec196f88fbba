"""Every Piccolo app's tables match its committed migrations (auto-migration finds nothing)."""

from __future__ import annotations

from itertools import chain

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

APPS = Finder().get_app_registry().app_configs


@pytest.mark.parametrize("app_name", sorted(APPS))
async def test_tables_and_migrations_agree(app_name: str) -> None:
    alter = await AutoMigrationManager(auto_input="y").get_alter_statements(
        app_config=APPS[app_name]
    )
    pending = list(chain(*[statement.statements for statement in alter]))
    assert pending == [], (
        f"tables of app {app_name!r} differ from its migrations; run "
        f"`piccolo migrations new {app_name} --auto` and commit the file: {pending}"
    )


def test_every_domain_app_is_registered() -> None:
    assert "accounts" in APPS
