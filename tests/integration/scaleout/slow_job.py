"""A test job with a visible, keyed effect: the worker-killed-mid-job test runs it.

Each attempt is logged in ``job_attempts``; the effect goes to ``job_effects`` under the job's
unique key (``ON CONFLICT DO NOTHING``), the pattern every Nomade job follows so that a retry
after a crash applies its result once.
"""

from __future__ import annotations

import asyncio

import asyncpg

from kernel.jobs import job
from kernel.settings import get_settings


@job("test.slow_effect", retries=3, timeout=60)
async def slow_effect(effect_key: str, seconds: float) -> None:
    conn = await asyncpg.connect(get_settings().database_url)
    try:
        await conn.execute("INSERT INTO job_attempts (key) VALUES ($1)", effect_key)
        await asyncio.sleep(seconds)
        await conn.execute(
            "INSERT INTO job_effects (key) VALUES ($1) ON CONFLICT (key) DO NOTHING", effect_key)
    finally:
        await conn.close()
