"""Sign-in and PIN attempts are limited per account and per client address (15 minutes)."""

from __future__ import annotations

from backend.settings import get_settings
from tests.factories import PASSWORD, make_org
from tests.integration.accounts.helpers import bearer, sign_in


async def test_login_failures_lock_the_account_whatever_the_address(peer) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    target = org.people["agent_a"].email
    limit = get_settings().login_attempts_per_15min
    for _ in range(limit):  # each failure from its own address: only the account adds up
        response = await (await peer()).post(
            "/api/v1/auth/login", json={"email": target, "password": "guess"})
        assert response.json()["code"] == "INVALID_CREDENTIALS"
    locked = await (await peer()).post(
        "/api/v1/auth/login", json={"email": target, "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["code"] == "RATE_LIMITED"
    retry_after = int(locked.headers["retry-after"])
    assert 0 < retry_after <= 15 * 60
    assert locked.json()["details"]["retry_after"] == retry_after
    # another account is not affected
    await sign_in(await peer(), org.people["agent_b"].email)


async def test_login_failures_lock_the_address_whatever_the_account(peer) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    noisy = await peer()
    limit = get_settings().login_attempts_per_15min
    for index in range(limit):
        response = await noisy.post("/api/v1/auth/login", json={
            "email": f"someone{index}@nowhere.invalid", "password": "guess"})
        assert response.status_code == 401
    locked = await noisy.post("/api/v1/auth/login", json={
        "email": org.people["manager_a"].email, "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["code"] == "RATE_LIMITED"
    assert int(locked.headers["retry-after"]) > 0
    # the same person from another address signs in
    await sign_in(await peer(), org.people["manager_a"].email)


async def test_forwarded_for_is_not_trusted_by_default(peer) -> None:  # type: ignore[no-untyped-def]
    noisy = await peer()
    limit = get_settings().login_attempts_per_15min
    for index in range(limit + 1):
        response = await noisy.post(
            "/api/v1/auth/login",
            json={"email": f"x{index}@nowhere.invalid", "password": "guess"},
            headers={"X-Forwarded-For": f"198.51.100.{index + 1}"},
        )
    assert response.status_code == 429


async def test_pin_failures_are_limited_per_account_across_devices(peer) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    email = org.people["agent_a2"].email
    limit = get_settings().pin_attempts_per_15min
    sessions = []
    for _ in range(limit // 4 + 1):
        session = await sign_in(await peer(), email)
        await (await peer()).post("/api/v1/auth/pin", json={"pin": "1357"},
                                  headers=bearer(session))
        sessions.append(session)
    failures = 0
    for session in sessions:  # four wrong PINs per device: none is wiped, the account adds up
        for _ in range(4):
            if failures == limit:
                break
            response = await (await peer()).post("/api/v1/auth/unlock", json={
                "device_id": session["device_id"], "refresh_token": session["refresh_token"],
                "pin": "0000"})
            assert response.json()["code"] == "PIN_WRONG"
            failures += 1
    last = sessions[-1]
    locked = await (await peer()).post("/api/v1/auth/unlock", json={
        "device_id": last["device_id"], "refresh_token": last["refresh_token"], "pin": "1357"})
    assert locked.status_code == 429 and locked.json()["code"] == "RATE_LIMITED"
    assert int(locked.headers["retry-after"]) > 0
