"""Applies every Piccolo app's migrations (the ``nomade migrate`` command)."""

from __future__ import annotations

import logging

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine import engine_finder

from kernel.db import prepare_engine

__all__ = ("migrate",)

log = logging.getLogger("nomade.migrate")


async def migrate() -> None:
    """Run all pending migrations, in dependency order."""
    engine = engine_finder()
    if engine is not None:
        await prepare_engine(engine)
    response = await run_forwards(app_name="all", fake=False)
    if not response.success:
        raise SystemExit(f"migrations failed: {response.message}")
    print("nomade: database migrated")
