"""Preferences, quiet hours, digests, inbox, presence, subscriptions, test push: via the API."""

from __future__ import annotations

from datetime import timedelta

from notifications import notify
from notifications.tables import InboxItem, PushOutbox, PushSubscription
from tests.factories import make_org
from tests.integration.notifications.conftest import deliver, paris, subscribe
from tests.pushservice import FakePushService

DOC = {"kind": "mission", "id": "22222222-3333-4444-5555-666666666666", "url": "/missions/2222"}


async def test_default_preferences_are_sensible(client) -> None:
    org = await make_org()
    response = await client.get("/api/v1/push/preferences", headers=org.people["agent_a"].headers)
    assert response.status_code == 200
    prefs = response.json()
    assert prefs["timezone"] == "Europe/Paris"
    assert prefs["quiet_start"] == "21:00" and prefs["quiet_end"] == "07:30"
    assert prefs["hide_amounts"] is True
    assert prefs["modes"]["approval_requested"] == "immediate"
    assert prefs["modes"]["payment_sent"] == "digest"


async def test_bad_preferences_get_a_coded_bilingual_error(client) -> None:
    org = await make_org()
    headers = org.people["agent_a"].headers
    response = await client.put(
        "/api/v1/push/preferences",
        headers=headers,
        json={"timezone": "Mars/Olympus", "modes": {"nope": "off"}},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "PUSH_PREFERENCES_INVALID" and body["message"]["en"]
    assert body["details"]["unknown_types"] == ["nope"]
    response = await client.put(
        "/api/v1/push/preferences", headers=headers, json={"digest_time": "25:00"}
    )
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION_FAILED"
    response = await client.put(
        "/api/v1/push/preferences",
        headers=headers,
        json={"quiet_start": "22:00", "quiet_end": None},
    )
    assert response.status_code == 400


async def test_preferences_round_trip_and_version_grows(client) -> None:
    org = await make_org()
    headers = org.people["manager_a"].headers
    first = await client.put(
        "/api/v1/push/preferences",
        headers=headers,
        json={
            "modes": {"decision_made": "digest"},
            "digest_time": "18:30",
            "timezone": "America/Cayenne",
            "quiet_start": None,
            "quiet_end": None,
            "hide_amounts": False,
        },
    )
    second = await client.put(
        "/api/v1/push/preferences",
        headers=headers,
        json={
            "modes": {"ocr_finished": "immediate"},
            "digest_time": "18:30",
            "timezone": "America/Cayenne",
            "quiet_start": None,
            "quiet_end": None,
            "hide_amounts": False,
        },
    )
    assert second.status_code == 200
    prefs = (await client.get("/api/v1/push/preferences", headers=headers)).json()
    assert (
        prefs["modes"]["decision_made"] == "digest"
        and prefs["modes"]["ocr_finished"] == "immediate"
    )
    assert prefs["quiet_start"] is None and prefs["timezone"] == "America/Cayenne"
    assert second.json()["version"] > first.json()["version"] >= 1


async def test_quiet_hours_hold_the_push_until_morning_but_inbox_is_immediate(
    client, push_service: FakePushService
) -> None:
    org = await make_org()
    agent = org.people["agent_a"]
    sub = await subscribe(client, agent, push_service)
    evening = paris(2032, 1, 20, 22, 30)
    await notify(
        "decision_made",
        [agent.user_id],
        DOC,
        {"decision": "approved", "label": "Mission Nice"},
        now=evening,
    )
    inbox = (await client.get("/api/v1/inbox/", headers=agent.headers)).json()
    assert inbox["items"][0]["title"] == "Mission Nice : approuvé" and inbox["unread"] == 1
    await deliver(evening)
    await deliver(paris(2032, 1, 21, 7, 29))
    assert push_service.messages(sub) == []
    await deliver(paris(2032, 1, 21, 7, 30))
    assert len(push_service.messages(sub)) == 1


async def test_type_switched_off_writes_inbox_only(client, push_service) -> None:
    org = await make_org()
    agent = org.people["agent_b"]
    sub = await subscribe(client, agent, push_service)
    await client.put(
        "/api/v1/push/preferences", headers=agent.headers, json={"modes": {"decision_made": "off"}}
    )
    noon = paris(2032, 2, 3, 12)
    await notify(
        "decision_made", [agent.user_id], DOC, {"decision": "refused", "label": "M"}, now=noon
    )
    await deliver(noon)
    assert push_service.messages(sub) == []
    assert (await client.get("/api/v1/inbox/unread-count", headers=agent.headers)).json() == {
        "unread": 1
    }


async def test_digest_gathers_the_day_into_one_push_at_the_chosen_time(
    client, push_service
) -> None:
    org = await make_org()
    supplier = org.people["supplier"]
    sub = await subscribe(client, supplier, push_service)
    await client.put(
        "/api/v1/push/preferences",
        headers=supplier.headers,
        json={"modes": {"invoice_status_changed": "digest"}, "digest_time": "17:00"},
    )
    for hour, status in ((9, "MISE_A_DISPOSITION"), (11, "SERVICE_FAIT"), (15, "MANDATEE")):
        at = paris(2032, 3, 4, hour)
        await notify(
            "invoice_status_changed",
            [supplier.user_id],
            {"kind": "invoice", "id": f"inv-{hour}", "url": f"/invoices/inv-{hour}"},
            {"invoice_number": f"F{hour}", "status": status},
            now=at,
        )
        await deliver(at)
    assert push_service.messages(sub) == []
    await deliver(paris(2032, 3, 4, 17, 0))
    [digest] = push_service.messages(sub)
    note = digest.json()["notification"]
    assert note["title"] == "3 notifications du jour"
    assert "Facture F9 : mise à disposition" in note["body"] and note["navigate"] == "/inbox"
    await deliver(paris(2032, 3, 4, 17, 5))
    assert len(push_service.messages(sub)) == 1, "a digest goes out once"


async def test_no_push_for_the_document_on_screen(client, push_service) -> None:
    org = await make_org()
    manager = org.people["manager_b"]
    sub = await subscribe(client, manager, push_service)
    response = await client.post(
        "/api/v1/push/presence",
        headers=manager.headers,
        json={"document_kind": DOC["kind"], "document_id": DOC["id"]},
    )
    assert response.status_code == 204
    noon = paris(2032, 4, 5, 12)
    await notify(
        "approval_requested",
        [manager.user_id],
        DOC,
        {"label": "Mission Pau"},
        action_required=True,
        now=noon,
    )
    other = {**DOC, "id": "other-doc"}
    await notify(
        "approval_requested",
        [manager.user_id],
        other,
        {"label": "Mission Dax"},
        action_required=True,
        now=noon,
    )
    await deliver(noon)
    titles = [m.json()["notification"]["title"] for m in push_service.messages(sub)]
    assert titles == ["À valider : Mission Dax"]
    assert (await client.get("/api/v1/inbox/unread-count", headers=manager.headers)).json()[
        "unread"
    ] == 2
    states = {
        r["document_id"]: r["state"]
        for r in await PushOutbox.select(PushOutbox.document_id, PushOutbox.state).where(
            PushOutbox.user == manager.user_id
        )
    }
    assert states == {DOC["id"]: "skipped", "other-doc": "sent"}


async def test_inbox_pages_marks_read_and_isolates_users(client) -> None:
    org = await make_org()
    agent, other = org.people["agent_a"], org.people["agent_a2"]
    base = paris(2032, 5, 6, 10)
    for i in range(5):
        await notify(
            "ocr_needs_review",
            [agent.user_id],
            {"kind": "receipt", "id": f"r{i}", "url": f"/r/{i}"},
            {"merchant": f"Commerce {i}"},
            now=base + timedelta(minutes=i),
        )
    page1 = (await client.get("/api/v1/inbox/?limit=2", headers=agent.headers)).json()
    assert [i["title"] for i in page1["items"]] == [
        "Commerce 4 : à vérifier",
        "Commerce 3 : à vérifier",
    ]
    assert page1["unread"] == 5 and page1["next_before"]
    page2 = (
        await client.get(
            "/api/v1/inbox/",
            params={"limit": 2, "before": page1["next_before"]},
            headers=agent.headers,
        )
    ).json()
    page3 = (
        await client.get(
            "/api/v1/inbox/",
            params={"limit": 2, "before": page2["next_before"]},
            headers=agent.headers,
        )
    ).json()
    assert [i["document"]["id"] for i in page2["items"] + page3["items"]] == ["r2", "r1", "r0"]
    assert page3["next_before"] is None
    item_id = page1["items"][0]["id"]
    assert (
        await client.post(f"/api/v1/inbox/{item_id}/read", headers=other.headers)
    ).status_code == 404
    marked = (await client.post(f"/api/v1/inbox/{item_id}/read", headers=agent.headers)).json()
    assert marked == {"marked": 1, "unread": 4}
    again = (await client.post(f"/api/v1/inbox/{item_id}/read", headers=agent.headers)).json()
    assert again == {"marked": 0, "unread": 4}
    unread_only = (
        await client.get("/api/v1/inbox/?unread_only=true", headers=agent.headers)
    ).json()
    assert item_id not in [i["id"] for i in unread_only["items"]]
    everything = (await client.post("/api/v1/inbox/read-all", headers=agent.headers)).json()
    assert everything == {"marked": 4, "unread": 0}
    assert (await client.get("/api/v1/inbox/", headers=other.headers)).json()["items"] == []
    bad = await client.get("/api/v1/inbox/?before=garbage", headers=agent.headers)
    assert bad.status_code == 400 and bad.json()["code"] == "INBOX_CURSOR_INVALID"


async def test_inbox_speaks_the_users_language(client) -> None:
    from tests.factories import make_person

    org = await make_org()
    english = await make_person(
        "supplier", organisation_id=None, supplier_company_id=org.supplier_company_id, language="en"
    )
    await notify(
        "invoice_status_changed",
        [english.user_id],
        {"kind": "invoice", "id": "i1"},
        {"invoice_number": "F7", "status": "REJETEE", "amount_cents": 1000},
    )
    [item] = (await client.get("/api/v1/inbox/", headers=english.headers)).json()["items"]
    assert item["title"] == "Invoice F7: rejected" and "€10.00" in item["body"]


async def test_same_event_key_notifies_once(client, push_service) -> None:
    org = await make_org()
    supplier = org.people["supplier"]
    sub = await subscribe(client, supplier, push_service)
    noon = paris(2032, 6, 7, 12)
    for _ in range(3):
        await notify(
            "invoice_status_changed",
            [supplier.user_id],
            {"kind": "invoice", "id": "dup"},
            {"invoice_number": "F1", "status": "REJETEE"},
            key="invoice:dup:REJETEE",
            now=noon,
        )
    await deliver(noon)
    assert len(push_service.messages(sub)) == 1
    assert await InboxItem.count().where(InboxItem.user == supplier.user_id) == 1


async def test_subscription_is_idempotent_by_endpoint_and_moves_to_the_next_account(
    client, push_service
) -> None:
    org = await make_org()
    first, second = org.people["agent_a"], org.people["agent_b"]
    sub = push_service.new_subscription()
    for _ in range(2):
        response = await client.post(
            "/api/v1/push/subscriptions", json=sub.info, headers=first.headers
        )
        assert response.status_code == 200
    assert await PushSubscription.count().where(PushSubscription.endpoint == sub.endpoint) == 1
    moved = await client.post(
        "/api/v1/push/subscriptions", json={**sub.info, "language": "en"}, headers=second.headers
    )
    # Another person on the same browser: a new subscription (the first one's queue stays theirs).
    assert moved.json()["created"] is True and moved.json()["language"] == "en"
    assert await PushSubscription.count().where(PushSubscription.endpoint == sub.endpoint) == 1
    row = (
        await PushSubscription.select(PushSubscription.user)
        .where(PushSubscription.endpoint == sub.endpoint)
        .first()
    )
    assert row["user"] == second.user_id
    gone = await client.delete(
        "/api/v1/push/subscriptions", params={"endpoint": sub.endpoint}, headers=second.headers
    )
    assert gone.status_code == 204
    again = await client.delete(
        "/api/v1/push/subscriptions", params={"endpoint": sub.endpoint}, headers=second.headers
    )
    assert again.status_code == 404 and again.json()["code"] == "PUSH_SUBSCRIPTION_NOT_FOUND"


async def test_bad_subscriptions_are_refused_with_codes(client, push_service) -> None:
    org = await make_org()
    headers = org.people["agent_a"].headers
    sub = push_service.new_subscription()
    remote_http = {**sub.info, "endpoint": "http://169.254.169.254/latest/meta-data"}
    response = await client.post("/api/v1/push/subscriptions", json=remote_http, headers=headers)
    assert response.status_code == 400 and response.json()["code"] == "PUSH_ENDPOINT_REFUSED"
    bad_keys = {**sub.info, "keys": {"p256dh": "B" * 87, "auth": sub.info["keys"]["auth"]}}
    response = await client.post("/api/v1/push/subscriptions", json=bad_keys, headers=headers)
    assert response.status_code == 400 and response.json()["code"] == "PUSH_KEYS_INVALID"
    response = await client.post("/api/v1/push/subscriptions", json=sub.info)
    assert response.status_code == 401


async def test_send_me_a_test_reaches_every_device_even_at_night(client, push_service) -> None:
    org = await make_org()
    agent = org.people["agent_a2"]
    phone = await subscribe(client, agent, push_service)
    laptop = await subscribe(client, agent, push_service, language="en")
    response = await client.post("/api/v1/push/test", headers=agent.headers)
    assert response.status_code == 202 and response.json() == {"devices": 2}
    await deliver()
    assert push_service.messages(phone)[0].json()["notification"]["title"] == "Notification de test"
    assert push_service.messages(laptop)[0].json()["notification"]["title"] == "Test notification"
