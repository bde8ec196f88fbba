"""The caller's account and devices; what other people's tokens cannot reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.accounts.services import as_utc
from backend.accounts.tables import Device
from tests.factories import make_org
from tests.integration.accounts.helpers import bearer, sign_in


async def test_me_shows_the_user_and_changes_the_language(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    session = await sign_in(api, org.people["manager_b"].email)
    me = await api.get("/api/v1/me", headers=bearer(session))
    assert me.json()["role"] == "manager" and me.json()["language"] == "fr"
    changed = await api.patch("/api/v1/me", json={"language": "en"}, headers=bearer(session))
    assert changed.status_code == 200 and changed.json()["language"] == "en"
    assert (await api.get("/api/v1/me", headers=bearer(session))).json()["language"] == "en"
    refused = await api.patch("/api/v1/me", json={"language": "de"}, headers=bearer(session))
    assert refused.status_code == 400 and refused.json()["code"] == "VALIDATION_FAILED"
    anonymous = await api.get("/api/v1/me")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "AUTH_REQUIRED"


async def test_devices_list_marks_the_current_one_and_revoke_signs_it_out(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    agent = org.people["agent_a"]
    phone = await sign_in(api, agent.email, device_name="Téléphone")
    tablet = await sign_in(api, agent.email, device_name="Tablette")
    listed = (await api.get("/api/v1/devices", headers=bearer(phone))).json()
    by_id = {d["id"]: d for d in listed}
    # the factory's device plus the two signed in here; nobody else's
    assert set(by_id) == {str(agent.device_id), phone["device_id"], tablet["device_id"]}
    assert [d["name"] for d in listed if d["current"]] == ["Téléphone"]
    assert by_id[tablet["device_id"]]["has_pin"] is False
    assert "Android" in by_id[tablet["device_id"]]["user_agent"]

    gone = await api.delete(f"/api/v1/devices/{tablet['device_id']}", headers=bearer(phone))
    assert gone.status_code == 204
    assert (await api.get("/api/v1/me", headers=bearer(tablet))).status_code == 401
    listed = (await api.get("/api/v1/devices", headers=bearer(phone))).json()
    assert tablet["device_id"] not in {d["id"] for d in listed}
    again = await api.delete(f"/api/v1/devices/{tablet['device_id']}", headers=bearer(phone))
    assert again.status_code == 404


async def test_nobody_can_revoke_or_see_another_users_device(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    supplier, agent = org.people["supplier"], org.people["agent_a"]
    admin = org.people["admin"]
    for intruder in (supplier, admin, org.people["manager_a"]):
        listed = (await api.get("/api/v1/devices", headers=intruder.headers)).json()
        assert str(agent.device_id) not in {d["id"] for d in listed}
        response = await api.delete(f"/api/v1/devices/{agent.device_id}", headers=intruder.headers)
        assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
    missing = await api.delete(f"/api/v1/devices/{org.id}", headers=supplier.headers)
    assert missing.json() == response.json()  # someone else's device looks like a missing one
    assert (await api.get("/api/v1/me", headers=agent.headers)).status_code == 200
    anonymous = await api.get("/api/v1/devices")
    assert anonymous.status_code == 401


async def test_last_seen_is_written_at_most_once_a_minute(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    agent = org.people["agent_b"]
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    await Device.update({Device.last_seen_at: long_ago}).where(Device.id == agent.device_id)
    await api.get("/api/v1/me", headers=agent.headers)
    row = await Device.select(Device.last_seen_at).where(Device.id == agent.device_id).first()
    assert row is not None
    assert as_utc(row["last_seen_at"]) > datetime.now(UTC) - timedelta(minutes=1)

    recently = datetime.now(UTC) - timedelta(seconds=30)
    await Device.update({Device.last_seen_at: recently}).where(Device.id == agent.device_id)
    await api.get("/api/v1/me", headers=agent.headers)
    row = await Device.select(Device.last_seen_at).where(Device.id == agent.device_id).first()
    assert row is not None and as_utc(row["last_seen_at"]) == recently
