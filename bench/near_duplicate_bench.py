"""Near-duplicate receipt search: every stored hash of the organisation compared (the search
before the indexed bands) against the banded index lookup (``similar_receipts``), same data.

    uv run python bench/near_duplicate_bench.py [--db sqlite|postgres|both] [--stored 20000]

Each engine runs in a child process on a fresh database (SQLite file, or a temporary PostgreSQL
database dropped afterwards). Prints the median and p95 per search, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEARCHES = 60


async def _measure(stored: int) -> dict[str, float]:
    from backend.expenses.duplicates import band_columns, similar_receipts
    from backend.expenses.tables import ReceiptReading
    from backend.migrate import migrate
    from ocr.duplicates import NEAR_DUPLICATE_BITS, hamming

    await migrate()
    org, rng = uuid.uuid4(), random.Random(1)
    hashes = [f"{rng.getrandbits(64):016x}" for _ in range(stored)]
    rows = [ReceiptReading(id=uuid.uuid4(), organisation=org, sha256=f"{n:064x}",
                           rule_version="bench", reading_key=f"{org}:{n}", status="read",
                           perceptual_hash=h, _data=band_columns(org, h))
            for n, h in enumerate(hashes)]
    for offset in range(0, stored, 1000):
        await ReceiptReading.insert(*rows[offset:offset + 1000])

    async def scan(phash: str) -> list[str]:  # the search before: every hash of the organisation
        found = await ReceiptReading.select(ReceiptReading.sha256,
                                            ReceiptReading.perceptual_hash).where(
            ReceiptReading.organisation == org, ReceiptReading.sha256 != "x",
            ReceiptReading.perceptual_hash.is_not_null())
        return sorted({r["sha256"] for r in found
                       if hamming(r["perceptual_hash"], phash) <= NEAR_DUPLICATE_BITS})

    targets = [rng.choice(hashes) for _ in range(SEARCHES)]
    timings: dict[str, list[float]] = {"scan": [], "bands": []}
    for phash in targets:
        for name, search in (("scan", scan(phash)), ("bands", similar_receipts(org, "x", phash))):
            started = time.perf_counter()
            found = await search
            timings[name].append((time.perf_counter() - started) * 1000)
            assert found, "the stored hash itself is found"
    return {f"{name}_{q}": round(value, 2) for name, values in timings.items()
            for q, value in (("p50", statistics.median(values)),
                             ("p95", sorted(values)[int(0.95 * (len(values) - 1))]))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--stored", type=int, default=20_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        from bench.sync_bench import _configure, _drop

        name = _configure(args.db)
        try:
            print(json.dumps(asyncio.run(_measure(args.stored))))
        finally:
            _drop(name)
        return 0
    print(f"near-duplicate search, {args.stored} stored hashes, {SEARCHES} searches (ms)")
    print(f"{'engine':<10}{'scan p50':>10}{'scan p95':>10}{'bands p50':>11}{'bands p95':>11}")
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        out = subprocess.run([sys.executable, __file__, "--db", db, "--stored", str(args.stored),
                              "--child"], cwd=ROOT, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr[-4000:], file=sys.stderr)
            return out.returncode
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{db:<10}{r['scan_p50']:>10}{r['scan_p95']:>10}{r['bands_p50']:>11}"
              f"{r['bands_p95']:>11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
