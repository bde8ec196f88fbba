"""A local fake Web Push service: a real HTTP server on loopback that checks what a real one checks.

For each ``POST /push/<id>`` it verifies the VAPID ``Authorization: vapid t=<jwt>, k=<key>``
header (ES256 signature with ``k``, ``aud`` = this server's origin with its port, ``exp`` in the
future and at most 24 h ahead, ``sub`` a ``mailto:`` or ``https:`` URI), requires ``TTL``, checks
``Urgency`` and ``Topic``, refuses bodies over 4096 bytes, and decrypts the aes128gcm body with
``http_ece`` using the subscription's private key. Accepted plaintexts are stored; canned answers
(404, 410, 413, 429 + Retry-After, 500, ...) can be queued per subscription.

In-process use (pytest, browser tests)::

    with FakePushService() as service:
        sub = service.new_subscription()          # sub.info is PushSubscription.toJSON()
        service.respond(sub, 429, retry_after="3")  # next request to sub answers 429
        ... send ...
        service.wait_for(sub, 1)                  # or: await service.wait_for_async(sub, 1)
        service.messages(sub)[0].json()["notification"]["title"]

``service.on_message = callback`` is called (in the server thread) with each accepted
:class:`PushMessage`; a browser test forwards it with CDP ``ServiceWorker.deliverPushMessage``.

Another process (the benchmark) runs ``python -m tests.pushservice --port N`` and drives it over
HTTP: ``POST /_control/subscriptions`` → subscription JSON, ``GET /_control/stats``,
``POST /_control/respond`` ``{"id", "status", "times", "retry_after"}``, ``POST /_control/reset``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

__all__ = ("FakePushService", "FakeSubscription", "PushMessage", "Rejection", "verify_vapid")

MAX_BODY = 4096
URGENCIES = {"very-low", "low", "normal", "high"}
_TOPIC_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class VapidError(ValueError):
    """The Authorization header does not hold a valid VAPID token for this service."""


def verify_vapid(
    authorization: str, audience: str, now: float | None = None
) -> tuple[dict[str, Any], str]:
    """Check a ``vapid t=..., k=...`` header; returns (claims, public key) or raises VapidError."""
    now = time.time() if now is None else now
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidError("Authorization scheme must be vapid")
    values = {}
    for part in params.split(","):
        name, _, value = part.strip().partition("=")
        values[name.strip()] = value.strip()
    token, key = values.get("t", ""), values.get("k", "")
    if not token or not key:
        raise VapidError("vapid t= and k= are required")
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(_b64d(header_b64))
        claims = json.loads(_b64d(claims_b64))
        signature = _b64d(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64d(key))
    except (ValueError, TypeError) as exc:
        raise VapidError(f"malformed token or key: {exc}") from exc
    if header.get("alg") != "ES256" or len(signature) != 64:
        raise VapidError("token must be signed with ES256 (64-byte r||s signature)")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise VapidError("bad token signature") from exc
    if claims.get("aud") != audience:
        raise VapidError(f"aud must be {audience}, got {claims.get('aud')!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now or exp > now + 24 * 3600:
        raise VapidError("exp must be in the future and at most 24 hours ahead")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")) or len(sub) < 10:
        raise VapidError("sub must be a mailto: or https: URI")
    return claims, key


@dataclass
class FakeSubscription:
    """A browser-side subscription: the endpoint and the keys only the browser knows."""

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    application_server_key: str | None = None

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return _b64e(raw)

    @property
    def info(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives a page."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": _b64e(self.auth)},
        }


@dataclass(frozen=True)
class PushMessage:
    """One accepted push, decrypted."""

    subscription_id: str
    plaintext: bytes
    ttl: int
    urgency: str
    topic: str | None
    claims: dict[str, Any]
    received_at: float

    def json(self) -> Any:
        return json.loads(self.plaintext)


@dataclass(frozen=True)
class Rejection:
    subscription_id: str
    status: int
    reason: str


@dataclass
class _Canned:
    status: int
    retry_after: str | None


@dataclass
class FakePushService:
    """The fake push service; see the module docstring."""

    host: str = "127.0.0.1"
    port: int = 0
    on_message: Callable[[PushMessage], None] | None = None
    subscriptions: dict[str, FakeSubscription] = field(default_factory=dict)
    received: list[PushMessage] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    requests: int = 0
    distinct: int = 0

    def __post_init__(self) -> None:
        self._seen: set[tuple[str, bytes]] = set()
        self._canned: dict[str, deque[_Canned]] = defaultdict(deque)
        self._gone: set[str] = set()
        self._verified: dict[str, tuple[dict[str, Any], str]] = {}
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._server: Any = None

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakePushService:
        """Serve on a loopback port in a background thread (returns once listening)."""
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self, log_level="warning", lifespan="off", access_log=False, backlog=2048
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name=f"fake-push-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake push service did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = self._server = None

    def __enter__(self) -> FakePushService:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- test API ----------------------------------------------------------------------------

    def new_subscription(self, application_server_key: str | None = None) -> FakeSubscription:
        """A fresh subscription; with ``application_server_key`` only that VAPID key is accepted."""
        sub_id = uuid.uuid4().hex
        sub = FakeSubscription(
            sub_id,
            f"{self.origin}/push/{sub_id}",
            ec.generate_private_key(ec.SECP256R1()),
            os.urandom(16),
            application_server_key,
        )
        with self._cond:
            self.subscriptions[sub_id] = sub
        return sub

    def respond(
        self,
        sub: FakeSubscription | str,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
    ) -> None:
        """The next ``times`` requests to ``sub`` get ``status`` (after the checks pass)."""
        sub_id = sub if isinstance(sub, str) else sub.id
        with self._cond:
            self._canned[sub_id].extend(_Canned(status, retry_after) for _ in range(times))

    def expire(self, sub: FakeSubscription | str) -> None:
        """The user unsubscribed: every later request gets 410 Gone."""
        with self._cond:
            self._gone.add(sub if isinstance(sub, str) else sub.id)

    def messages(self, sub: FakeSubscription | str | None = None) -> list[PushMessage]:
        sub_id = sub if isinstance(sub, str) or sub is None else sub.id
        with self._cond:
            return [m for m in self.received if sub_id is None or m.subscription_id == sub_id]

    def reset(self) -> None:
        with self._cond:
            self.received.clear()
            self.rejections.clear()
            self._seen.clear()
            self.distinct = 0
            self._canned.clear()
            self.requests = 0

    def wait_for(
        self, sub: FakeSubscription | str | None, count: int, timeout: float = 10.0
    ) -> list[PushMessage]:
        """Block until ``sub`` (or anyone, with None) has ``count`` messages; raises on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self.messages(sub)
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(found)} of {count} push messages arrived")
                self._cond.wait(left)

    async def wait_for_async(
        self, sub: FakeSubscription | str | None, count: int, timeout: float = 10.0
    ) -> list[PushMessage]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(sub)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} push messages arrived")
            await asyncio.sleep(0.01)

    # -- HTTP --------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path: str = scope["path"]
        if path.startswith("/_control/"):
            status, payload = self._control(scope["method"], path, scope["query_string"], body)
            await _reply(send, status, json.dumps(payload).encode(), "application/json")
            return
        if scope["method"] != "POST" or not path.startswith("/push/"):
            await _reply(send, 404, b"not found")
            return
        status, extra, text = self._push(path.removeprefix("/push/"), headers, body)
        await _reply(send, status, text.encode(), extra=extra)

    def _reject(self, sub_id: str, status: int, reason: str) -> tuple[int, dict[str, str], str]:
        with self._cond:
            self.rejections.append(Rejection(sub_id, status, reason))
        return status, {}, reason

    def _push(
        self, sub_id: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], str]:
        with self._cond:
            self.requests += 1
            sub = self.subscriptions.get(sub_id)
            gone = sub_id in self._gone
        if sub is None:
            return self._reject(sub_id, 404, "no such subscription")
        if gone:
            return self._reject(sub_id, 410, "subscription expired")
        authorization = headers.get("authorization", "")
        try:
            cached = self._verified.get(authorization)
            if cached is None or cached[0]["exp"] <= time.time():
                cached = verify_vapid(authorization, self.origin)
                self._verified[authorization] = cached
            claims, key = cached
        except VapidError as exc:
            return self._reject(sub_id, 401, str(exc))
        if sub.application_server_key and key != sub.application_server_key:
            return self._reject(sub_id, 403, "VAPID key differs from the subscription's")
        ttl = headers.get("ttl", "")
        if not ttl.isdigit():
            return self._reject(sub_id, 400, "TTL header required")
        urgency = headers.get("urgency", "normal")
        if urgency not in URGENCIES:
            return self._reject(sub_id, 400, f"bad Urgency {urgency!r}")
        topic = headers.get("topic")
        if topic is not None and (not topic or len(topic) > 32 or set(topic) - _TOPIC_CHARS):
            return self._reject(sub_id, 400, "Topic must be 1-32 URL-safe base64 characters")
        if len(body) > MAX_BODY:
            return self._reject(sub_id, 413, "payload larger than 4096 bytes")
        if headers.get("content-encoding") != "aes128gcm":
            return self._reject(sub_id, 400, "Content-Encoding must be aes128gcm")
        with self._cond:
            canned = self._canned[sub_id].popleft() if self._canned.get(sub_id) else None
        if canned is not None:
            extra = {"retry-after": canned.retry_after} if canned.retry_after else {}
            with self._cond:
                self.rejections.append(Rejection(sub_id, canned.status, "canned answer"))
            return canned.status, extra, "canned answer"
        try:
            plaintext = http_ece.decrypt(
                body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm"
            )
        except Exception as exc:
            return self._reject(sub_id, 400, f"cannot decrypt: {type(exc).__name__}")
        message = PushMessage(sub_id, plaintext, int(ttl), urgency, topic, claims, time.time())
        with self._cond:
            self.received.append(message)
            if (sub_id, plaintext) not in self._seen:
                self._seen.add((sub_id, plaintext))
                self.distinct += 1
            self._cond.notify_all()
        if self.on_message is not None:
            self.on_message(message)
        return 201, {"location": f"{self.origin}/message/{uuid.uuid4().hex}"}, ""

    def _control(self, method: str, path: str, query: bytes, body: bytes) -> tuple[int, Any]:
        if method == "POST" and path == "/_control/subscriptions":
            options = json.loads(body or b"{}")
            sub = self.new_subscription(options.get("application_server_key"))
            return 200, {"id": sub.id, **sub.info}
        if method == "GET" and path == "/_control/stats":
            with self._cond:
                return 200, {
                    "accepted": len(self.received),
                    "rejected": len(self.rejections),
                    "requests": self.requests,
                    "distinct": self.distinct,
                    "last_at": self.received[-1].received_at if self.received else None,
                }
        if method == "GET" and path == "/_control/messages":
            sub_id = dict(p.split("=", 1) for p in query.decode().split("&") if "=" in p).get("id")
            return 200, [
                {
                    "plaintext": m.plaintext.decode(),
                    "ttl": m.ttl,
                    "urgency": m.urgency,
                    "topic": m.topic,
                }
                for m in self.messages(sub_id)
            ]
        if method == "POST" and path == "/_control/respond":
            options = json.loads(body)
            self.respond(
                options["id"],
                int(options["status"]),
                times=int(options.get("times", 1)),
                retry_after=options.get("retry_after"),
            )
            return 200, {}
        if method == "POST" and path == "/_control/reset":
            self.reset()
            return 200, {}
        return 404, {"error": "unknown control path"}


async def _reply(
    send: Send,
    status: int,
    body: bytes,
    content_type: str = "text/plain",
    extra: dict[str, str] | None = None,
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    """Run the fake push service in the foreground (driven over /_control/ by another process)."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    service = FakePushService(args.host, args.port)
    uvicorn.run(
        service,
        host=args.host,
        port=args.port,
        log_level="warning",
        lifespan="off",
        access_log=False,
        backlog=2048,
    )


if __name__ == "__main__":
    main()
