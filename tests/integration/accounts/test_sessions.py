"""Signing in, refreshing, PIN unlock and signing out, as the phone app does them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from backend.accounts.tables import Device, User
from tests.factories import PASSWORD, make_org
from tests.integration.accounts.helpers import UA, bearer, sign_in


async def test_login_opens_a_session_on_a_new_device(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    agent = org.people["agent_a"]
    before = datetime.now(UTC)
    session = await sign_in(api, agent.email.upper(), device_name="Pixel de Léa")
    assert session["user"] == {
        "id": str(agent.user_id),
        "email": agent.email,
        "full_name": session["user"]["full_name"],
        "role": "agent",
        "language": "fr",
        "organisation_id": str(org.id),
        "unit_id": str(org.unit_ids[0]),
        "supplier_company_id": None,
    }
    expires = datetime.fromisoformat(session["access_expires_at"])
    assert expires.tzinfo is not None
    assert before + timedelta(minutes=14) < expires <= datetime.now(UTC) + timedelta(minutes=15)
    assert session["refresh_token"] and session["device_id"] != str(agent.device_id)

    me = await api.get("/api/v1/me", headers=bearer(session))
    assert me.status_code == 200 and me.json()["id"] == str(agent.user_id)
    device = await Device.select().where(Device.id == session["device_id"]).first()
    assert device is not None
    assert device["name"] == "Pixel de Léa" and device["user_agent"] == UA
    assert device["refresh_hash"] and session["refresh_token"] not in device["refresh_hash"]


async def test_wrong_password_and_unknown_email_get_the_same_answer(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    wrong = await api.post("/api/v1/auth/login",
                           json={"email": org.people["agent_a"].email, "password": "nope"})
    unknown = await api.post("/api/v1/auth/login",
                             json={"email": "nobody@nowhere.invalid", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    body = wrong.json()
    assert body["code"] == "INVALID_CREDENTIALS"
    assert body["message"]["fr"] and body["message"]["en"]


async def test_refresh_rotates_and_reuse_revokes_the_device(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    first = await sign_in(api, org.people["manager_a"].email)
    ask = {"device_id": first["device_id"], "refresh_token": first["refresh_token"]}
    second = await api.post("/api/v1/auth/refresh", json=ask)
    assert second.status_code == 200, second.text
    renewed = second.json()
    assert renewed["device_id"] == first["device_id"]
    assert renewed["refresh_token"] != first["refresh_token"]
    assert (await api.get("/api/v1/me", headers=bearer(renewed))).status_code == 200

    # two minutes later, past the retry grace, the stolen older token shows up
    await Device.update({Device.refreshed_at: datetime.now(UTC) - timedelta(minutes=2)}).where(
        Device.id == first["device_id"])
    replay = await api.post("/api/v1/auth/refresh", json=ask)
    assert replay.status_code == 401 and replay.json()["code"] == "REFRESH_REUSED"
    for session in (first, renewed):
        refused = await api.get("/api/v1/me", headers=bearer(session))
        assert refused.status_code == 401
    latest = await api.post("/api/v1/auth/refresh", json={
        "device_id": first["device_id"], "refresh_token": renewed["refresh_token"]})
    assert latest.status_code == 401 and latest.json()["code"] == "SESSION_EXPIRED"
    device = await Device.select(Device.revoked_reason).where(
        Device.id == first["device_id"]).first()
    assert device is not None and device["revoked_reason"] == "refresh_reuse"


async def test_expired_refresh_token_is_refused(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    session = await sign_in(api, org.people["agent_b"].email)
    past = datetime.now(UTC) - timedelta(seconds=1)
    await Device.update({Device.refresh_expires_at: past}).where(
        Device.id == session["device_id"])
    response = await api.post("/api/v1/auth/refresh", json={
        "device_id": session["device_id"], "refresh_token": session["refresh_token"]})
    assert response.status_code == 401 and response.json()["code"] == "SESSION_EXPIRED"


async def test_pin_format_is_checked(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    session = await sign_in(api, org.people["agent_a"].email)
    for bad in ("123", "1234567", "12a4", "", "١٢٣٤"):
        response = await api.post("/api/v1/auth/pin", json={"pin": bad}, headers=bearer(session))
        assert response.status_code == 400, bad
        assert response.json()["code"] == "PIN_INVALID_FORMAT"
    unsigned = await api.post("/api/v1/auth/pin", json={"pin": "1234"})
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "AUTH_REQUIRED"


async def test_pin_unlocks_the_session_without_the_password(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    session = await sign_in(api, org.people["supplier"].email)
    unlock = {"device_id": session["device_id"], "refresh_token": session["refresh_token"],
              "pin": "2468"}
    not_set = await api.post("/api/v1/auth/unlock", json=unlock)
    assert not_set.status_code == 400 and not_set.json()["code"] == "PIN_NOT_SET"

    assert (await api.post("/api/v1/auth/pin", json={"pin": "2468"},
                           headers=bearer(session))).status_code == 204
    devices = (await api.get("/api/v1/devices", headers=bearer(session))).json()
    assert [d["has_pin"] for d in devices if d["current"]] == [True]

    response = await api.post("/api/v1/auth/unlock", json=unlock)
    assert response.status_code == 200, response.text
    reopened = response.json()
    assert reopened["device_id"] == session["device_id"]
    assert reopened["user"]["supplier_company_id"] == str(org.supplier_company_id)
    assert (await api.get("/api/v1/me", headers=bearer(reopened))).status_code == 200
    # the refresh token rotated: past the retry grace, the one used to unlock is spent
    await Device.update({Device.refreshed_at: datetime.now(UTC) - timedelta(minutes=2)}).where(
        Device.id == session["device_id"])
    again = await api.post("/api/v1/auth/unlock", json=unlock)
    assert again.status_code == 401 and again.json()["code"] == "REFRESH_REUSED"


async def test_five_wrong_pins_wipe_the_device_session(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    session = await sign_in(api, org.people["agent_a2"].email)
    await api.post("/api/v1/auth/pin", json={"pin": "135790"}, headers=bearer(session))
    unlock = {"device_id": session["device_id"], "refresh_token": session["refresh_token"]}

    left = []
    for _ in range(4):
        response = await api.post("/api/v1/auth/unlock", json={**unlock, "pin": "000000"})
        assert response.status_code == 401 and response.json()["code"] == "PIN_WRONG"
        left.append(response.json()["details"]["attempts_left"])
    assert left == [4, 3, 2, 1]
    fifth = await api.post("/api/v1/auth/unlock", json={**unlock, "pin": "000000"})
    assert fifth.status_code == 401 and fifth.json()["code"] == "SESSION_WIPED"

    right = await api.post("/api/v1/auth/unlock", json={**unlock, "pin": "135790"})
    assert right.status_code == 401 and right.json()["code"] == "SESSION_WIPED"
    assert (await api.get("/api/v1/me", headers=bearer(session))).status_code == 401
    device = await Device.select(Device.revoked_reason, Device.pin_hash).where(
        Device.id == session["device_id"]).first()
    assert device == {"revoked_reason": "pin_failures", "pin_hash": ""}


async def test_a_right_pin_resets_the_wrong_pin_count(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    session = await sign_in(api, org.people["agent_b"].email)
    await api.post("/api/v1/auth/pin", json={"pin": "4321"}, headers=bearer(session))
    token = session["refresh_token"]
    for _ in range(3):
        wrong = await api.post("/api/v1/auth/unlock", json={
            "device_id": session["device_id"], "refresh_token": token, "pin": "9999"})
        assert wrong.json()["code"] == "PIN_WRONG"
    ok = await api.post("/api/v1/auth/unlock", json={
        "device_id": session["device_id"], "refresh_token": token, "pin": "4321"})
    assert ok.status_code == 200
    wrong = await api.post("/api/v1/auth/unlock", json={
        "device_id": session["device_id"], "refresh_token": ok.json()["refresh_token"],
        "pin": "9999"})
    assert wrong.json()["details"]["attempts_left"] == 4


async def test_logout_revokes_the_current_device_only(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    email = org.people["back_office"].email
    phone, laptop = await sign_in(api, email), await sign_in(api, email)
    response = await api.post("/api/v1/auth/logout", headers=bearer(phone))
    assert response.status_code == 204
    assert (await api.get("/api/v1/me", headers=bearer(phone))).status_code == 401
    refresh = await api.post("/api/v1/auth/refresh", json={
        "device_id": phone["device_id"], "refresh_token": phone["refresh_token"]})
    assert refresh.status_code == 401 and refresh.json()["code"] == "SESSION_EXPIRED"
    assert (await api.get("/api/v1/me", headers=bearer(laptop))).status_code == 200


async def test_control_characters_never_break_sign_in(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    odd = await api.post("/api/v1/auth/login",
                         json={"email": "a\u0000b@nowhere.invalid", "password": "x\u0000"})
    assert odd.status_code == 401 and odd.json()["code"] == "INVALID_CREDENTIALS"
    session = await sign_in(api, org.people["agent_a"].email, device_name="Mon\u0000 téléphone\n")
    device = await Device.select(Device.name).where(Device.id == session["device_id"]).first()
    assert device == {"name": "Mon téléphone"}


async def test_a_deactivated_user_can_neither_sign_in_nor_refresh(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    person = org.people["agent_b"]
    session = await sign_in(api, person.email)
    await User.update({User.is_active: False}).where(User.id == person.user_id)
    again = await api.post("/api/v1/auth/login",
                           json={"email": person.email, "password": PASSWORD})
    assert again.status_code == 401 and again.json()["code"] == "INVALID_CREDENTIALS"
    refresh = await api.post("/api/v1/auth/refresh", json={
        "device_id": session["device_id"], "refresh_token": session["refresh_token"]})
    assert refresh.status_code == 401 and refresh.json()["code"] == "SESSION_EXPIRED"
    assert (await api.get("/api/v1/me", headers=bearer(session))).status_code == 401


async def test_a_refresh_retried_after_a_lost_answer_keeps_the_session(api) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    first = await sign_in(api, org.people["agent_a"].email)
    ask = {"device_id": first["device_id"], "refresh_token": first["refresh_token"]}
    lost = await api.post("/api/v1/auth/refresh", json=ask)  # the phone never sees this answer
    assert lost.status_code == 200
    retry = await api.post("/api/v1/auth/refresh", json=ask)
    assert retry.status_code == 200, retry.text
    assert (await api.get("/api/v1/me", headers=bearer(retry.json()))).status_code == 200
    onwards = await api.post("/api/v1/auth/refresh", json={
        "device_id": first["device_id"], "refresh_token": retry.json()["refresh_token"]})
    assert onwards.status_code == 200, onwards.text


async def test_two_renewals_at_once_with_one_token_keep_the_session(api) -> None:  # type: ignore[no-untyped-def]
    """A page reloaded while its renewal is in flight sends the same refresh token twice at
    once: both get a session and the phone stays signed in (it was signed out, REFRESH_REUSED,
    when the second lost the race to rotate the token)."""
    org = await make_org()
    for _ in range(5):  # a race: a few rounds give it room to happen
        session = await sign_in(api, org.people["agent_a"].email)
        ask = {"device_id": session["device_id"], "refresh_token": session["refresh_token"]}
        answers = await asyncio.gather(*(api.post("/api/v1/auth/refresh", json=ask)
                                         for _ in range(2)))
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        for answer in answers:
            assert (await api.get("/api/v1/me", headers=bearer(answer.json()))).status_code == 200
        device = await Device.select(Device.revoked_at).where(
            Device.id == session["device_id"]).first()
        assert device is not None and device["revoked_at"] is None
