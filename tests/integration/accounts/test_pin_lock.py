"""A device with a PIN: a refresh reopens a LOCKED session that only the PIN unlocks (issue 15
item 4). Without the PIN, a copied refresh token reads and writes nothing."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx

from tests.factories import make_org
from tests.integration.accounts.helpers import bearer, sign_in


async def _refreshed(api: httpx.AsyncClient, session: dict[str, Any]) -> dict[str, Any]:
    response = await api.post("/api/v1/auth/refresh", json={
        "device_id": session["device_id"], "refresh_token": session["refresh_token"]})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _pull() -> dict[str, Any]:
    return {"client_id": str(uuid4()), "cookie": None, "limit": 50}


def _locked(response: httpx.Response) -> bool:
    return response.status_code == 423 and response.json()["code"] == "SESSION_LOCKED"


async def test_refresh_on_a_device_with_a_pin_is_locked_until_unlock(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    session = await sign_in(api, org.people["agent_a"].email)
    assert session["locked"] is False
    assert (await api.post("/api/v1/auth/pin", json={"pin": "2580"},
                           headers=bearer(session))).status_code == 204

    locked = await _refreshed(api, session)
    assert locked["locked"] is True
    headers = bearer(locked)
    pull = await api.post("/sync/v1/pull", headers=headers, json=_pull())
    assert _locked(pull), pull.text
    assert pull.json()["message"]  # FR/EN text the phone can show
    push = await api.post("/sync/v1/push", headers=headers, json={
        "client_id": str(uuid4()), "mutations": []})
    assert _locked(push), push.text
    assert _locked(await api.get("/api/v1/me", headers=headers))
    events = await api.get(f"/sync/v1/events?access_token={locked['access_token']}")
    assert _locked(events), events.text
    # a thief holding the refresh token cannot replace the PIN with one they know
    assert _locked(await api.post("/api/v1/auth/pin", json={"pin": "1111"}, headers=headers))
    assert (await api.get("/health", headers=headers)).status_code == 200
    # refreshing again does not open it either
    still = await _refreshed(api, locked)
    assert still["locked"] is True
    assert _locked(await api.get("/api/v1/me", headers=bearer(still)))

    wrong = await api.post("/api/v1/auth/unlock", json={
        "device_id": still["device_id"], "refresh_token": still["refresh_token"], "pin": "0000"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "PIN_WRONG"
    unlocked = await api.post("/api/v1/auth/unlock", json={
        "device_id": still["device_id"], "refresh_token": still["refresh_token"], "pin": "2580"})
    assert unlocked.status_code == 200, unlocked.text
    opened = unlocked.json()
    assert opened["locked"] is False
    pull = await api.post("/sync/v1/pull", headers=bearer(opened), json=_pull())
    assert pull.status_code == 200, pull.text
    assert (await api.get("/api/v1/me", headers=bearer(opened))).status_code == 200


async def test_a_locked_session_can_sign_out(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    session = await sign_in(api, org.people["agent_b"].email)
    await api.post("/api/v1/auth/pin", json={"pin": "97531"}, headers=bearer(session))
    locked = await _refreshed(api, session)
    out = await api.post("/api/v1/auth/logout", headers=bearer(locked))
    assert out.status_code == 204, out.text
    gone = await api.post("/api/v1/auth/unlock", json={
        "device_id": locked["device_id"], "refresh_token": locked["refresh_token"],
        "pin": "97531"})
    assert gone.status_code == 401 and gone.json()["code"] == "SESSION_EXPIRED"


async def test_five_wrong_pins_after_a_refresh_wipe_the_session(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    session = await sign_in(api, org.people["agent_a2"].email)
    await api.post("/api/v1/auth/pin", json={"pin": "123456"}, headers=bearer(session))
    locked = await _refreshed(api, session)
    unlock = {"device_id": locked["device_id"], "refresh_token": locked["refresh_token"]}
    codes = []
    for _ in range(5):
        response = await api.post("/api/v1/auth/unlock", json={**unlock, "pin": "654321"})
        codes.append(response.json()["code"])
    assert codes == ["PIN_WRONG"] * 4 + ["SESSION_WIPED"]
    right = await api.post("/api/v1/auth/unlock", json={**unlock, "pin": "123456"})
    assert right.json()["code"] == "SESSION_WIPED"
    again = await api.post("/api/v1/auth/refresh", json=unlock)
    assert again.status_code == 401 and again.json()["code"] == "SESSION_WIPED"


async def test_a_device_without_a_pin_refreshes_to_a_full_session(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    session = await sign_in(api, org.people["manager_a"].email)
    refreshed = await _refreshed(api, session)
    assert refreshed["locked"] is False
    pull = await api.post("/sync/v1/pull", headers=bearer(refreshed), json=_pull())
    assert pull.status_code == 200, pull.text
