"""End to end through the real sender to the local fake push service: every delivery outcome."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from notifications import notify
from notifications.payload import MAX_BODY
from notifications.tables import PushOutbox, PushSubscription
from notifications.vapid import get_signer
from tests.factories import make_org
from tests.integration.notifications.conftest import deliver, paris, subscribe
from tests.pushservice import FakePushService

NOON = paris(2031, 3, 12, 12)


def invoice(number: str = "F-2031-001", status: str = "REJETEE", amount: int = 123456) -> dict:
    return {
        "invoice_number": number,
        "status": status,
        "amount_cents": amount,
        "reason": "SIRET du destinataire erroné",
    }


async def _states(sub_endpoint: str) -> list[str]:
    rows = await PushOutbox.select(PushOutbox.state).where(
        PushOutbox.subscription.endpoint == sub_endpoint
    )
    return [r["state"] for r in rows]


async def test_invoice_status_reaches_the_supplier_device_decrypted_in_french(
    client, push_service: FakePushService
) -> None:
    org = await make_org()
    supplier = org.people["supplier"]
    sub = await subscribe(client, supplier, push_service)
    other = await subscribe(client, org.people["other_supplier"], push_service)
    doc_id = "0f8fad5b-d9cb-469f-a165-70867728950e"
    await notify(
        "invoice_status_changed",
        [supplier.user_id],
        {"kind": "invoice", "id": doc_id, "url": f"/invoices/{doc_id}"},
        invoice(),
        now=NOON,
    )
    await deliver(NOON)
    [message] = push_service.messages(sub)
    body = message.json()
    assert body["web_push"] == 8030
    note = body["notification"]
    assert note["title"] == "Facture F-2031-001 : rejetée"
    assert note["lang"] == "fr" and note["navigate"] == f"/invoices/{doc_id}"
    assert "Action requise" in note["body"]
    assert "€" not in note["body"], "lock-screen privacy hides amounts by default"
    assert body["app_badge"] == 1
    assert message.topic == doc_id.replace("-", "") and message.ttl == 7 * 86400
    assert message.claims["aud"] == push_service.origin
    assert message.claims["sub"].startswith("mailto:")
    assert push_service.messages(other) == []
    assert await _states(sub.endpoint) == ["sent"]
    row = (
        await PushSubscription.select(PushSubscription.last_success_at)
        .where(PushSubscription.endpoint == sub.endpoint)
        .first()
    )
    assert row["last_success_at"] is not None


async def test_english_device_gets_english_text_and_amount_when_privacy_is_off(
    client, push_service: FakePushService
) -> None:
    org = await make_org()
    supplier = org.people["supplier"]
    sub = await subscribe(client, supplier, push_service, language="en")
    response = await client.put(
        "/api/v1/push/preferences", headers=supplier.headers, json={"hide_amounts": False}
    )
    assert response.status_code == 200, response.text
    await notify(
        "invoice_status_changed",
        [supplier.user_id],
        {"kind": "invoice", "id": "inv-42", "url": "/invoices/inv-42"},
        invoice(status="MISE_EN_PAIEMENT"),
        now=NOON,
    )
    await deliver(NOON)
    note = push_service.messages(sub)[0].json()["notification"]
    assert note["title"] == "Invoice F-2031-001: payment released"
    assert "€1,234.56" in note["body"]
    assert len(push_service.messages(sub)[0].topic or "") == 32


async def test_gone_subscription_is_deleted_and_not_retried(client, push_service) -> None:
    org = await make_org()
    person = org.people["agent_a"]
    sub = await subscribe(client, person, push_service)
    push_service.expire(sub)
    await notify(
        "decision_made",
        [person.user_id],
        {"kind": "mission", "id": "m1", "url": "/m/1"},
        {"decision": "approved", "label": "Mission Lyon"},
        now=NOON,
    )
    report = await deliver(NOON)
    assert report.gone >= 1
    assert await PushSubscription.count().where(PushSubscription.endpoint == sub.endpoint) == 0
    rows = await PushOutbox.select(PushOutbox.state).where(PushOutbox.user == person.user_id)
    assert [r["state"] for r in rows] == ["gone"]


async def test_404_also_removes_the_subscription(client, push_service) -> None:
    org = await make_org()
    person = org.people["agent_a"]
    sub = await subscribe(client, person, push_service)
    push_service.respond(sub, 404)
    await notify(
        "decision_made",
        [person.user_id],
        {"kind": "mission", "id": "m2", "url": "/m/2"},
        {"decision": "refused", "label": "Mission Lille"},
        now=NOON,
    )
    await deliver(NOON)
    assert await PushSubscription.count().where(PushSubscription.endpoint == sub.endpoint) == 0


async def test_429_waits_for_retry_after_then_delivers(client, push_service) -> None:
    org = await make_org()
    person = org.people["manager_a"]
    sub = await subscribe(client, person, push_service)
    push_service.respond(sub, 429, retry_after="120")
    await notify(
        "decision_made",
        [person.user_id],
        {"kind": "mission", "id": "m3", "url": "/m/3"},
        {"decision": "approved", "label": "Mission Brest"},
        now=NOON,
    )
    await deliver(NOON)
    assert push_service.messages(sub) == []
    row = (
        await PushOutbox.select(
            PushOutbox.state, PushOutbox.next_attempt_at, PushOutbox.last_status
        )
        .where(PushOutbox.user == person.user_id)
        .first()
    )
    assert row["state"] == "pending" and row["last_status"] == 429
    waited = row["next_attempt_at"] - NOON
    assert timedelta(seconds=119) <= waited <= timedelta(seconds=121)
    await deliver(NOON + timedelta(seconds=60))
    assert push_service.messages(sub) == [], "Retry-After is honoured"
    await deliver(NOON + timedelta(seconds=121))
    assert len(push_service.messages(sub)) == 1


async def test_server_errors_back_off_exponentially_then_deliver(client, push_service) -> None:
    org = await make_org()
    person = org.people["agent_b"]
    sub = await subscribe(client, person, push_service)
    push_service.respond(sub, 500, times=2)
    await notify(
        "decision_made",
        [person.user_id],
        {"kind": "mission", "id": "m4", "url": "/m/4"},
        {"decision": "approved", "label": "Mission Metz"},
        now=NOON,
    )
    waits = []
    at = NOON
    for _ in range(2):
        await deliver(at)
        row = (
            await PushOutbox.select(PushOutbox.next_attempt_at)
            .where(PushOutbox.user == person.user_id)
            .first()
        )
        waits.append(row["next_attempt_at"] - at)
        at = row["next_attempt_at"]
    assert waits[1] > waits[0] > timedelta(0)
    await deliver(at)
    assert len(push_service.messages(sub)) == 1


async def test_413_is_retried_with_a_shorter_payload(client, push_service) -> None:
    org = await make_org()
    person = org.people["manager_a"]
    sub = await subscribe(client, person, push_service)
    push_service.respond(sub, 413)
    await notify(
        "approval_requested",
        [person.user_id],
        {"kind": "mission", "id": "m5", "url": "/missions/m5"},
        {"label": "Mission Bordeaux", "requester_name": "Agent A"},
        action_required=True,
        now=NOON,
    )
    await deliver(NOON)
    first = (
        await PushOutbox.select(PushOutbox.payload, PushOutbox.state)
        .where(PushOutbox.user == person.user_id)
        .first()
    )
    await deliver(NOON)
    [message] = push_service.messages(sub)
    note = message.json()["notification"]
    assert note["navigate"] == "/missions/m5"
    assert "actions" not in note, "the shorter payload drops the extras"
    assert len(message.plaintext) < len(first["payload"]) or first["state"] == "sent"


async def test_401_and_403_are_logged_as_alerts_and_not_retried(
    client, push_service, caplog
) -> None:
    org = await make_org()
    person = org.people["agent_a2"]
    sub = await subscribe(client, person, push_service)
    push_service.respond(sub, 403)
    with caplog.at_level(logging.ERROR, logger="nomade.push.alert"):
        await notify(
            "decision_made",
            [person.user_id],
            {"kind": "mission", "id": "m6", "url": "/m"},
            {"decision": "approved", "label": "Mission Caen"},
            now=NOON,
        )
        await deliver(NOON)
    alerts = [r for r in caplog.records if r.name == "nomade.push.alert"]
    assert alerts and alerts[0].status == 403
    assert await _states(sub.endpoint) == ["failed"]
    await deliver(NOON + timedelta(hours=2))
    assert push_service.messages(sub) == []


async def test_wrong_vapid_key_is_refused_by_the_push_service(client, push_service) -> None:
    org = await make_org()
    person = org.people["agent_a"]
    sub = push_service.new_subscription(application_server_key="B" + "A" * 86)
    response = await client.post(
        "/api/v1/push/subscriptions", json=sub.info, headers=person.headers
    )
    assert response.status_code == 200
    await notify(
        "decision_made",
        [person.user_id],
        {"kind": "mission", "id": "m7", "url": "/m"},
        {"decision": "approved", "label": "X"},
        now=NOON,
    )
    await deliver(NOON)
    assert [r.status for r in push_service.rejections if r.subscription_id == sub.id] == [403]
    assert await _states(sub.endpoint) == ["failed"]


async def test_every_body_stays_under_4096_bytes_even_with_huge_texts(client, push_service) -> None:
    org = await make_org()
    person = org.people["manager_a"]
    sub = await subscribe(client, person, push_service)
    await notify(
        "approval_requested",
        [person.user_id],
        {"kind": "mission", "id": "m8", "url": "/missions/m8"},
        {"label": "Mission " + "très longue " * 800, "requester_name": "Agent " * 200},
        action_required=True,
        now=NOON,
    )
    await deliver(NOON)
    [message] = push_service.messages(sub)
    assert len(message.plaintext) <= MAX_BODY - 103
    assert message.json()["notification"]["title"].startswith("À valider : Mission très longue")
    assert [r for r in push_service.rejections if r.subscription_id == sub.id] == []


async def test_vapid_token_is_reused_per_push_service(client, push_service) -> None:
    org = await make_org()
    people = [org.people[k] for k in ("agent_a", "agent_a2", "agent_b")]
    subs = [await subscribe(client, p, push_service) for p in people]
    before = get_signer().signatures
    await notify(
        "decision_made",
        [p.user_id for p in people],
        {"kind": "mission", "id": "m9", "url": "/m"},
        {"decision": "approved", "label": "Y"},
        now=NOON,
    )
    await deliver(NOON)
    assert all(len(push_service.messages(s)) == 1 for s in subs)
    assert get_signer().signatures - before <= 1
    tokens = {push_service.messages(s)[0].claims["exp"] for s in subs}
    assert len(tokens) == 1


@pytest.mark.parametrize("event_type", ["approval_requested"])
async def test_approval_request_is_urgent_with_actions_and_deadline_ttl(
    client, push_service, event_type: str
) -> None:
    org = await make_org()
    manager = org.people["manager_a"]
    sub = await subscribe(client, manager, push_service)
    late_evening = paris(2031, 3, 12, 23)  # inside the default quiet hours
    deadline = late_evening + timedelta(hours=3)
    await notify(
        event_type,
        [manager.user_id],
        {
            "kind": "mission",
            "id": "11111111-2222-3333-4444-555555555555",
            "url": "/missions/11111111-2222-3333-4444-555555555555",
        },
        {
            "label": "Paris–Lyon 14/03",
            "requester_name": "Camille Agent",
            "deadline": deadline.isoformat(),
            "amount_cents": 8950,
            "intents": {"approve": {"name": "mission.decide", "args": {"decision": "approve"}}},
        },
        action_required=True,
        now=late_evening,
    )
    await deliver(late_evening)
    [message] = push_service.messages(sub)
    assert message.urgency == "high"
    assert 3 * 3600 - 5 <= message.ttl <= 3 * 3600, "no use ringing after the booking expires"
    note = message.json()["notification"]
    assert [a["action"] for a in note["actions"]] == ["approve", "refuse"]
    assert note["actions"][0]["title"] == "Approuver"
    assert "13/03 02:00" in note["body"], "the booking deadline is shown in Paris time"
    assert note["data"]["intents"]["approve"]["args"]["decision"] == "approve"
    assert "refuse" not in note["data"]["intents"], "refusing needs a reason: it opens the page"


async def test_httpx_transport_delivers_the_same_way(client, push_service) -> None:
    from notifications.sender import PushSender
    from notifications.transport import HttpxTransport

    org = await make_org()
    person = org.people["agent_b"]
    sub = await subscribe(client, person, push_service)
    push_service.respond(sub, 429, retry_after="30")
    transport = HttpxTransport(4)
    sender = PushSender(get_signer(), transport, concurrency=4)
    try:
        await notify(
            "decision_made",
            [person.user_id],
            {"kind": "mission", "id": "hx", "url": "/m"},
            {"decision": "approved", "label": "Mission Tours"},
            now=NOON,
        )
        assert (await sender.deliver_due(NOON)).retried == 1
        assert (await sender.deliver_due(NOON + timedelta(seconds=31))).sent == 1
    finally:
        await transport.aclose()
    assert len(push_service.messages(sub)) == 1


async def test_unreachable_push_service_is_retried_later(client, push_service) -> None:
    org = await make_org()
    person = org.people["agent_a"]
    dead = FakePushService()
    sub = dead.new_subscription()  # never started: the port refuses connections
    sub.endpoint = "http://127.0.0.1:9/push/" + sub.id
    response = await client.post(
        "/api/v1/push/subscriptions", json=sub.info, headers=person.headers
    )
    assert response.status_code == 200
    await notify(
        "decision_made",
        [person.user_id],
        {"kind": "mission", "id": "dead", "url": "/m"},
        {"decision": "approved", "label": "Mission Rodez"},
        now=NOON,
    )
    report = await deliver(NOON)
    assert report.retried >= 1
    row = (
        await PushOutbox.select(PushOutbox.state, PushOutbox.next_attempt_at)
        .where(PushOutbox.user == person.user_id)
        .first()
    )
    assert row["state"] == "pending" and row["next_attempt_at"] > NOON


async def test_two_workers_at_once_send_each_message_exactly_once(client, push_service) -> None:
    import asyncio

    from notifications.sender import PushSender
    from notifications.transport import AiohttpTransport

    org = await make_org()
    people = [org.people[k] for k in ("agent_a", "agent_a2", "agent_b", "manager_a", "manager_b")]
    subs = [await subscribe(client, p, push_service) for p in people for _ in range(4)]
    at = paris(2031, 9, 9, 12)
    for index in range(6):
        await notify("decision_made", [p.user_id for p in people],
                     {"kind": "mission", "id": f"race-{index}", "url": "/m"},
                     {"decision": "approved", "label": f"Mission {index}"}, now=at)
    transports = [AiohttpTransport(8), AiohttpTransport(8)]
    workers = [PushSender(get_signer(), t, concurrency=8, batch=7, lanes=2) for t in transports]
    try:
        reports = await asyncio.gather(*(w.deliver_due(at) for w in workers))
    finally:
        for t in transports:
            await t.aclose()
    assert sum(r.sent for r in reports) >= 6 * len(subs)
    for sub in subs:
        bodies = [m.plaintext for m in push_service.messages(sub)]
        assert len(bodies) == 6 and len(set(bodies)) == 6


async def test_the_sweeper_sends_rows_no_job_was_enqueued_for(client, push_service) -> None:
    import asyncio
    from datetime import UTC, datetime

    from notifications.jobs import run_sweeper
    from notifications.schemas import DocumentRef
    from notifications.services import write_event

    org = await make_org()
    person = org.people["agent_b"]
    sub = await subscribe(client, person, push_service)
    # Written as after a restart: the rows exist, no job was enqueued for them.
    await write_event("test", [person.user_id], DocumentRef("", "", "/settings"), {},
                      action_required=True, key=f"sweep-{person.user_id}", now=datetime.now(UTC))
    sweeper = asyncio.create_task(run_sweeper(interval=0.2))
    try:
        await push_service.wait_for_async(sub, 1, timeout=15)
    finally:
        sweeper.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sweeper
    assert push_service.messages(sub)[0].json()["notification"]["title"] == "Notification de test"
