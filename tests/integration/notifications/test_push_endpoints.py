"""Push endpoints are not a way to make the server connect anywhere, or to hammer anyone.

Through the API (registration) and through the real sender and transports (send time), with
names resolved by a resolver the test sets (never the network) and the settings an operator
would use. The tests' own environment allows the local push service (127.0.0.1, any port);
``_settings`` puts the production rule back where a test needs it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kernel.settings import reset_settings
from notifications import notify
from notifications.sender import PushSender
from notifications.tables import PushOutbox, PushSubscription
from notifications.transport import AiohttpTransport, HttpxTransport
from notifications.vapid import get_signer
from tests.factories import make_org
from tests.integration.notifications.conftest import deliver, paris, subscribe
from tests.pushservice import FakePushService

NOON = paris(2034, 2, 7, 12)
DNS: dict[str, list[str]] = {}
PUBLIC = "93.184.216.34"


async def _fake_resolver(host: str, port: int) -> list[str]:
    if host not in DNS:
        raise OSError(f"unknown host {host}")
    return DNS[host]


@pytest.fixture(autouse=True)
def _resolver() -> Iterator[None]:
    from notifications.endpoints import set_resolver

    DNS.clear()
    set_resolver(_fake_resolver)
    yield
    set_resolver(None)


@contextmanager
def _settings(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    reset_settings()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_settings()


def _production_rule():  # type: ignore[no-untyped-def]
    """No extra host or network: what a production server without settings accepts."""
    return _settings(NOMADE_PUSH_ALLOWED_HOSTS="", NOMADE_PUSH_ALLOWED_NETWORKS="")


async def _register(client, person, service: FakePushService, endpoint: str):  # type: ignore[no-untyped-def]
    info = {**service.new_subscription().info, "endpoint": endpoint}
    return await client.post("/api/v1/push/subscriptions", json=info, headers=person.headers)


@pytest.mark.parametrize(("endpoint", "resolves_to", "reason"), [
    ("https://localhost/push/x", None, "host"),
    ("https://127.0.0.1/push/x", None, "host"),
    ("https://fcm.googleapis.com/fcm/send/loopback", "127.0.0.1", "address"),
    ("https://10.1.2.3/push/x", None, "host"),
    ("https://web.push.apple.com/intranet", "10.1.2.3", "address"),
    ("http://169.254.169.254/latest/meta-data", None, "host"),
    ("https://updates.push.services.mozilla.com/wpush/v2/metadata", "169.254.169.254",
     "address"),
    ("https://fcm.googleapis.com:5432/fcm/send/db", PUBLIC, "port"),
    ("https://push.attacker.example/x", PUBLIC, "host"),
])
async def test_registration_refuses_what_is_not_a_push_service_at_a_public_address(
    client, push_service: FakePushService, endpoint: str, resolves_to: str | None, reason: str
) -> None:
    org = await make_org()
    if resolves_to:
        DNS[endpoint.split("/")[2].split(":")[0]] = [resolves_to]
    with _production_rule():
        response = await _register(client, org.people["agent_a"], push_service, endpoint)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "PUSH_ENDPOINT_REFUSED" and body["details"]["reason"] == reason
    assert body["message"]["fr"] and body["message"]["en"]
    assert await PushSubscription.count().where(PushSubscription.endpoint == endpoint) == 0


async def test_http_is_refused_in_production(client, push_service: FakePushService) -> None:
    org = await make_org()
    DNS["fcm.googleapis.com"] = [PUBLIC]
    with _settings(NOMADE_ENV="production"):
        response = await _register(client, org.people["agent_a"], push_service,
                                   "http://fcm.googleapis.com/fcm/send/plain")
        assert response.json()["details"]["reason"] == "scheme"
        local = await _register(client, org.people["agent_a"], push_service,
                                push_service.new_subscription().endpoint)
        assert local.json()["details"]["reason"] == "scheme", "the local http one too"
    accepted = await _register(client, org.people["agent_a"], push_service,
                               "https://fcm.googleapis.com/fcm/send/tls")
    assert accepted.status_code == 200, accepted.text


async def test_a_push_service_at_a_public_address_is_accepted_and_an_unresolved_one_waits(
    client, push_service: FakePushService
) -> None:
    org = await make_org()
    DNS["fcm.googleapis.com"] = [PUBLIC, "2606:2800:220:1:248:1893:25c8:1946"]
    with _production_rule():
        ok = await _register(client, org.people["agent_b"], push_service,
                             "https://fcm.googleapis.com/fcm/send/public")
        assert ok.status_code == 200, ok.text
        unknown = await _register(client, org.people["agent_b"], push_service,
                                  "https://web.push.apple.com/not-resolving")
    assert unknown.status_code == 503 and unknown.json()["code"] == "PUSH_ENDPOINT_UNRESOLVED"
    assert unknown.headers["retry-after"] == "60"


@pytest.mark.parametrize("transport_kind", ["aiohttp", "httpx"])
async def test_a_name_rebound_to_a_private_address_after_registration_gets_no_connection(
    client, push_service: FakePushService, transport_kind: str, caplog
) -> None:
    """Registered while ``push.rebind.test`` resolved to a public address; by send time it
    resolves to the loopback address where a service listens. The transport checks the
    address it would connect to and never connects; the subscription is dropped."""
    org = await make_org()
    person = org.people["manager_a"]
    endpoint = f"http://push.rebind.test:{push_service.port}/push/rebind"
    DNS["push.rebind.test"] = [PUBLIC]
    with _settings(NOMADE_PUSH_ALLOWED_HOSTS="push.rebind.test:*",
                   NOMADE_PUSH_ALLOWED_NETWORKS=""):
        sub = push_service.new_subscription()
        sub.endpoint = endpoint
        response = await client.post("/api/v1/push/subscriptions", json=sub.info,
                                     headers=person.headers)
        assert response.status_code == 200, response.text
        DNS["push.rebind.test"] = ["127.0.0.1"]
        await notify("decision_made", [person.user_id], {"kind": "mission", "id": "rb"},
                     {"decision": "approved", "label": "Rebound"}, now=NOON)
        transport = AiohttpTransport(4) if transport_kind == "aiohttp" else HttpxTransport(4)
        requests_before = push_service.requests
        try:
            with caplog.at_level(logging.ERROR, logger="nomade.push.alert"):
                await PushSender(get_signer(), transport, concurrency=4).deliver_due(NOON)
        finally:
            await transport.aclose()
    assert push_service.requests == requests_before, "nothing reached the private address"
    [row] = await PushOutbox.select(PushOutbox.state).where(PushOutbox.user == person.user_id)
    assert row["state"] == "gone"
    assert await PushSubscription.count().where(PushSubscription.endpoint == endpoint) == 0
    assert any("refused at send time" in r.getMessage() for r in caplog.records)


async def test_the_transport_connects_to_the_address_it_checked(
    client, push_service: FakePushService
) -> None:
    """The same name, resolving to an address the settings allow: the request arrives there,
    so the address checked is the address used (the local service then refuses the VAPID
    token, whose audience is the name it does not answer to: no browser uses it)."""
    org = await make_org()
    person = org.people["manager_b"]
    sub = push_service.new_subscription()
    sub.endpoint = f"http://push.local.test:{push_service.port}/push/{sub.id}"
    DNS["push.local.test"] = ["127.0.0.1"]
    with _settings(NOMADE_PUSH_ALLOWED_HOSTS="push.local.test:*",
                   NOMADE_PUSH_ALLOWED_NETWORKS="127.0.0.1/32"):
        response = await client.post("/api/v1/push/subscriptions", json=sub.info,
                                     headers=person.headers)
        assert response.status_code == 200, response.text
        await notify("decision_made", [person.user_id], {"kind": "mission", "id": "lc"},
                     {"decision": "approved", "label": "Local"}, now=NOON)
        transport = AiohttpTransport(4)
        try:
            await PushSender(get_signer(), transport, concurrency=4).deliver_due(NOON)
        finally:
            await transport.aclose()
    [reached] = [r for r in push_service.rejections if r.subscription_id == sub.id]
    assert "aud" in reached.reason


async def test_a_person_holds_at_most_the_set_number_of_subscriptions(
    client, push_service: FakePushService
) -> None:
    org = await make_org()
    person = org.people["agent_a2"]
    with _settings(NOMADE_PUSH_SUBSCRIPTIONS_PER_USER="3"):
        subs = [await subscribe(client, person, push_service) for _ in range(3)]
        again = await client.post("/api/v1/push/subscriptions", json=subs[0].info,
                                  headers=person.headers)
        assert again.status_code == 200, "refreshing a subscription one holds is fine"
        extra = await client.post("/api/v1/push/subscriptions",
                                  json=push_service.new_subscription().info,
                                  headers=person.headers)
    assert extra.status_code == 409, extra.text
    assert extra.json()["code"] == "PUSH_SUBSCRIPTIONS_LIMIT"
    assert extra.json()["details"]["limit"] == 3
    assert await PushSubscription.count().where(PushSubscription.user == person.user_id) == 3


async def test_send_me_a_test_is_rate_limited_per_person(
    client, push_service: FakePushService
) -> None:
    org = await make_org()
    person, other = org.people["agent_b"], org.people["manager_b"]
    for _ in range(2):
        await subscribe(client, person, push_service)
    answers = [await client.post("/api/v1/push/test", headers=person.headers)
               for _ in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    refused = answers[-1]
    assert refused.json()["code"] == "PUSH_TEST_RATE_LIMITED"
    assert 0 < int(refused.headers["retry-after"]) <= 600
    assert await PushOutbox.count().where(
        (PushOutbox.user == person.user_id) & (PushOutbox.event_type == "test")) == 3 * 2
    assert (await client.post("/api/v1/push/test", headers=other.headers)).status_code == 202
    await deliver()
