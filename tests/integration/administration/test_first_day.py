"""Done when (issue 13): from an empty database to a real organisation, not the demo.

``nomade migrate`` and ``nomade init`` on a database of its own, a unit tree and 50 people
imported from CSV with ``nomade import-people``, then the real server (``nomade serve``): a
supplier registers with its SIRET and an admin approves it, an integration key made by the
admin posts its invoice and a status, and the supplier sees the status through the API and its
sync pull, and its phone's subscription receives the push (a local push service that checks
VAPID and decrypts, see tests/pushservice.py). Runs on PostgreSQL under
``NOMADE_TEST_DB=postgres`` (a fresh database), on a fresh SQLite file otherwise.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PG_ADMIN_DSN, ROOT, TEST_DB
from tests.factories import siret
from tests.pushservice import FakePushService

PASSWORD = "premier-jour-2026"
UNITS = (("SG", "Secrétariat général", ""), ("DAF", "Direction des affaires financières", "SG"),
         ("DRH", "Direction des ressources humaines", "SG"),
         ("BUD", "Bureau du budget", "DAF"), ("ACH", "Bureau des achats", "DAF"))


def _chart() -> str:
    rows = ["type,code,name,parent_code,email,full_name,role,unit_code,language"]
    rows += [f"unit,{code},{name},{parent},,,,," for code, name, parent in UNITS]
    for index in range(50):
        code = UNITS[index % len(UNITS)][0]
        role = "manager" if index < len(UNITS) else ("back_office" if index == 49 else "agent")
        language = "en" if index % 7 == 0 else "fr"
        rows.append(f"person,,,,personne{index:02d}@agglo-exemple.fr,Personne {index:02d},"
                    f"{role},{code},{language}")
    return "\n".join(rows) + "\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg(statement: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


@pytest.fixture
def empty_database() -> Iterator[dict[str, str]]:
    """The environment of ``nomade`` commands on a database nothing has touched."""
    data_dir = Path(tempfile.mkdtemp(prefix="nomade-first-day-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"NOMADE_ENV": "test", "NOMADE_SECRET_KEY": "first-day-secret-" + "z" * 40,
                "NOMADE_DATA_DIR": str(data_dir), "NOMADE_LOG_JSON": "false",
                "NOMADE_LOG_LEVEL": "WARNING", "NOMADE_PWA_DIST": str(ROOT / "pwa" / "dist")})
    name = f"nomade_first_day_{uuid.uuid4().hex[:10]}"
    if TEST_DB == "postgres":
        _pg(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield env
    finally:
        if TEST_DB == "postgres":
            _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


def _nomade(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend.cli", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    log = Path(env["NOMADE_DATA_DIR"]) / "server.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 40
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)


async def _login(api: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await api.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_first_day_of_a_real_organisation(empty_database: dict[str, str]) -> None:
    env = empty_database
    assert _nomade(env, "migrate").returncode == 0
    organisation_siret = siret()
    init = ["init", "--organisation-name", "Communauté d'agglomération d'Exemple",
            "--organisation-siret", organisation_siret, "--kind", "local",
            "--admin-email", "Admin@Agglo-Exemple.fr", "--admin-name", "Alice Admin"]
    done = _nomade(env, *init, stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    again = _nomade(env, *init, stdin=PASSWORD + "\n")
    assert again.returncode == 1 and "INIT_ALREADY_DONE" in again.stderr
    chart = Path(env["NOMADE_DATA_DIR"]) / "organigramme.csv"
    chart.write_text(_chart(), encoding="utf-8")
    dry = _nomade(env, "import-people", str(chart), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "units 5 created" in dry.stdout and "people 50 created" in dry.stdout
    applied = _nomade(env, "import-people", str(chart))
    assert applied.returncode == 0, applied.stderr
    repeat = _nomade(env, "import-people", str(chart))
    assert "55 unchanged" in repeat.stdout, repeat.stdout
    port = _free_port()
    server = _serve(env, port)
    try:
        asyncio.run(_journey(f"http://127.0.0.1:{port}", organisation_siret))
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


async def _journey(base_url: str, organisation_siret: str) -> None:
    supplier_siret = siret()
    with FakePushService() as push:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as api:
            admin = await _login(api, "admin@agglo-exemple.fr", PASSWORD)
            organisation = (await api.get("/api/v1/admin/organisation", headers=admin)).json()
            assert (organisation["siret"], organisation["payment_days"]) == (organisation_siret,
                                                                             30)
            units = (await api.get("/api/v1/admin/units", headers=admin)).json()
            assert [u["code_service"] for u in units] == ["SG", "DAF", "ACH", "BUD", "DRH"]
            assert all(len(u["managers"]) == 1 for u in units)
            people = (await api.get("/api/v1/admin/people", headers=admin)).json()
            assert len(people) == 51
            rules = (await api.get("/api/v1/admin/rule-sets", headers=admin)).json()
            assert [r["name"] for r in rules] == ["state-2019", "state-2023"]

            # A supplier asks for an account with its SIRET; it cannot sign in before approval.
            bad = await api.post("/api/v1/onboarding/supplier-registrations", json={
                "siret": supplier_siret[:-1] + str((int(supplier_siret[-1]) + 1) % 10),
                "company_name": "Imprimerie du Port", "email": "compta@imprimerie-port.fr",
                "full_name": "Jeanne Port", "password": "fournisseur-2026"})
            assert bad.status_code == 400 and bad.json()["code"] == "SIRET_INVALID"
            asked = await api.post("/api/v1/onboarding/supplier-registrations", json={
                "siret": f"{supplier_siret[:9]} {supplier_siret[9:]}",
                "company_name": "Imprimerie du Port", "email": "compta@imprimerie-port.fr",
                "full_name": "Jeanne Port", "password": "fournisseur-2026"})
            assert asked.status_code == 201, asked.text
            login = {"email": "compta@imprimerie-port.fr", "password": "fournisseur-2026"}
            assert (await api.post("/api/v1/auth/login", json=login)).status_code == 401
            pending = (await api.get("/api/v1/admin/supplier-registrations",
                                     headers=admin)).json()
            assert [p["siret"] for p in pending] == [supplier_siret]
            approved = await api.post(
                f"/api/v1/admin/supplier-registrations/{pending[0]['id']}/approve", headers=admin)
            assert approved.status_code == 200 and approved.json()["status"] == "approved"
            supplier = await _login(api, login["email"], login["password"])
            subscription = push.new_subscription()
            subscribed = await api.post("/api/v1/push/subscriptions",
                                        json={**subscription.info, "user_agent": "phone"},
                                        headers=supplier)
            assert subscribed.status_code == 200, subscribed.text

            # The financial system, with a key the admin made, posts the invoice and a status.
            made = await api.post("/api/v1/admin/integration-keys",
                                  json={"name": "Système financier"}, headers=admin)
            key = {"X-Api-Key": made.json()["key"]}
            now = datetime.now(UTC).isoformat()
            earlier = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
            events = [
                {"event_id": "f-1", "type": "invoice.created", "occurred_at": earlier,
                 "invoice": {"number": "IMP-2026-001", "supplier_siret": supplier_siret,
                             "issued_on": "2026-11-30", "amount_ht_cents": 100000,
                             "vat_cents": 20000, "amount_ttc_cents": 120000}},
                {"event_id": "f-2", "type": "invoice.status", "occurred_at": now,
                 "status": {"number": "IMP-2026-001", "supplier_siret": supplier_siret,
                            "code": "SUSPENDUE", "reason": "Bon de commande manquant"}},
            ]
            posted = await api.post("/integration/v1/events", json={"events": events},
                                    headers=key)
            assert posted.status_code == 200, posted.text
            assert [r["status"] for r in posted.json()["results"]] == ["accepted", "accepted"]

            invoices: Any = (await api.get("/api/v1/invoices", headers=supplier)).json()
            [invoice] = invoices["items"]
            assert (invoice["number"], invoice["status_code"]) == ("IMP-2026-001", "SUSPENDUE")
            pulled = await api.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())},
                                    headers=supplier)
            rows = [p for p in pulled.json()["patch"] if p["entity"] == "invoice"]
            assert [r["data"]["status_code"] for r in rows] == ["SUSPENDUE"]
        await push.wait_for_async(subscription, 1, timeout=30)
        message = push.messages(subscription)[0].json()
        assert "IMP-2026-001" in str(message)
