"""Running the outbox: the trigger after a commit (:func:`deliver`) and the worker's sweep of
rows a crash left behind (:func:`sweep_outbox`)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from kernel import jobs
from kernel.background import BackgroundLoop
from kernel.db import is_postgres, write_transaction
from kernel.live import Poke, publish_poke
from kernel.outbox.effects import JobEffect, OutboxEntry, PokeEffect
from kernel.outbox.tables import Outbox

__all__ = ("GRACE", "LEASE", "deliver", "start_outbox_sweeper", "stop_outbox_sweeper",
           "sweep_outbox")

log = logging.getLogger("nomade.outbox")
#: How long the writer has to run its own outbox rows before a sweep takes them over.
GRACE = timedelta(seconds=10)
#: How long a sweep holds the rows it took.
LEASE = timedelta(minutes=2)


def _entry_of(row: dict[str, Any]) -> OutboxEntry:
    row_id = row["id"] if isinstance(row["id"], UUID) else UUID(str(row["id"]))
    if row["kind"] == "poke":
        org = row["organisation"]
        return OutboxEntry(row_id, PokeEffect(org if isinstance(org, UUID) else UUID(str(org)),
                                              int(row["version"])))
    return OutboxEntry(row_id, JobEffect(row["name"], row["key"],
                                         msgspec.json.decode(row["payload"] or "{}")))


async def deliver(entries: list[OutboxEntry], *, poke: Poke | None = None) -> int:
    """Run the effects of committed outbox rows, then delete the rows whose effect ran.

    An organisation is poked once, at its newest version. A row whose effect could not run
    (no publisher or queue in this process, Redis down) stays for :func:`sweep_outbox`.
    ``poke``: publish through this instead of the process's publisher (a sync push's
    channels). Returns how many rows ran.
    """
    if not entries:
        return 0
    newest: dict[UUID, int] = {}
    poke_rows: dict[UUID, list[UUID]] = {}
    done: list[UUID] = []
    for entry in entries:
        effect = entry.effect
        if isinstance(effect, PokeEffect):
            newest[effect.organisation] = max(effect.version, newest.get(effect.organisation, 0))
            poke_rows.setdefault(effect.organisation, []).append(entry.id)
            continue
        if jobs.current_queue() is None:  # a command-line tool: the worker's sweep enqueues it
            continue
        try:
            await jobs.enqueue(effect.name, key=effect.key, **effect.kwargs)
        except Exception:
            log.warning("job not enqueued; the outbox sweep retries",
                        extra={"job": effect.name}, exc_info=True)
            continue
        done.append(entry.id)
    for organisation, version in newest.items():
        try:
            if poke is not None:
                await poke(organisation, version)
            elif not await publish_poke(organisation, version):
                continue
        except Exception:
            log.warning("poke failed; the outbox sweep retries", exc_info=True)
            continue
        done.extend(poke_rows[organisation])
    if done:
        try:
            await Outbox.delete().where(Outbox.id.is_in(done))
        except Exception:  # ran, but stays: the sweep runs it again (at least once)
            log.warning("outbox rows not deleted", exc_info=True)
    return len(done)


async def sweep_outbox(*, grace: timedelta = GRACE, limit: int = 500,
                       now: datetime | None = None) -> int:
    """Run the outbox rows their writer left (a crash between commit and delivery, no queue
    in a command-line tool): rows older than ``grace`` and not leased, taken with a lease
    (``FOR UPDATE SKIP LOCKED`` on PostgreSQL: concurrent sweeps take different rows).
    Returns how many rows ran."""
    now = now or datetime.now(UTC)
    async with write_transaction():
        query = Outbox.select().where(
            (Outbox.created_at <= now - grace)
            & (Outbox.lease_until.is_null() | (Outbox.lease_until < now))
        ).order_by(Outbox.created_at).limit(limit)
        if is_postgres():
            query = query.lock_rows("UPDATE", skip_locked=True, of=(Outbox,))
        rows = await query
        if rows:
            await Outbox.update({Outbox.lease_until: now + LEASE}).where(
                Outbox.id.is_in([r["id"] for r in rows]))
    return await deliver([_entry_of(row) for row in rows])


SWEEP_SECONDS = 5.0
_sweeper = BackgroundLoop()


async def _sweep_forever(interval: float) -> None:
    while True:
        try:
            ran = await sweep_outbox()
            if ran:
                log.info("outbox sweep ran effects left behind", extra={"rows": ran})
        except Exception:
            log.exception("outbox sweep failed")
        await asyncio.sleep(interval)


def start_outbox_sweeper(interval: float = SWEEP_SECONDS) -> None:
    """Where jobs run (the worker, the embedded app): sweep the outbox every ``interval``."""
    _sweeper.start(lambda: _sweep_forever(interval))


async def stop_outbox_sweeper() -> None:
    """At process stop: end the sweeper."""
    await _sweeper.stop()
