"""The sync push feeds the metrics: refused intents by code (once, not per replay) and the
outbox depth phones report."""

from __future__ import annotations

import uuid

from kernel import metrics
from tests.factories import make_org
from tests.integration.sync.helpers import SyncClient, line_args


async def test_refused_intents_are_counted_once_by_code(client) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    phone = SyncClient(client, org.people["agent_a"])
    intent = phone.intent("expense_line.create", line_args(uuid.uuid4(), currency="XXXX"))
    first = await phone.push(intent)
    ack = first["acks"][0]
    assert ack["status"] == "rejected", ack
    code = ack["code"]
    counted = metrics.sample_value("nomade_sync_intents_refused_total", {"code": code})
    assert counted >= 1
    replay = await phone.push(intent)  # lost response: the phone sends the same seq again
    assert replay["acks"] == first["acks"]
    assert metrics.sample_value("nomade_sync_intents_refused_total", {"code": code}) == counted


async def test_outbox_depth_reported_with_a_push_is_recorded(client) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    phone = SyncClient(client, org.people["agent_a"])
    reports = "nomade_sync_client_pending_intents_count"
    before = metrics.sample_value(reports)
    response = await client.post("/sync/v1/push", headers=phone.person.headers, json={
        "client_id": str(phone.client_id), "schema_version": 1, "pending": 42,
        "oldest_pending_seconds": 7200.0,
        "mutations": [phone.intent("expense_line.create", line_args())]})
    assert response.status_code == 200, response.text
    assert metrics.sample_value(reports) == before + 1
    text = (await client.get("/metrics")).text
    assert 'nomade_sync_client_pending_intents_bucket{le="25.0"} ' in text
