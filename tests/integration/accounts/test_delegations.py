"""Managers lend their approvals for a period; others cannot create or end them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.accounts import can_approve_for
from tests.factories import make_org


def _period(start_days: float = -0.01, days: float = 7) -> dict[str, str]:
    now = datetime.now(UTC)
    return {"starts_at": (now + timedelta(days=start_days)).isoformat(),
            "ends_at": (now + timedelta(days=start_days + days)).isoformat()}


async def test_manager_delegates_then_revokes(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    p = org.people
    agent = p["agent_a"].user_id
    assert not await can_approve_for(p["manager_b"].actor, agent, datetime.now(UTC))
    created = await api.post("/api/v1/me/delegations", headers=p["manager_a"].headers,
                             json={"delegate_id": str(p["manager_b"].user_id), **_period()})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["active"] is True and body["delegator_id"] == str(p["manager_a"].user_id)
    assert body["delegate_name"] and body["revoked_at"] is None
    assert await can_approve_for(p["manager_b"].actor, agent, datetime.now(UTC))

    received = (await api.get("/api/v1/me/delegations", headers=p["manager_b"].headers)).json()
    assert [d["id"] for d in received] == [body["id"]]
    assert (await api.get("/api/v1/me/delegations", headers=p["agent_b"].headers)).json() == []

    # the delegate cannot end it, only the manager who gave it
    url = f"/api/v1/me/delegations/{body['id']}"
    refused = await api.delete(url, headers=p["manager_b"].headers)
    assert refused.status_code == 404 and refused.json()["code"] == "NOT_FOUND"
    ended = await api.delete(url, headers=p["manager_a"].headers)
    assert ended.status_code == 204
    assert not await can_approve_for(p["manager_b"].actor, agent, datetime.now(UTC))
    listed = (await api.get("/api/v1/me/delegations", headers=p["manager_a"].headers)).json()
    assert listed[0]["active"] is False and listed[0]["revoked_at"]


async def test_only_managers_delegate(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    p = org.people
    for key in ("agent_a", "supplier", "back_office", "admin"):
        response = await api.post("/api/v1/me/delegations", headers=p[key].headers,
                                  json={"delegate_id": str(p["agent_a2"].user_id), **_period()})
        assert response.status_code == 403, key
        assert response.json()["code"] == "FORBIDDEN"
    anonymous = await api.post("/api/v1/me/delegations",
                               json={"delegate_id": str(p["agent_a2"].user_id), **_period()})
    assert anonymous.status_code == 401


async def test_bad_delegate_or_period_is_refused(api) -> None:  # type: ignore[no-untyped-def]
    org, other = await make_org(), await make_org()
    manager = org.people["manager_a"]

    async def attempt(delegate: object, period: dict[str, str]) -> tuple[int, str, str]:
        response = await api.post(
            "/api/v1/me/delegations", json={"delegate_id": str(delegate), **period},
            headers=manager.headers)
        body = response.json()
        return response.status_code, body.get("code", ""), body["message"]["en"]

    status, code, message = await attempt(manager.user_id, _period())
    assert (status, code) == (400, "DELEGATION_SELF") and "yourself" in message
    for delegate in (other.people["manager_a"].user_id, org.people["supplier"].user_id, org.id):
        assert (await attempt(delegate, _period()))[:2] == (400, "DELEGATE_INVALID")
    colleague = org.people["manager_b"].user_id
    now = datetime.now(UTC)
    backwards = {"starts_at": (now + timedelta(days=3)).isoformat(),
                 "ends_at": (now + timedelta(days=1)).isoformat()}
    assert (await attempt(colleague, backwards))[:2] == (400, "DELEGATION_ENDS_BEFORE_START")
    assert (await attempt(colleague, _period(start_days=-10, days=2)))[:2] == (
        400, "DELEGATION_PERIOD_INVALID")
    naive = await api.post("/api/v1/me/delegations", headers=manager.headers, json={
        "delegate_id": str(colleague), "starts_at": "2030-01-01T09:00:00",
        "ends_at": "2030-01-08T09:00:00"})
    assert naive.status_code == 400 and naive.json()["code"] == "VALIDATION_FAILED"
    # nothing was created by the refusals
    listed = await api.get("/api/v1/me/delegations", headers=manager.headers)
    assert listed.json() == []


async def test_overlapping_delegation_is_refused_in_french(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    manager = org.people["manager_a"]
    first = await api.post("/api/v1/me/delegations", headers=manager.headers, json={
        "delegate_id": str(org.people["manager_b"].user_id), **_period(days=7)})
    assert first.status_code == 201, first.text
    second = await api.post(
        "/api/v1/me/delegations", headers=manager.headers,
        json={"delegate_id": str(org.people["agent_a2"].user_id), **_period(start_days=3)})
    assert second.status_code == 409
    assert second.json()["code"] == "DELEGATION_OVERLAPS"
    assert "déjà" in second.json()["message"]["fr"]
    # after the first one ends, the same period is free again
    await api.delete(f"/api/v1/me/delegations/{first.json()['id']}", headers=manager.headers)
    again = await api.post("/api/v1/me/delegations", headers=manager.headers, json={
        "delegate_id": str(org.people["agent_a2"].user_id), **_period(start_days=3)})
    assert again.status_code == 201, again.text


async def test_eligible_delegates_are_the_active_colleagues(api) -> None:  # type: ignore[no-untyped-def]
    org, other = await make_org(), await make_org()
    p = org.people
    listed = await api.get("/api/v1/me/delegates", headers=p["manager_a"].headers)
    assert listed.status_code == 200, listed.text
    ids = {row["id"] for row in listed.json()}
    expected = {str(p[k].user_id) for k in ("head", "agent_a", "agent_a2", "manager_b",
                                              "agent_b", "back_office", "admin")}
    assert ids == expected
    assert str(other.people["manager_a"].user_id) not in ids
    refused = await api.get("/api/v1/me/delegates", headers=p["agent_a"].headers)
    assert refused.status_code == 403


async def test_delegate_sees_on_whose_behalf_they_decide(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    p = org.people
    assert (await api.get("/api/v1/me/on-behalf", headers=p["manager_b"].headers)).json() == []
    created = await api.post("/api/v1/me/delegations", headers=p["manager_a"].headers,
                             json={"delegate_id": str(p["manager_b"].user_id), **_period()})
    assert created.status_code == 201
    manager_a_name = created.json()["delegator_name"]
    rows = (await api.get("/api/v1/me/on-behalf", headers=p["manager_b"].headers)).json()
    assert {r["person_id"] for r in rows} == {str(p["agent_a"].user_id),
                                               str(p["agent_a2"].user_id)}
    assert all(r["managers"] == [manager_a_name] for r in rows)
    # the manager deciding in their own right sees nothing "on behalf"
    assert (await api.get("/api/v1/me/on-behalf", headers=p["manager_a"].headers)).json() == []


async def test_a_delegation_limited_to_missions_lends_nothing_else(  # type: ignore[no-untyped-def]
    api,
) -> None:
    org = await make_org()
    p = org.people
    agent, deputy = p["agent_a"].user_id, p["manager_b"].actor
    created = await api.post(
        "/api/v1/me/delegations",
        headers=p["manager_a"].headers,
        json={"delegate_id": str(p["manager_b"].user_id), "kinds": ["mission"], **_period()},
    )
    assert created.status_code == 201, created.text
    assert created.json()["kinds"] == ["mission"]
    now = datetime.now(UTC)
    assert await can_approve_for(deputy, agent, now, kind="mission")
    assert not await can_approve_for(deputy, agent, now, kind="claim")
    assert not await can_approve_for(deputy, agent, now, kind="service_done")
    # claims may go to someone else over the same days; missions may not
    claims = await api.post(
        "/api/v1/me/delegations",
        headers=p["manager_a"].headers,
        json={"delegate_id": str(p["agent_a2"].user_id), "kinds": ["claim"], **_period()},
    )
    assert claims.status_code == 201, claims.text
    again = await api.post(
        "/api/v1/me/delegations",
        headers=p["manager_a"].headers,
        json={"delegate_id": str(p["head"].user_id), **_period()},
    )
    assert again.status_code == 409 and again.json()["code"] == "DELEGATION_OVERLAPS"
    unknown = await api.post(
        "/api/v1/me/delegations",
        headers=p["manager_a"].headers,
        json={"delegate_id": str(p["head"].user_id), "kinds": ["invoice"], **_period()},
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "VALIDATION_FAILED"
