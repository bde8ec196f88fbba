"""Seed organisations into a private database (run as a subprocess: the test process's own
database settings are fixed at import). Prints one JSON object: org ids and people.

    DATABASE_URL=... NOMADE_SECRET_KEY=... python -m tests.integration.scaleout.seed 2
"""

from __future__ import annotations

import asyncio
import json
import sys


async def seed(count: int) -> list[dict[str, object]]:
    import uuid

    from piccolo.engine import engine_finder

    from backend.invoices.integration_keys import create_key
    from tests.factories import make_org

    engine = engine_finder()
    if engine is not None and hasattr(engine, "start_connection_pool"):
        await engine.start_connection_pool(min_size=1, max_size=4)
    orgs = []
    try:
        for _ in range(count):
            org = await make_org()
            key = f"key-{uuid.uuid4().hex}"  # the financial system's integration API key
            await create_key(org.id, key, name="scaleout")
            orgs.append({
                "id": str(org.id),
                "supplier_siret": org.supplier_siret,
                "integration_key": key,
                "people": {key: {"headers": p.headers, "user_id": str(p.user_id), "role": p.role}
                           for key, p in org.people.items()},
            })
    finally:
        if engine is not None and hasattr(engine, "close_connection_pool"):
            await engine.close_connection_pool()
    return orgs


if __name__ == "__main__":
    print(json.dumps(asyncio.run(seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1))))
