"""Which address a request comes from, behind trusted reverse proxies only.

``X-Forwarded-For`` is read only when the settings allow it and the peer itself is a trusted
proxy (loopback by default: the shipped nginx runs beside the app processes). The client is
then the right-most hop that is not a trusted proxy: hops further left were written by the
client and prove nothing. Pure: no web or database imports.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

__all__ = ("client_address_from", "parse_networks")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_networks(text: str) -> tuple[Network, ...]:
    """``"127.0.0.1/32, ::1"`` → networks (a bare address is a one-address network)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False)
                 for part in text.split(",") if part.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def client_address_from(peer: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The client's address: ``peer``, or from ``forwarded_for`` when ``peer`` is trusted."""
    if not trusted or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop[:64]
    return hops[0][:64] if hops else peer
