"""A push goes to the person it was written for, on a device still signed in as them.

Agent A has a phone and a laptop. Four messages wait for A when the phone leaves A's hands:
one being retried (the push service answered 500 to the phone), one pending, one held for
quiet hours and one folded into tomorrow's digest. Then A signs out on the phone, or revokes it
from the laptop, or another person signs in on it, or A is deactivated. Whatever happens, the
phone never receives A's messages afterwards, and A's laptop still receives all four.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from backend.accounts.tables import Device, User
from backend.accounts.tokens import hash_refresh, issue_access, new_refresh
from kernel.settings import get_settings
from notifications import notify
from notifications.tables import InboxItem, PushOutbox, PushSubscription
from tests.factories import PASSWORD, Person, make_org
from tests.integration.notifications.conftest import deliver, paris, subscribe
from tests.pushservice import FakePushService, FakeSubscription, PushMessage

NOON = paris(2033, 6, 14, 12)
EVENING = paris(2033, 6, 14, 23)  # inside the default quiet hours (21:00-07:30)
NEXT_MORNING = paris(2033, 6, 15, 9)  # after quiet hours and the 08:00 digest


async def _second_device(person: Person) -> Person:
    """Another signed-in device of the same person (their laptop)."""
    device_id = uuid.uuid4()
    await Device.insert(
        Device(id=device_id, user=person.user_id, name="laptop",
               refresh_hash=hash_refresh(new_refresh()),
               refresh_expires_at=datetime.now(UTC) + timedelta(days=30))
    ).run()
    actor = msgspec.structs.replace(person.actor, device_id=device_id)
    token = issue_access(get_settings().secret_key, actor, 3600)
    return Person(person.user_id, person.email, person.role, device_id, token, "", actor)


def _decision(label: str) -> dict[str, str]:
    return {"decision": "approved", "label": label}


async def _four_messages_waiting(client, push_service: FakePushService, person: Person,  # type: ignore[no-untyped-def]
                                 phone: FakeSubscription, tag: str) -> None:
    """Retried, pending, quiet-hours-held and digest messages for ``person``, none yet on the
    phone (the laptop already has the retried one)."""
    push_service.respond(phone, 500)
    await notify("decision_made", [person.user_id],
                 {"kind": "mission", "id": f"retried-{tag}", "url": "/m/r"},
                 _decision(f"Retried {tag}"), now=NOON)
    await deliver(NOON)
    retrying = await PushOutbox.select(PushOutbox.last_status).where(
        (PushOutbox.user == person.user_id) & (PushOutbox.state == "pending"))
    assert [r["last_status"] for r in retrying] == [500], "the phone's copy waits for a retry"
    await notify("decision_made", [person.user_id],
                 {"kind": "mission", "id": f"pending-{tag}", "url": "/m/p"},
                 _decision(f"Pending {tag}"), now=NOON + timedelta(minutes=1))
    await notify("decision_made", [person.user_id],
                 {"kind": "mission", "id": f"quiet-{tag}", "url": "/m/q"},
                 _decision(f"Quiet {tag}"), now=EVENING)
    await notify("payment_sent", [person.user_id],
                 {"kind": "claim", "id": f"digest-{tag}", "url": "/c/d"},
                 {"label": f"Digest {tag}"}, now=NOON)
    states = await PushOutbox.select(PushOutbox.state).where(PushOutbox.user == person.user_id)
    assert sorted(r["state"] for r in states) == sorted(
        ["sent", "pending"] + ["pending"] * 4 + ["digest"] * 2
    )
    assert push_service.messages(phone) == []


async def _deliver_everything() -> None:
    for at in (NOON + timedelta(hours=1), NOON + timedelta(hours=2), NEXT_MORNING,
               NEXT_MORNING + timedelta(hours=1)):
        await deliver(at)


def _texts(messages: list[PushMessage]) -> list[str]:
    return [m.plaintext.decode() for m in messages]


async def _sign_in(client, email: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/auth/login",
                                 json={"email": email, "password": PASSWORD,
                                       "device_name": "shared phone"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize("event", ["logout", "revoked_from_the_laptop", "another_person_signs_in"])
async def test_the_phone_gets_nothing_more_of_the_persons_and_their_laptop_gets_it_all(
    client, push_service: FakePushService, event: str
) -> None:
    org = await make_org()
    agent, colleague = org.people["agent_a"], org.people["agent_b"]
    laptop_session = await _second_device(agent)
    phone = await subscribe(client, agent, push_service)
    laptop = await subscribe(client, laptop_session, push_service)
    tag = uuid.uuid4().hex[:6]
    await _four_messages_waiting(client, push_service, agent, phone, tag)

    if event == "logout":
        response = await client.post("/api/v1/auth/logout", headers=agent.headers)
        assert response.status_code == 204
    elif event == "revoked_from_the_laptop":
        response = await client.delete(f"/api/v1/devices/{agent.device_id}",
                                       headers=laptop_session.headers)
        assert response.status_code == 204
    else:  # the colleague signs in on the same browser; the app registers its subscription
        colleague_headers = await _sign_in(client, colleague.email)
        response = await client.post("/api/v1/push/subscriptions", json=phone.info,
                                     headers=colleague_headers)
        assert response.status_code == 200, response.text
    owners = await PushSubscription.select(PushSubscription.user).where(
        PushSubscription.endpoint == phone.endpoint)
    if event == "another_person_signs_in":
        assert [r["user"] for r in owners] == [colleague.user_id]
        await notify("decision_made", [colleague.user_id],
                     {"kind": "mission", "id": f"colleague-{tag}", "url": "/m/c"},
                     _decision(f"Colleague {tag}"), now=NOON + timedelta(minutes=2))
    else:
        assert owners == [], "the signed-out phone's subscription is deleted at once"

    await _deliver_everything()

    on_phone = _texts(push_service.messages(phone))
    assert not [t for t in on_phone if tag in t and "Colleague" not in t], on_phone
    if event == "another_person_signs_in":
        assert len(on_phone) == 1 and f"Colleague {tag}" in on_phone[0]
    on_laptop = _texts(push_service.messages(laptop))
    assert len(on_laptop) == 4, on_laptop
    for label in ("Retried", "Pending", "Quiet"):
        assert sum(f"{label} {tag}" in t for t in on_laptop) == 1, (label, on_laptop)
    [summary] = [t for t in on_laptop if '"digest"' in t]
    assert "Paiement envoy" in summary
    withdrawn = await PushOutbox.select(PushOutbox.state).where(
        (PushOutbox.user == agent.user_id) & (PushOutbox.state == "withdrawn"))
    assert len(withdrawn) == 4, "the phone's four copies are withdrawn, not sent"
    assert await InboxItem.count().where(InboxItem.user == agent.user_id) == 4


async def test_a_deactivated_person_gets_no_push_anywhere_and_keeps_the_inbox(
    client, push_service: FakePushService
) -> None:
    org = await make_org()
    agent = org.people["agent_a2"]
    laptop_session = await _second_device(agent)
    phone = await subscribe(client, agent, push_service)
    laptop = await subscribe(client, laptop_session, push_service)
    tag = uuid.uuid4().hex[:6]
    await _four_messages_waiting(client, push_service, agent, phone, tag)
    already_on_laptop = len(push_service.messages(laptop))

    await User.update({User.is_active: False}).where(User.id == agent.user_id)
    await _deliver_everything()

    assert push_service.messages(phone) == []
    assert len(push_service.messages(laptop)) == already_on_laptop == 1
    assert await PushSubscription.count().where(PushSubscription.user == agent.user_id) == 0
    assert await PushOutbox.count().where(
        (PushOutbox.user == agent.user_id) & PushOutbox.state.is_in(["pending", "digest"])) == 0
    assert await InboxItem.count().where(InboxItem.user == agent.user_id) == 4


async def test_deactivation_by_an_administrator_forgets_the_subscriptions_at_once(
    client, push_service: FakePushService
) -> None:
    """Through the admin API (the one deactivation rule, accounts.sessions.deactivate_user):
    the person's subscriptions are gone when the answer comes, before any delivery runs."""
    org = await make_org()
    agent = org.people["agent_a2"]
    await subscribe(client, agent, push_service)
    assert await PushSubscription.count().where(PushSubscription.user == agent.user_id) == 1
    response = await client.post(f"/api/v1/admin/people/{agent.user_id}/deactivate",
                                 headers=org.people["admin"].headers)
    assert response.status_code == 200, response.text
    assert await PushSubscription.count().where(PushSubscription.user == agent.user_id) == 0
    refused = await client.get("/api/v1/me", headers=agent.headers)
    assert refused.status_code == 401


async def test_a_device_whose_session_ended_by_hand_is_skipped_at_send_time(
    client, push_service: FakePushService
) -> None:
    """Revoked in the database (not through Nomade: no hook ran): the claim itself refuses."""
    org = await make_org()
    agent = org.people["manager_b"]
    phone = await subscribe(client, agent, push_service)
    await Device.update({Device.revoked_at: datetime.now(UTC)}).where(
        Device.id == agent.device_id)
    await notify("decision_made", [agent.user_id], {"kind": "mission", "id": "x", "url": "/m"},
                 _decision("By hand"), now=NOON)
    await deliver(NOON)
    assert push_service.messages(phone) == []
    [row] = await PushOutbox.select(PushOutbox.state).where(PushOutbox.user == agent.user_id)
    assert row["state"] == "withdrawn"
    assert await PushSubscription.count().where(PushSubscription.endpoint == phone.endpoint) == 0


async def test_a_subscription_moved_to_someone_else_in_the_database_is_not_used_for_the_first(
    client, push_service: FakePushService
) -> None:
    """Even if the subscription row changed owner without a re-key, the claim checks that the
    row's recipient still owns it."""
    org = await make_org()
    first, second = org.people["manager_a"], org.people["head"]
    phone = await subscribe(client, first, push_service)
    await notify("decision_made", [first.user_id], {"kind": "mission", "id": "y", "url": "/m"},
                 _decision("Moved"), now=NOON)
    await PushSubscription.update(
        {PushSubscription.user: second.user_id, PushSubscription.device: second.device_id}
    ).where(PushSubscription.endpoint == phone.endpoint)
    await deliver(NOON)
    assert push_service.messages(phone) == []
    assert await PushSubscription.count().where(PushSubscription.endpoint == phone.endpoint) == 1


async def test_a_session_ended_for_a_replayed_refresh_token_drops_the_phones_subscription(
    client, push_service: FakePushService
) -> None:
    """Refresh-token reuse revokes the device (someone copied its tokens): its pushes stop."""
    org = await make_org()
    agent = org.people["agent_b"]
    response = await client.post("/api/v1/auth/login",
                                 json={"email": agent.email, "password": PASSWORD})
    session = response.json()
    headers = {"Authorization": f"Bearer {session['access_token']}"}
    phone = push_service.new_subscription()
    assert (await client.post("/api/v1/push/subscriptions", json=phone.info,
                              headers=headers)).status_code == 200
    replay = await client.post("/api/v1/auth/refresh", json={
        "device_id": session["device_id"], "refresh_token": "stolen-" + "x" * 40})
    assert replay.json()["code"] == "REFRESH_REUSED"
    assert await PushSubscription.count().where(PushSubscription.endpoint == phone.endpoint) == 0
