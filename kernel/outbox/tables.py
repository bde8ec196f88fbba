"""The outbox table: one row per effect of a committed write, deleted once the effect ran."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ("Outbox",)


class Outbox(Table, tablename="outbox"):
    """An effect to run after its transaction committed.

    ``kind``: ``poke`` (``organisation`` at ``version``: its phones pull) or ``job`` (enqueue
    job ``name`` with ``key`` and the JSON ``payload`` as keyword arguments). ``lease_until``:
    a sweep took the row and runs it until then (another sweep leaves it alone).
    """

    id = UUID(primary_key=True)
    kind = Varchar(length=16)
    name = Varchar(length=100, default="")
    key = Varchar(length=300, null=True, default=None)
    organisation = UUID(null=True, default=None)
    version = BigInt(default=0)
    payload = Text(default="{}")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    lease_until = Timestamptz(null=True, default=None)
