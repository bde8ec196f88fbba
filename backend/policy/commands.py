"""``nomade load-rates FILE``: dated currency rates (euros per unit) from a CSV file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from backend.policy.services import load_rates, parse_rates
from kernel.unit_of_work import UnitOfWork

__all__ = ("load_rates_command",)


async def load_rates_command(args: argparse.Namespace) -> int:
    """Load the file; a bad line loads nothing and names the line (exit 2)."""
    try:
        text = await asyncio.to_thread(Path(args.file).read_text, encoding="utf-8-sig")
        rows = parse_rates(text.splitlines())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"nomade load-rates: {exc}", file=sys.stderr)
        return 2
    async with UnitOfWork():  # all or nothing
        written = await load_rates(rows, source=args.source, now=datetime.now(UTC))
    print(f"{written} rate(s) loaded")
    return 0
