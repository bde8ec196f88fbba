"""Where a push may be sent: known push services only, at public addresses only.

A subscription's endpoint is a URL chosen by the browser, or by anyone calling the API: without
a rule the sender would post wherever it is told (the database port, the cloud metadata
service, the intranet). An endpoint is accepted when

- its host is one of the browsers' push services (:data:`PUSH_SERVICES`) on the scheme's
  default port, or a ``host[:port]`` the operator lists in ``NOMADE_PUSH_ALLOWED_HOSTS``
  (``*.example.org`` for subdomains, ``:*`` for any port);
- its scheme is https (http too in development and test, for a local push service);
- every address its host resolves to is public, or inside a network the operator lists in
  ``NOMADE_PUSH_ALLOWED_NETWORKS`` (the local push service of the tests, a push service on the
  operator's own network).

It is checked when a subscription is registered and again when a push leaves: the aiohttp
transport connects only to addresses this module's resolver checked (:class:`CheckedResolver`),
the httpx transport re-checks right before sending. Resolution goes through one seam
(:func:`set_resolver`) so tests can make a name resolve to any address without the network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from kernel.settings import get_settings

__all__ = (
    "PUSH_SERVICES",
    "EndpointPolicy",
    "EndpointRefusedError",
    "EndpointUnresolvedError",
    "Resolver",
    "current_policy",
    "resolve",
    "set_resolver",
)

# The browsers' push services: Chrome/Edge (FCM), Firefox, Safari, legacy Edge/Windows (WNS).
PUSH_SERVICES: tuple[str, ...] = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.push.services.mozilla.com",
    "*.push.apple.com",
    "*.notify.windows.com",
)
_DEFAULT_PORTS = {"https": 443, "http": 80}
_ANY_PORT = -1
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]


class EndpointRefusedError(ValueError):
    """The endpoint may not receive pushes; ``reason``: scheme, host, port or address."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"push endpoint refused ({reason}) {detail}".strip())
        self.reason = reason


class EndpointUnresolvedError(OSError):
    """The endpoint's host does not resolve right now (may be temporary)."""


async def system_resolver(host: str, port: int) -> list[str]:
    """The machine's resolver (``getaddrinfo``), every address of ``host``."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


_resolver: Resolver = system_resolver


def set_resolver(resolver: Resolver | None) -> None:
    """Resolve names with ``resolver`` (tests); None restores the system resolver."""
    global _resolver
    _resolver = resolver or system_resolver


async def resolve(host: str, port: int) -> list[str]:
    """Every address of ``host`` through the current resolver; EndpointUnresolvedError if none."""
    try:
        addresses = await _resolver(host, port)
    except OSError as exc:
        raise EndpointUnresolvedError(f"{host}: {exc}") from exc
    if not addresses:
        raise EndpointUnresolvedError(f"{host}: no address")
    return addresses


def _embedded(address: Address) -> Iterable[Address]:
    """The address and any IPv4 address it carries (mapped, 6to4, Teredo, NAT64)."""
    yield address
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            yield address.ipv4_mapped
        if address.sixtofour is not None:
            yield address.sixtofour
        if address.teredo is not None:
            yield from address.teredo
        if address in _NAT64:
            yield ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def _public(address: Address) -> bool:
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class _HostRule:
    pattern: str  # "push.example.org" or "*.example.org" (subdomains only)
    port: int | None  # None: the scheme's default port; _ANY_PORT: any

    def matches(self, host: str, port: int, default_port: int) -> bool:
        if self.pattern.startswith("*."):
            if not host.endswith(self.pattern[1:]) or host == self.pattern[2:]:
                return False
        elif host != self.pattern:
            return False
        return self.port == _ANY_PORT or port == (default_port if self.port is None else self.port)


def _host_rule(entry: str) -> _HostRule:
    entry = entry.strip().lower()
    if entry.startswith("["):  # [::1]:port
        host, _, rest = entry[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif entry.count(":") == 1:
        host, _, port_text = entry.partition(":")
    else:
        host, port_text = entry, ""
    if port_text == "*":
        return _HostRule(host, _ANY_PORT)
    return _HostRule(host, int(port_text) if port_text else None)


@dataclass(frozen=True)
class EndpointPolicy:
    """The rule for push endpoints (built from the settings by :func:`current_policy`)."""

    hosts: tuple[_HostRule, ...]
    allowed_networks: tuple[Network, ...] = ()
    https_only: bool = True

    @classmethod
    def build(
        cls, extra_hosts: Iterable[str] = (), networks: Iterable[str] = (), *,
        https_only: bool = True,
    ) -> EndpointPolicy:
        rules = [_host_rule(h) for h in (*PUSH_SERVICES, *extra_hosts) if h.strip()]
        nets = [ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip()]
        return cls(tuple(rules), tuple(nets), https_only)

    def check_url(self, url: str) -> tuple[str, int]:
        """Scheme, host and port of ``url`` against the allow-list; returns (host, port)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise EndpointRefusedError("host", "malformed URL") from exc
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        if scheme not in _DEFAULT_PORTS or (self.https_only and scheme != "https"):
            raise EndpointRefusedError("scheme", "https required")
        if not host or parts.username is not None or parts.password is not None:
            raise EndpointRefusedError("host", "no host")
        default = _DEFAULT_PORTS[scheme]
        actual = default if port is None else port
        named = [rule for rule in self.hosts if rule.matches(host, actual, default)]
        if not named:
            known = any(_HostRule(rule.pattern, _ANY_PORT).matches(host, actual, default)
                        for rule in self.hosts)
            raise EndpointRefusedError("port" if known else "host", host)
        return host, actual

    def address_allowed(self, text: str) -> bool:
        """Whether a connection to ``text`` (an IP address) is allowed."""
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            return False
        if any(address in network for network in self.allowed_networks):
            return True
        return all(_public(a) for a in _embedded(address))

    def check_addresses(self, host: str, addresses: Iterable[str]) -> list[str]:
        """``addresses`` if every one is allowed; refuses the lot when any one is not."""
        found = list(addresses)
        refused = [a for a in found if not self.address_allowed(a)]
        if refused or not found:
            raise EndpointRefusedError("address", f"{host} -> {', '.join(refused)}")
        return found

    async def check(self, url: str) -> None:
        """The whole check: allow-list, then every address the host resolves to."""
        host, port = self.check_url(url)
        if _is_ip(host):
            self.check_addresses(host, [host])
        else:
            self.check_addresses(host, await resolve(host, port))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=8)
def _policy(extra_hosts: str, networks: str, https_only: bool) -> EndpointPolicy:
    return EndpointPolicy.build(extra_hosts.split(","), networks.split(","),
                                https_only=https_only)


def current_policy() -> EndpointPolicy:
    """The policy the settings describe (https only in production)."""
    settings = get_settings()
    return _policy(settings.push_allowed_hosts, settings.push_allowed_networks,
                   settings.environment == "production")
