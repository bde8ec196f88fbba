"""The push endpoint rule (pure: names resolve through a fake resolver, never the network)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notifications.endpoints import (
    EndpointPolicy,
    EndpointRefusedError,
    EndpointUnresolvedError,
    set_resolver,
)

STRICT = EndpointPolicy.build()  # production: the browsers' push services, https, public only
DNS: dict[str, list[str]] = {}


async def _fake_resolver(host: str, port: int) -> list[str]:
    if host not in DNS:
        raise OSError(f"unknown host {host}")
    return DNS[host]


@pytest.fixture(autouse=True)
def _resolver() -> Iterator[None]:
    DNS.clear()
    set_resolver(_fake_resolver)
    yield
    set_resolver(None)


async def _reason(policy: EndpointPolicy, url: str) -> str:
    with pytest.raises(EndpointRefusedError) as refused:
        await policy.check(url)
    return refused.value.reason


@pytest.mark.parametrize("url", [
    "https://fcm.googleapis.com/fcm/send/abc:def",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
    "https://web.push.apple.com/QGq7",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
])
async def test_the_browsers_push_services_at_public_addresses_are_accepted(url: str) -> None:
    DNS.update({h: ["142.250.74.234", "2a00:1450:4007:80e::200a"] for h in (
        "fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com",
        "wns2-par02p.notify.windows.com")})
    await STRICT.check(url)


@pytest.mark.parametrize(("url", "reason"), [
    ("http://fcm.googleapis.com/fcm/send/abc", "scheme"),
    ("ftp://fcm.googleapis.com/x", "scheme"),
    ("https://fcm.googleapis.com:5432/fcm/send/abc", "port"),
    ("https://push.evil.example/x", "host"),
    ("https://fcm.googleapis.com.evil.example/x", "host"),
    ("https://push.apple.com/x", "host"),  # only its subdomains are Apple's push service
    ("https://evilpush.apple.com/x", "host"),
    ("https://127.0.0.1/push/x", "host"),
    ("https://[::1]/push/x", "host"),
    ("https://10.0.0.5/push/x", "host"),
    ("https://169.254.169.254/latest/meta-data", "host"),
    ("https://user:pw@fcm.googleapis.com/x", "host"),
    ("https:///x", "host"),
])
async def test_other_schemes_hosts_and_ports_are_refused(url: str, reason: str) -> None:
    assert await _reason(STRICT, url) == reason


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.8.8", "::1", "10.0.0.1", "10.255.3.4", "172.16.0.1", "192.168.1.1",
    "169.254.169.254", "100.64.0.1", "0.0.0.0", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
    "fe80::1", "fc00::1", "64:ff9b::a00:1", "2002:0a00:0001::1", "224.0.0.1",
])
async def test_a_push_service_name_resolving_to_a_private_address_is_refused(address: str) -> None:
    DNS["fcm.googleapis.com"] = [address]
    assert await _reason(STRICT, "https://fcm.googleapis.com/fcm/send/abc") == "address"


async def test_one_private_address_among_public_ones_refuses_the_name() -> None:
    DNS["fcm.googleapis.com"] = ["142.250.74.234", "10.0.0.7"]
    assert await _reason(STRICT, "https://fcm.googleapis.com/fcm/send/abc") == "address"


async def test_a_name_that_does_not_resolve_is_unresolved_not_accepted() -> None:
    with pytest.raises(EndpointUnresolvedError):
        await STRICT.check("https://fcm.googleapis.com/fcm/send/abc")


async def test_operators_add_hosts_and_networks_through_the_settings() -> None:
    policy = EndpointPolicy.build(["push.intranet.example", "*.push.example.org:8443",
                                   "127.0.0.1:*"], ["10.20.0.0/16", "127.0.0.1/32"],
                                  https_only=False)
    DNS["push.intranet.example"] = ["10.20.1.1"]
    await policy.check("https://push.intranet.example/p/1")
    await policy.check("http://push.intranet.example/p/1")  # development and test only
    DNS["a.push.example.org"] = ["93.184.216.34"]
    await policy.check("https://a.push.example.org:8443/p")
    assert await _reason(policy, "https://a.push.example.org/p") == "port"
    await policy.check("http://127.0.0.1:41234/push/x")
    assert await _reason(policy, "http://127.0.0.2:41234/push/x") == "host"
    DNS["push.intranet.example"] = ["10.30.1.1"]  # outside the network the operator listed
    assert await _reason(policy, "https://push.intranet.example/p/1") == "address"
    # The extra networks do not open the browsers' push services to private addresses other
    # than the listed ones.
    DNS["fcm.googleapis.com"] = ["10.99.0.1"]
    assert await _reason(policy, "https://fcm.googleapis.com/x") == "address"
