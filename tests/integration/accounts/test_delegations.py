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
    for delegate in (manager.user_id, other.people["manager_a"].user_id,
                     org.people["supplier"].user_id, org.id):
        response = await api.post("/api/v1/me/delegations", headers=manager.headers,
                                  json={"delegate_id": str(delegate), **_period()})
        assert response.status_code == 400 and response.json()["code"] == "DELEGATE_INVALID"
    colleague = str(org.people["manager_b"].user_id)
    for period in (_period(days=-1), _period(start_days=-10, days=2)):
        response = await api.post("/api/v1/me/delegations", headers=manager.headers,
                                  json={"delegate_id": colleague, **period})
        assert response.status_code == 400
        assert response.json()["code"] == "DELEGATION_PERIOD_INVALID"
    naive = await api.post("/api/v1/me/delegations", headers=manager.headers, json={
        "delegate_id": colleague, "starts_at": "2030-01-01T09:00:00",
        "ends_at": "2030-01-08T09:00:00"})
    assert naive.status_code == 400 and naive.json()["code"] == "VALIDATION_FAILED"
