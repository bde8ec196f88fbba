"""Conflict rules and every reset reason, through the real app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from sync import MutationContext, Transient, mutation
from tests.factories import make_org
from tests.integration.sync.helpers import SyncClient, line_args
from tests.registries import declared


async def _two_devices(client):  # type: ignore[no-untyped-def]
    org = await make_org()
    phone = SyncClient(client, org.people["agent_a"])
    laptop = SyncClient(client, org.people["agent_a"])
    line_id = str(uuid.uuid4())
    assert (await phone.do("expense_line.create", line_args(line_id)))["status"] == "applied"
    await phone.pull()
    await laptop.pull()
    return org, phone, laptop, line_id


async def test_a_phone_editing_twice_offline_is_not_in_conflict_with_itself(client: Any) -> None:
    """Offline, the phone edits the amount twice on the row_version it last pulled (and edits a
    line it created offline, row_version 0): the server recognises the phone's own earlier
    intents and applies both; another device's concurrent change still conflicts."""
    _, phone, laptop, line_id = await _two_devices(client)
    base = phone.lines()[line_id]["row_version"]
    money = {"currency": "EUR", "vat_rate_bp": 1000}
    created_offline = str(uuid.uuid4())
    body = await phone.push(
        phone.intent("expense_line.edit", {"id": line_id, "base_version": base,
                                           "amount_cents": 5000, "vat_cents": 455, **money}),
        phone.intent("expense_line.edit", {"id": line_id, "base_version": base,
                                           "amount_cents": 5200, "vat_cents": 473, **money}),
        phone.intent("expense_line.create", line_args(uuid.UUID(created_offline))),
        phone.intent("expense_line.edit", {"id": created_offline, "base_version": 0,
                                           "amount_cents": 1200, "vat_cents": 109}),
        phone.intent("expense_line.edit", {"id": created_offline, "base_version": 0,
                                           "merchant": "Taxi G7"}))
    assert [(a["status"], a.get("code"), a.get("conflicts")) for a in body["acks"]] == [
        ("applied", None, None)] * 5
    await phone.pull()
    assert phone.lines()[line_id]["amount_cents"] == 5200
    assert (phone.lines()[created_offline]["amount_cents"],
            phone.lines()[created_offline]["merchant"]) == (1200, "Taxi G7")
    # the laptop never saw those edits: its change of the amount is still a real conflict
    ack = await laptop.do("expense_line.edit", {"id": line_id, "base_version": base,
                                                "amount_cents": 9900})
    assert ack["status"] == "rejected" and ack["code"] == "MONEY_CONFLICT"
    assert ack["details"]["server"]["amount_cents"] == 5200


async def test_text_conflict_later_arrival_wins_and_loser_is_reported(client: Any) -> None:
    _, phone, laptop, line_id = await _two_devices(client)
    base = phone.lines()[line_id]["row_version"]
    first = await phone.do("expense_line.edit", {"id": line_id, "base_version": base,
                                                 "merchant": "SNCF Connect"})
    assert first["status"] == "applied" and "conflicts" not in first
    second = await laptop.do("expense_line.edit", {"id": line_id, "base_version": base,
                                                   "merchant": "Ouigo", "description": "aller"})
    assert second["status"] == "applied"
    assert second["conflicts"] == [{"field": "merchant", "lost": "SNCF Connect", "kept": "Ouigo"}]
    await phone.pull()
    assert phone.lines()[line_id]["merchant"] == "Ouigo"
    assert phone.lines()[line_id]["description"] == "aller"
    from sync.tables import ConflictLog
    logged = await ConflictLog.select().where(ConflictLog.row_id == line_id)
    lost = [msgspec.json.decode(r["lost"]) if isinstance(r["lost"], str) else r["lost"]
            for r in logged]
    assert [r["field"] for r in logged] == ["merchant"] and lost == ["SNCF Connect"]


async def test_money_group_concurrent_change_rejected_with_both_values(client: Any) -> None:
    _, phone, laptop, line_id = await _two_devices(client)
    base = phone.lines()[line_id]["row_version"]
    assert (await phone.do("expense_line.edit", {"id": line_id, "base_version": base,
                                                  "vat_cents": 400}))["status"] == "applied"
    ack = await laptop.do("expense_line.edit", {"id": line_id, "base_version": base,
                                                "amount_cents": 9900, "merchant": "Ouigo"})
    assert ack["status"] == "rejected" and ack["code"] == "MONEY_CONFLICT"
    assert ack["details"]["server"]["vat_cents"] == 400
    assert ack["details"]["client"]["amount_cents"] == 9900
    assert ack["message"]["fr"]
    await laptop.pull()
    line = laptop.lines()[line_id]
    assert (line["amount_cents"], line["vat_cents"], line["merchant"]) == (4250, 400, "SNCF")
    # the user chooses: a new edit on the current version applies
    ack = await laptop.do("expense_line.edit", {"id": line_id, "base_version": line["row_version"],
                                                "amount_cents": 9900})
    assert ack["status"] == "applied"


async def test_delete_beats_edit(client: Any) -> None:
    _, phone, laptop, line_id = await _two_devices(client)
    base = phone.lines()[line_id]["row_version"]
    assert (await phone.do("expense_line.delete", {"id": line_id}))["status"] == "applied"
    ack = await laptop.do("expense_line.edit", {"id": line_id, "base_version": base,
                                                "merchant": "Ouigo"})
    assert (ack["status"], ack["code"]) == ("noop", "ROW_DELETED")
    ack = await laptop.do("expense_line.attach_receipt", {"id": line_id, "sha256": "a" * 64})
    assert (ack["status"], ack["code"]) == ("noop", "ROW_DELETED")
    await laptop.pull()
    assert line_id not in laptop.lines()


async def test_only_the_owner_edits(client: Any) -> None:
    org, _, _, line_id = await _two_devices(client)
    manager = SyncClient(client, org.people["manager_a"])
    ack = await manager.do("expense_line.edit", {"id": line_id, "base_version": 1, "merchant": "x"})
    assert (ack["status"], ack["code"]) == ("rejected", "FORBIDDEN")


class _Args(msgspec.Struct):
    id: str
    note: str = ""


@mutation("test.flaky", 2, _Args, upcast={1: lambda d: {"id": d["ident"], "note": "upcast"}})
async def _flaky(ctx: MutationContext, args: _Args) -> None:
    if args.id == "transient":
        raise Transient("BLOB_PENDING", 7)
    if args.id == "crash":
        raise RuntimeError("handler bug")
    return None


@pytest.fixture(autouse=True)
def _declared_here() -> Iterator[None]:
    """The ``test.flaky`` intent, installed beside the app's for this module's tests
    (declaring registers nothing: the server installs what the modules it lists declare)."""
    with declared(__name__):
        yield


async def test_transient_failure_stops_the_batch_with_retry_after(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    ok = agent.intent("test.flaky", {"id": "fine"}, v=2)
    flaky = agent.intent("test.flaky", {"id": "transient"}, v=2)
    after = agent.intent("test.flaky", {"id": "fine"}, v=2)
    response = await client.post("/sync/v1/push", headers=agent.person.headers, json={
        "client_id": str(agent.client_id), "schema_version": 1, "mutations": [ok, flaky, after]})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert response.json()["code"] == "BLOB_PENDING"
    assert response.json()["details"]["seq"] == 2
    body = await agent.push(ok)
    assert body["last_seq"] == 1  # the transient intent did not advance seq


async def test_handler_bug_is_rejected_not_blocking_and_upcast_works(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    crash = agent.intent("test.flaky", {"id": "crash"}, v=2)
    old = agent.intent("test.flaky", {"ident": "old"}, v=1)
    body = await agent.push(crash, old, agent.intent("test.flaky", {"id": "x"}, v=3), expect=503)
    assert body["code"] == "MUTATION_VERSION_UNKNOWN"
    body = await agent.push(crash, old)  # stored acks
    assert [(a["status"], a.get("code")) for a in body["acks"]] == [
        ("rejected", "INTERNAL_ERROR_INTENT"), ("applied", None)]
    agent.seq = 2
    body = await agent.push(agent.intent("test.flaky", {"id": "x"}, v=2))
    assert body["last_seq"] == 3


async def test_reset_initial_then_incremental(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    await agent.do("expense_line.create", line_args())
    pages = await agent.pull()
    from sync.registry import entities

    reset = pages[0]["reset"]
    assert reset["reason"] == "initial"
    assert sorted(reset["scope"]) == sorted(entities()) and "expense_line" in reset["scope"]
    pages = await agent.pull()
    assert pages[0]["reset"] is None and pages[0]["patch"] == []


async def test_reset_epoch_changed_keeps_rows_consistent(client: Any) -> None:
    from sync.storage import current_epoch
    from sync.tables import SyncMeta
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    await agent.do("expense_line.create", line_args(merchant="Avant"))
    await agent.pull()
    old = await current_epoch()
    await SyncMeta.update({SyncMeta.value: "restored-" + uuid.uuid4().hex}).where(
        SyncMeta.key == "epoch")
    try:
        pages = await agent.pull()
        assert pages[0]["reset"]["reason"] == "epoch_changed"
        assert [v["merchant"] for v in agent.lines().values()] == ["Avant"]
    finally:
        await SyncMeta.update({SyncMeta.value: old}).where(SyncMeta.key == "epoch")


async def test_reset_when_cookie_is_ahead_of_the_server(client: Any) -> None:
    from sync.tables import OrganisationVersion
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    await agent.do("expense_line.create", line_args())
    await agent.pull()
    await OrganisationVersion.update({OrganisationVersion.version: 0}).where(
        OrganisationVersion.organisation == org.id)  # as after restoring an older backup
    pages = await agent.pull()
    assert pages[0]["reset"]["reason"] == "epoch_changed"


async def test_reset_schema_too_old(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import sync.pull
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    await agent.do("expense_line.create", line_args())
    await agent.pull()
    monkeypatch.setattr(sync.pull, "WIRE_SCHEMA_VERSION", 2)
    pages = await agent.pull()
    assert pages[0]["reset"]["reason"] == "schema_too_old"
    assert "expense_line" in pages[0]["reset"]["scope"]
    assert len(agent.lines()) == 1
    monkeypatch.setattr(sync.push, "MIN_CLIENT_SCHEMA", 2)
    response = await client.post("/sync/v1/pull", headers=agent.person.headers,
                                 json={"client_id": str(agent.client_id), "cookie": agent.cookie,
                                       "schema_version": 1})
    assert response.status_code == 409 and response.json()["code"] == "SCHEMA_TOO_OLD"


async def test_an_outdated_app_push_is_refused_whole_and_applies_after_the_update(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sync.push
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    await agent.do("expense_line.create", line_args(merchant="Avant"))
    monkeypatch.setattr(sync.push, "MIN_CLIENT_SCHEMA", 2)
    line_id = str(uuid.uuid4())
    outbox = [agent.intent("expense_line.create", line_args(uuid.UUID(line_id)))]
    refused = await agent.push(*outbox, expect=409)  # schema_version 1 < 2
    assert refused["code"] == "SCHEMA_TOO_OLD"
    assert refused["details"] == {"min_schema_version": 2}
    fresh = SyncClient(client, org.people["agent_a"])
    response = await client.post("/sync/v1/pull", headers=fresh.person.headers, json={
        "client_id": str(fresh.client_id), "schema_version": 2})
    assert line_id not in {p["id"] for p in response.json()["patch"]}  # nothing was applied
    response = await client.post("/sync/v1/push", headers=agent.person.headers, json={
        "client_id": str(agent.client_id), "schema_version": 2, "mutations": outbox})
    assert response.status_code == 200, response.text  # the same outbox, after the update
    assert [a["status"] for a in response.json()["acks"]] == ["applied"]


async def test_reset_horizon_after_tombstones_are_purged(client: Any) -> None:
    from sync.jobs import purge_tombstones
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    stale = SyncClient(client, org.people["agent_a"])
    keep, gone = str(uuid.uuid4()), str(uuid.uuid4())
    await agent.do("expense_line.create", line_args(keep))
    await agent.do("expense_line.create", line_args(gone))
    await stale.pull()
    await agent.do("expense_line.delete", {"id": gone})
    await agent.pull()
    purged = await purge_tombstones(days=0, now=datetime.now(UTC) + timedelta(seconds=1))
    assert purged >= 1
    pages = await stale.pull()
    assert pages[0]["reset"]["reason"] == "horizon"
    assert "expense_line" in pages[0]["reset"]["scope"]
    assert list(stale.lines()) == [keep]
    pages = await agent.pull()  # cursor already past the horizon: no reset
    assert pages[0]["reset"] is None


async def test_paging_with_changes_between_pages_converges(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    ids = [str(uuid.uuid4()) for _ in range(7)]
    body = await agent.push(*[agent.intent("expense_line.create", line_args(i, merchant=f"m{n}"))
                              for n, i in enumerate(ids)])
    assert {a["status"] for a in body["acks"]} == {"applied"}
    reader = SyncClient(client, org.people["manager_a"])
    first = await client.post("/sync/v1/pull", headers=reader.person.headers, json={
        "client_id": str(reader.client_id), "cookie": None, "limit": 3})
    page = first.json()
    assert page["has_more"] and len(page["patch"]) == 3
    seen = {op["id"] for op in page["patch"]}
    # change a row already sent and delete one not yet sent, while the reader pages
    sent = next(iter(seen))
    unsent = next(i for i in ids if i not in seen)
    await agent.do("expense_line.edit", {"id": sent, "base_version": 1, "merchant": "changed"})
    await agent.do("expense_line.delete", {"id": unsent})
    reader.cookie = page["cookie"]
    await reader.pull(limit=3)
    staged_first = {op["id"]: op["data"] for op in page["patch"]}
    rows = {**staged_first, **reader.lines()}
    rows.pop(unsent, None)
    assert reader.lines()[sent]["merchant"] == "changed"
    assert unsent not in reader.lines()
    truth = SyncClient(client, org.people["manager_a"])
    await truth.pull()
    assert set(truth.lines()) == set(ids) - {unsent}


async def test_concurrent_edits_of_one_line_keep_both_fields(client: Any) -> None:
    import asyncio
    _, phone, laptop, line_id = await _two_devices(client)
    base = phone.lines()[line_id]["row_version"]
    for round_ in range(5):
        acks = await asyncio.gather(
            phone.do("expense_line.edit", {"id": line_id, "base_version": base,
                                           "merchant": f"m{round_}"}),
            laptop.do("expense_line.edit", {"id": line_id, "base_version": base,
                                            "description": f"d{round_}"}))
        assert [a["status"] for a in acks] == ["applied", "applied"]
    await phone.pull()
    line = phone.lines()[line_id]
    assert (line["merchant"], line["description"]) == ("m4", "d4")
    assert line["row_version"] == base + 10
    # the last round's two edits made versions base+9 and base+10, one field each
    versions = line["field_versions"]
    assert sorted([versions["merchant"], versions["description"]]) == [base + 9, base + 10]
