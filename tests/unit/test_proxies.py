"""Which client address a request counts against, behind trusted proxies only."""

from __future__ import annotations

from kernel.proxies import client_address_from, parse_networks

LOOPBACK = parse_networks("127.0.0.1/32,::1/128")


def test_untrusted_peer_keeps_its_own_address_whatever_it_claims() -> None:
    assert client_address_from("203.0.113.5", "198.51.100.1", LOOPBACK) == "203.0.113.5"


def test_trusted_proxy_reports_the_right_most_untrusted_hop() -> None:
    assert client_address_from("127.0.0.1", "1.1.1.1, 203.0.113.5", LOOPBACK) == "203.0.113.5"
    chain = parse_networks("127.0.0.1, 10.0.0.0/8")
    assert client_address_from("127.0.0.1", "9.9.9.9, 203.0.113.5, 10.1.2.3", chain) == \
        "203.0.113.5"
    assert client_address_from("::ffff:127.0.0.1", "203.0.113.7", LOOPBACK) == "203.0.113.7"


def test_no_header_or_no_trusted_proxy_means_the_peer() -> None:
    assert client_address_from("127.0.0.1", "", LOOPBACK) == "127.0.0.1"
    assert client_address_from("127.0.0.1", "203.0.113.5", parse_networks("")) == "127.0.0.1"
