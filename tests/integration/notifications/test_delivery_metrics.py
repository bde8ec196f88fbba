"""Every delivery outcome of the real sender shows in ``GET /metrics``
(``nomade_push_deliveries_total`` by status), as operators alert on it (docs/operations.md)."""

from __future__ import annotations

import re

from notifications import notify
from tests.factories import make_org
from tests.integration.notifications.conftest import deliver, paris, subscribe
from tests.pushservice import FakePushService

AT = paris(2032, 5, 4, 11)


def deliveries(text: str) -> dict[str, float]:
    """``nomade_push_deliveries_total`` samples of a /metrics body, by status."""
    found = re.findall(r'^nomade_push_deliveries_total\{status="([a-z_]+)"\} (\S+)$', text, re.M)
    return {status: float(value) for status, value in found}


async def test_each_delivery_outcome_is_counted_in_metrics(
    client, push_service: FakePushService
) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    person = org.people["agent_b"]
    delivered, expired, busy, refused, too_large = [
        await subscribe(client, person, push_service) for _ in range(5)
    ]
    push_service.expire(expired)
    push_service.respond(busy, 429, retry_after="60")
    push_service.respond(refused, 401)
    push_service.respond(too_large, 413)
    before = deliveries((await client.get("/metrics")).text)

    await notify(
        "decision_made",
        [person.user_id],
        {"kind": "mission", "id": "metrics-1", "url": "/missions/metrics-1"},
        {"decision": "approved", "label": "Mission Tours"},
        now=AT,
    )
    report = await deliver(AT)
    response = await client.get("/metrics")
    assert response.status_code == 200
    after = deliveries(response.text)

    counted = {status: after.get(status, 0) - before.get(status, 0) for status in after}
    assert len(push_service.messages(delivered)) == 1
    assert len(push_service.messages(too_large)) == 1, "sent again, shorter"
    assert report.sent >= 2 and counted["sent"] >= 2, (counted, report)
    assert counted["gone"] >= 1, counted
    assert counted["retry"] >= 1, counted
    assert counted["alert"] >= 1, counted
    assert counted["too_large"] >= 1, counted
