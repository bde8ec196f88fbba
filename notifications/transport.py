"""The one shared HTTP client that talks to push services.

Two interchangeable transports with the same timeouts and connection bound:

- :class:`AiohttpTransport` (the default): measured on the 2-core development machine at about
  0.3 ms of CPU per request, against 2.4-3.4 ms for httpx 0.28, whose connection pool checks
  every pooled socket with system calls on each request (``bench/push_bench.py --transport``).
- :class:`HttpxTransport`: the same contract on ``httpx.AsyncClient``.

Neither follows redirects (a push service never redirects; following could leak the VAPID token).
Both send only to endpoints :mod:`notifications.endpoints` allows, checked as the push leaves:
the aiohttp transport resolves names through :class:`CheckedResolver`, so it connects only to
addresses that were checked; the httpx transport re-checks right before each post. A refused
endpoint raises :class:`EndpointRefusedError` (never retried).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp.abc import AbstractResolver, ResolveResult

from notifications.endpoints import (
    EndpointRefusedError,
    EndpointUnresolvedError,
    current_policy,
    resolve,
)

__all__ = (
    "AiohttpTransport",
    "CheckedResolver",
    "EndpointRefusedError",
    "HttpxTransport",
    "PushResponse",
    "PushTransport",
    "TransportError",
    "close_transport",
    "get_transport",
    "set_transport",
)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
TOTAL_TIMEOUT = 15.0


class TransportError(Exception):
    """The request did not get an HTTP answer (connection refused, reset, timeout)."""


@dataclass(frozen=True)
class PushResponse:
    status: int
    retry_after: str | None
    text: str


class PushTransport(Protocol):
    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> PushResponse: ...

    async def aclose(self) -> None: ...


def _check_url(url: str) -> tuple[str, int]:
    """The allow-list part of the check (no DNS); an IP-literal host is checked here too, as
    no resolver sees it."""
    policy = current_policy()
    host, port = policy.check_url(url)
    if policy.address_allowed(host) or not _looks_like_ip(host):
        return host, port
    raise EndpointRefusedError("address", host)


def _looks_like_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class CheckedResolver(AbstractResolver):
    """An aiohttp resolver that answers only addresses the endpoint policy allows (all of a
    name's addresses, or it refuses the name): the connection goes where the check looked."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        try:
            addresses = current_policy().check_addresses(host, await resolve(host, port))
        except EndpointUnresolvedError as exc:
            raise OSError(str(exc)) from exc
        return [
            ResolveResult(hostname=host, host=address, port=port,
                          family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                          proto=socket.IPPROTO_TCP, flags=socket.AI_NUMERICHOST)
            for address in addresses
        ]

    async def close(self) -> None:
        return None


class AiohttpTransport:
    """One ``aiohttp.ClientSession`` with a bounded, keep-alive connection pool."""

    def __init__(self, max_connections: int = 32) -> None:
        self.max_connections = max_connections
        self._session: Any = None

    def _get_session(self) -> Any:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self.max_connections,
                    limit_per_host=self.max_connections,
                    ttl_dns_cache=300,
                    resolver=CheckedResolver(),
                ),
                timeout=aiohttp.ClientTimeout(
                    total=TOTAL_TIMEOUT, connect=CONNECT_TIMEOUT, sock_read=READ_TIMEOUT
                ),
                auto_decompress=False,
                skip_auto_headers=("User-Agent",),
                headers={"User-Agent": "Nomade-push/1"},
            )
        return self._session

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> PushResponse:
        import aiohttp

        _check_url(url)
        try:
            async with self._get_session().post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                text = (await response.read())[:500].decode("utf-8", "replace")
                return PushResponse(response.status, response.headers.get("Retry-After"), text)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class HttpxTransport:
    """One ``httpx.AsyncClient`` with the same limits."""

    def __init__(self, max_connections: int = 32) -> None:
        import httpx

        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=False,
            headers={"User-Agent": "Nomade-push/1"},
        )

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> PushResponse:
        import httpx

        host, port = _check_url(url)
        if not _looks_like_ip(host):  # re-checked right before sending
            try:
                current_policy().check_addresses(host, await resolve(host, port))
            except EndpointUnresolvedError as exc:
                raise TransportError(str(exc)) from exc
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        return PushResponse(
            response.status_code, response.headers.get("retry-after"), response.text[:500]
        )

    async def aclose(self) -> None:
        await self._client.aclose()


_transport: PushTransport | None = None


def get_transport(max_connections: int = 32) -> PushTransport:
    """The process's shared transport."""
    global _transport
    if _transport is None:
        _transport = AiohttpTransport(max_connections)
    return _transport


def set_transport(transport: PushTransport | None) -> None:
    global _transport
    _transport = transport


async def close_transport() -> None:
    global _transport
    if _transport is not None:
        await _transport.aclose()
        _transport = None
