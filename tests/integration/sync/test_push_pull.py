"""Push and pull through the real app: acks, idempotent retries, seq gaps, visibility."""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import delegate, make_org
from tests.integration.sync.helpers import SyncClient, line_args


async def test_create_then_pull_shows_the_line_to_owner_and_manager_only(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    ack = await agent.do("expense_line.create", line_args(merchant="SNCF"))
    assert ack["status"] == "applied", ack
    await agent.pull()
    assert [line["merchant"] for line in agent.lines().values()] == ["SNCF"]
    manager = SyncClient(client, org.people["manager_a"])
    await manager.pull()
    assert len(manager.lines()) == 1
    for other in ("manager_b", "agent_a2", "supplier"):
        outsider = SyncClient(client, org.people[other])
        await outsider.pull()
        assert outsider.lines() == {}, other


async def test_retry_of_same_seq_returns_stored_ack_and_applies_once(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    line_id = uuid.uuid4()
    intent = agent.intent("expense_line.create", line_args(line_id))
    first = await agent.push(intent)
    again = await agent.push(intent)
    assert first["acks"] == again["acks"]
    assert again["last_seq"] == 1
    await agent.pull()
    assert list(agent.lines()) == [str(line_id)]
    assert agent.lines()[str(line_id)]["row_version"] == 1


async def test_seq_gap_is_refused_with_expected_seq(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    agent.seq = 4
    body = await agent.push(agent.intent("expense_line.create", line_args()), expect=409)
    assert body["code"] == "SEQ_GAP"
    assert body["details"]["expected_seq"] == 1
    assert body["message"]["fr"] and body["message"]["en"]


async def test_rejected_intent_advances_seq_and_keeps_nothing(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    bad = agent.intent("expense_line.create", line_args(currency="euros"))
    good = agent.intent("expense_line.create", line_args(merchant="Taxi"))
    body = await agent.push(bad, good)
    assert [a["status"] for a in body["acks"]] == ["rejected", "applied"]
    assert body["acks"][0]["code"] == "VALIDATION_FAILED"
    assert body["last_seq"] == 2
    await agent.pull()
    assert [line["merchant"] for line in agent.lines().values()] == ["Taxi"]


async def test_client_id_of_another_user_is_refused(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    await agent.do("expense_line.create", line_args())
    thief = SyncClient(client, org.people["agent_a2"], client_id=agent.client_id)
    body = await thief.push(thief.intent("expense_line.create", line_args()), expect=403)
    assert body["code"] == "CLIENT_TAKEN"


async def test_bad_input_gets_coded_errors_never_500(client: Any) -> None:
    org = await make_org()
    headers = org.people["agent_a"].headers
    for payload in (b"{not json", b'{"client_id": 3}', b"[]"):
        response = await client.post("/sync/v1/push", headers=headers, content=payload)
        assert response.status_code == 400, response.text
        assert response.json()["code"] in {"BAD_REQUEST", "VALIDATION_FAILED"}
    response = await client.post("/sync/v1/pull", headers=headers,
                                 json={"client_id": str(uuid.uuid4()), "cookie": "garbage!"})
    assert response.status_code == 400 and response.json()["code"] == "COOKIE_INVALID"
    agent = SyncClient(client, org.people["agent_a"])
    ack = await agent.do("nonexistent.intent", {})
    assert ack["status"] == "rejected" and ack["code"] == "MUTATION_UNKNOWN"
    too_many = [agent.intent("expense_line.create", line_args()) for _ in range(501)]
    body = await agent.push(*too_many, expect=413)
    assert body["code"] == "PUSH_TOO_MANY"
    response = await client.post("/sync/v1/pull", json={"client_id": str(uuid.uuid4())})
    assert response.status_code == 401


async def test_pull_limit_bounds_are_enforced_as_documented(client: Any) -> None:
    org = await make_org()
    headers = org.people["agent_a"].headers
    for limit in (0, -5, 5001):
        response = await client.post("/sync/v1/pull", headers=headers, json={
            "client_id": str(uuid.uuid4()), "limit": limit})
        assert response.status_code == 400, (limit, response.text)
        assert response.json()["code"] == "VALIDATION_FAILED"
    for limit in (1, 5000):
        response = await client.post("/sync/v1/pull", headers=headers, json={
            "client_id": str(uuid.uuid4()), "limit": limit})
        assert response.status_code == 200, (limit, response.text)


async def test_delegation_brings_rows_into_view_and_takes_them_out(client: Any) -> None:
    org = await make_org()
    agent_b = SyncClient(client, org.people["agent_b"])
    await agent_b.do("expense_line.create", line_args(merchant="Hôtel"))
    manager_a = SyncClient(client, org.people["manager_a"])
    await manager_a.pull()
    assert manager_a.lines() == {}
    delegation_id = await delegate(org, "manager_b", "manager_a")
    pages = await manager_a.pull()
    assert pages[0]["reset"]["reason"] == "visibility_changed"
    assert "expense_line" in pages[0]["reset"]["scope"]
    assert [line["merchant"] for line in manager_a.lines().values()] == ["Hôtel"]
    from datetime import UTC, datetime

    from backend.accounts.tables import Delegation
    await Delegation.update({Delegation.revoked_at: datetime.now(UTC)}).where(
        Delegation.id == delegation_id)
    pages = await manager_a.pull()
    assert pages[0]["reset"]["reason"] == "visibility_changed"
    assert manager_a.lines() == {}


async def test_create_with_an_existing_id_is_rejected_and_keeps_the_first(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    line_id = uuid.uuid4()
    body = await agent.push(agent.intent("expense_line.create", line_args(line_id, merchant="A")),
                            agent.intent("expense_line.create", line_args(line_id, merchant="B")))
    assert [(a["status"], a.get("code")) for a in body["acks"]] == [
        ("applied", None), ("rejected", "ROW_EXISTS")]
    await agent.pull()
    assert agent.lines()[str(line_id)]["merchant"] == "A"
    assert agent.lines()[str(line_id)]["row_version"] == 1


async def test_pull_with_the_client_id_of_another_user_is_refused(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    await agent.do("expense_line.create", line_args())
    response = await client.post("/sync/v1/pull", headers=org.people["agent_a2"].headers,
                                 json={"client_id": str(agent.client_id), "cookie": None})
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "CLIENT_TAKEN"


async def test_a_page_filled_exactly_by_the_last_rows_ends_the_pull(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    ids = [str(uuid.uuid4()) for _ in range(3)]
    await agent.push(*[agent.intent("expense_line.create", line_args(uuid.UUID(i)))
                       for i in ids])
    exact = SyncClient(client, org.people["agent_a"])
    pages = await exact.pull(limit=3)
    assert [len(p["patch"]) for p in pages] == [3]
    assert set(exact.lines()) == set(ids)
    assert pages[0]["last_seq"] == 0  # another installation: no seq of its own
    short = SyncClient(client, org.people["agent_a"])
    pages = await short.pull(limit=2)
    assert [len(p["patch"]) for p in pages] == [2, 1]
    assert set(short.lines()) == set(ids)


async def test_incremental_pulls_bring_each_visible_change_and_nothing_else(client: Any) -> None:
    org = await make_org()
    agent = SyncClient(client, org.people["agent_a"])
    colleague = SyncClient(client, org.people["agent_a2"])
    manager = SyncClient(client, org.people["manager_a"])
    own = uuid.uuid4()
    await agent.do("expense_line.create", line_args(own, merchant="SNCF"))
    for person in (agent, manager):
        await person.pull()
    # a change the agent may not see: their next pull is empty, the manager's has it
    await colleague.do("expense_line.create", line_args(merchant="Taxi G7"))
    pages = await agent.pull()
    assert [op for page in pages for op in page["patch"]] == []
    assert [line["merchant"] for line in agent.lines().values()] == ["SNCF"]
    await manager.pull()
    assert sorted(line["merchant"] for line in manager.lines().values()) == ["SNCF", "Taxi G7"]
    # then one the agent sees: it arrives, once, and an empty pull follows
    ack = await agent.do("expense_line.edit", {"id": str(own), "base_version": 1,
                                               "merchant": "SNCF Connect"})
    assert ack["status"] == "applied", ack
    pages = await agent.pull()
    assert [(op["id"], op["data"]["merchant"]) for page in pages for op in page["patch"]] == [
        (str(own), "SNCF Connect")]
    assert agent.lines()[str(own)]["row_version"] == 2  # created at 1, edited once
    assert [op for page in await agent.pull() for op in page["patch"]] == []
    await manager.pull()
    assert sorted(line["merchant"] for line in manager.lines().values()) == [
        "SNCF Connect", "Taxi G7"]
