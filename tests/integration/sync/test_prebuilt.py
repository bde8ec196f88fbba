"""sync/prebuilt.py writes by hand the statements Piccolo would build: checked row for row
against Piccolo's own queries, for every synced entity, on the engine of the run (SQLite, or
PostgreSQL with NOMADE_TEST_DB=postgres)."""

from __future__ import annotations

import uuid
from typing import Any

from piccolo.query.methods.raw import Raw

from sync.prebuilt import page_query, probe_query, row_query
from sync.registry import entities
from sync.storage import current_epoch
from tests.factories import make_org
from tests.integration.sync.helpers import SyncClient, line_args
from tests.integration.workflows.test_claims import approved_mission, line, open_claim


async def _rows_of_every_kind(client: Any) -> Any:
    org = await make_org()
    claim_id = await open_claim(client, org, await approved_mission(client, org))
    for amount in (1200, 3400):
        await line(client, org, claim_id, amount_cents=amount)
    other = SyncClient(client, org.people["agent_b"])
    for _ in range(3):
        await other.do("expense_line.create", line_args())
    return org


async def test_prebuilt_statements_return_what_piccolo_returns(client: Any) -> None:
    org = await _rows_of_every_kind(client)
    await current_epoch()
    manager = org.people["manager_a"].actor
    compared = 0
    for name, spec in entities().items():
        table = spec.table
        pk = table._meta.primary_key
        where = await spec.where(manager)
        if where is None:
            continue
        ours = await page_query(table, org.id, 0, None, 10**12, where.querystring, 1000)
        theirs = await table.select().where(
            (table.organisation == org.id)  # type: ignore[attr-defined]
            & (table.sync_version > 0)  # type: ignore[attr-defined]
            & where
        ).order_by(table.sync_version, pk).limit(1000)  # type: ignore[attr-defined]
        assert ours == theirs, name
        if not theirs:
            continue
        compared += len(theirs)
        middle = theirs[len(theirs) // 2]
        after = await page_query(table, org.id, middle["sync_version"], middle[pk._meta.name],
                                 10**12, where.querystring, 1000)
        assert after == theirs[len(theirs) // 2 + 1:], name
        for row in theirs:
            assert await row_query(table, row[pk._meta.name]) == [row], name
        assert await row_query(table, uuid.uuid4() if pk.value_type is uuid.UUID else "none") == []
        [probed] = await Raw(table, probe_query(table, org.id, 0, where.querystring))
        assert probed[pk._meta.name] in {row[pk._meta.name] for row in theirs}, name
        last = theirs[-1]["sync_version"]
        assert await Raw(table, probe_query(table, org.id, last, where.querystring)) == [], name
    assert compared >= 4  # a mission, a claim and the manager's agent's two lines at least
