"""Pokes: the process's publisher lives in the platform (``kernel.live``); writes poke through
their unit of work's outbox (``kernel.unit_of_work``), after commit."""

from __future__ import annotations

from kernel.live import Poke, publish_poke, set_poke_publisher

__all__ = ("Poke", "publish_poke", "set_poke_publisher")
