"""The leading statement of an applied intent's last statement: its ack (the unit of work's
last statement follows it in the same round trip, ``kernel.last_statement``)."""

from __future__ import annotations

from typing import Any

from kernel.last_statement import Lead

__all__ = ("ack_lead",)

_ACK_INSERT = (
    "INSERT INTO sync_ack (client, seq, ack_key, mutation_id, name, v, status, code, details, "
    "conflicts, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())"
)
_ACK_INSERT_SQLITE = (
    "INSERT INTO sync_ack (client, seq, ack_key, mutation_id, name, v, status, code, details, "
    "conflicts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def ack_lead(values: tuple[Any, ...]) -> Lead:
    """The insert of an intent's ack (``values``: its ten values but the time)."""
    return Lead(_ACK_INSERT, _ACK_INSERT_SQLITE, values)
