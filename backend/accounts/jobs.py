"""Housekeeping jobs of the accounts domain."""

from __future__ import annotations

from backend.accounts.tables import AttemptCounter
from kernel.jobs import job
from kernel.ratelimit import DatabaseStore

__all__ = ("forget_expired_attempts",)


@job("accounts.forget_attempts", retries=2, timeout=300)
async def forget_expired_attempts() -> int:
    """Delete the sign-in/PIN attempt counters whose window ended (the database store, used
    without Redis); returns how many."""
    return int(await DatabaseStore(AttemptCounter).forget_expired())
