"""The documented deployment, end to end: private PostgreSQL and Redis, two app processes
(``nomade serve``), a separate ``nomade worker`` and nginx in front (infra/topology.sh).

* a receipt pushed through app 1 is read by the worker, and the filled line is pulled through
  app 2 (the worker once failed these jobs: ``KeyError: 'expense_line'``);
* a push notification is delivered by the worker (the apps only queue it in Redis);
* a status posted through the integration API reaches the supplier's phone.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from bench.synthetic_receipts import render_receipt
from tests.factories import Person
from tests.integration.scaleout.harness import Stack, private_stack, seed_orgs
from tests.integration.uploads import upload_blob
from tests.pushservice import FakePushService, FakeSubscription
from tests.unit.ocr.samples import encode

# It brings its own PostgreSQL, Redis and nginx (topology.sh fails when nginx is missing): it
# runs in the PostgreSQL pass of the test command, which CI runs.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(300),
    pytest.mark.skipif(os.environ.get("NOMADE_TEST_DB", "sqlite") != "postgres",
                       reason="topology tests run in the PostgreSQL pass (private services)"),
]

BROTLI_STATIC = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
PLACEHOLDER = {"date": date(2026, 1, 1).isoformat(), "amount_cents": 0, "currency": "EUR",
               "category": "other", "merchant": ""}


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with private_stack(apps=2, workers=1, nginx=True) as started:
        yield started


@pytest.fixture(scope="module")
def org(stack: Stack) -> dict[str, Any]:
    [seeded] = seed_orgs(stack[2], 1)
    return seeded


@pytest.fixture(scope="module")
def push_service() -> Iterator[FakePushService]:
    with FakePushService() as service:
        yield service


class Phone:
    """A person's phone talking to one address (an app process or nginx)."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.http, self.headers = http, headers
        self.client_id, self.seq, self.cookie = str(uuid.uuid4()), 0, None
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}

    async def push(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        response = await self.http.post("/sync/v1/push", headers=self.headers, json={
            "client_id": self.client_id, "schema_version": 1, "mutations": [
                {"seq": self.seq, "id": str(uuid.uuid4()), "name": name, "v": 1,
                 "args": args}]})
        assert response.status_code == 200, response.text
        ack: dict[str, Any] = response.json()["acks"][0]
        assert ack["status"] == "applied", ack
        return ack

    async def pull(self) -> None:
        while True:
            response = await self.http.post("/sync/v1/pull", headers=self.headers, json={
                "client_id": self.client_id, "cookie": self.cookie, "schema_version": 1})
            assert response.status_code == 200, response.text
            page = response.json()
            for op in page["patch"]:
                if op["op"] == "put":
                    self.rows[(op["entity"], op["id"])] = op["data"]
                else:
                    self.rows.pop((op["entity"], op["id"]), None)
            self.cookie = page["cookie"]
            if not page["has_more"]:
                return

    async def subscribe(self, service: FakePushService) -> FakeSubscription:
        sub = service.new_subscription()
        response = await self.http.post("/api/v1/push/subscriptions", headers=self.headers,
                                         json={**sub.info, "user_agent": "topology test"})
        assert response.status_code == 200, response.text
        quiet = await self.http.put("/api/v1/push/preferences", headers=self.headers, json={
            "quiet_start": None, "quiet_end": None, "hide_amounts": False})
        assert quiet.status_code == 200, quiet.text
        return sub


def _client(url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, timeout=30)


def _worker_sent(stack: Stack) -> float:
    """``nomade_push_deliveries_total{status="sent"}`` as the worker process counts it."""
    return _sent(f"http://127.0.0.1:{stack[2].worker_metrics_base_port}")


def _sent(base_url: str) -> float:
    """``nomade_push_deliveries_total{status="sent"}`` in the ``/metrics`` of ``base_url``."""
    scraped = httpx.get(f"{base_url}/metrics", timeout=5)
    assert scraped.status_code == 200
    found = re.search(r'^nomade_push_deliveries_total\{status="sent"\} (\S+)$', scraped.text,
                      re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def test_a_receipt_sent_through_one_app_is_read_by_the_worker_and_pulled_from_another(
        stack: Stack, org: dict[str, Any]) -> None:
    topology = stack[2]
    agent = org["people"]["agent_a"]["headers"]
    photo, _ = render_receipt(0)  # AU BON ACCUEIL, 146,25 €
    data = encode(photo, quality=90)
    sha = hashlib.sha256(data).hexdigest()
    line_id = str(uuid.uuid4())
    async with _client(topology.app_url(1)) as app_1, _client(topology.app_url(2)) as app_2:
        sender = Phone(app_1, agent)
        await sender.push("expense_line.create", {
            "id": line_id, **PLACEHOLDER,
            "field_sources": dict.fromkeys(PLACEHOLDER, "ocr")})
        await sender.push("expense_line.attach_receipt", {"id": line_id, "sha256": sha})
        assert await upload_blob(app_1, cast(Person, _Headers(agent)), data) == sha
        reader = Phone(app_2, agent)
        deadline = time.monotonic() + 120
        while True:
            await reader.pull()
            line = reader.rows.get(("expense_line", line_id), {})
            if line.get("amount_cents"):
                break
            assert time.monotonic() < deadline, (
                f"the worker never filled the line: {line}\n{topology.log('worker-1')[-3000:]}")
            await asyncio.sleep(1.0)
    assert line["amount_cents"] == 14625, line
    assert line["merchant"] and line["field_sources"]["amount_cents"] == "ocr"
    assert line["ocr"]["sha256"] == sha
    assert "KeyError" not in topology.log("worker-1")


async def test_the_worker_delivers_a_push_notification(
        stack: Stack, org: dict[str, Any], push_service: FakePushService) -> None:
    topology = stack[2]
    agent = org["people"]["agent_a"]["headers"]
    manager = org["people"]["manager_a"]["headers"]
    sent_before = _worker_sent(stack)
    async with _client(topology.base_url) as nginx, _client(topology.app_url(1)) as app_1:
        manager_phone = await Phone(nginx, manager).subscribe(push_service)
        agent_phone = Phone(app_1, agent)
        mission_id = str(uuid.uuid4())
        await agent_phone.push("mission.create", {
            "id": mission_id, "purpose": "Audit", "destination": "Lyon",
            "starts_on": "2026-12-01", "ends_on": "2026-12-02", "transport": "train",
            "estimated_cost_cents": 8950})
        await agent_phone.push("mission.submit", {"id": mission_id, "expected_state": "draft"})
    [ask] = await push_service.wait_for_async(manager_phone, 1, timeout=60)
    assert ask.json()["notification"]["title"] == "À valider : Audit — Lyon"
    assert _worker_sent(stack) >= sent_before + 1, "delivered by the worker process"
    # The processes share PROMETHEUS_MULTIPROC_DIR: an app reports the worker's deliveries too.
    assert _sent(topology.app_url(2)) == _worker_sent(stack)


async def test_an_invoice_status_from_the_integration_api_reaches_the_suppliers_phone(
        stack: Stack, org: dict[str, Any], push_service: FakePushService) -> None:
    topology = stack[2]
    supplier = org["people"]["supplier"]["headers"]
    siret, number = org["supplier_siret"], f"F-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC).isoformat()
    created = {"event_id": uuid.uuid4().hex, "type": "invoice.created", "occurred_at": now,
               "invoice": {"number": number, "supplier_siret": siret, "issued_on": "2026-10-01",
                           "amount_ht_cents": 10000, "vat_cents": 2000,
                           "amount_ttc_cents": 12000, "status": "DEPOSEE", "lines": []}}
    suspended = {"event_id": uuid.uuid4().hex, "type": "invoice.status", "occurred_at": now,
                 "status": {"number": number, "supplier_siret": siret, "code": "SUSPENDUE",
                            "reason": "Bon de commande manquant"}}
    async with _client(topology.base_url) as nginx:
        phone = await Phone(nginx, supplier).subscribe(push_service)
        response = await nginx.post("/integration/v1/events",
                                    json={"events": [created, suspended]},
                                    headers={"X-Api-Key": org["integration_key"]})
        assert response.status_code == 200, response.text
    messages = await push_service.wait_for_async(phone, 2, timeout=60)
    titles = [m.json()["notification"]["title"] for m in messages]
    assert titles == [f"Facture {number} : déposée",
                      f"Facture {number} : suspendue — à compléter"]


async def test_nginx_serves_the_app_compressed(stack: Stack) -> None:
    topology = stack[2]
    async with _client(topology.base_url) as nginx:
        shell = await nginx.get("/", headers={"Accept-Encoding": "gzip"})
        assert shell.status_code == 200
        entry = re.search(r'src="(/assets/[^"]+\.js)"', shell.text)
        assert entry is not None
        cases = [("gzip", "gzip"), ("identity", None)]
        if BROTLI_STATIC.is_file():  # infra/setup.sh installs it; topology.sh loads it
            cases.append(("gzip, deflate, br", "br"))
        for accept, encoding in cases:
            response = await nginx.get(entry.group(1), headers={"Accept-Encoding": accept})
            assert response.status_code == 200
            assert response.headers.get("content-encoding") == encoding
            assert response.headers["vary"] == "Accept-Encoding"
            assert "immutable" in response.headers["cache-control"]
            media_type = response.headers["content-type"].split(";")[0].strip()
            assert media_type in {"text/javascript", "application/javascript"}  # mime.types


class _Headers:
    """What :func:`upload_blob` reads of a person: the bearer headers."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers
