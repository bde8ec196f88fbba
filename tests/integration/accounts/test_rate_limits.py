"""Sign-in and PIN attempts are limited per account and per client address (15 minutes).

The limits come from the settings; these tests lower them to 3 so that they hash less.
"""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from kernel.settings import Settings, get_settings
from tests.factories import PASSWORD, make_org
from tests.integration.accounts.helpers import bearer, random_address, sign_in


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings with limits of 3 attempts, as the sign-in code and the routes read them."""
    settings = msgspec.structs.replace(
        get_settings(), login_attempts_per_15min=3, pin_attempts_per_15min=3
    )
    monkeypatch.setattr("backend.accounts.sessions.get_settings", lambda: settings)
    monkeypatch.setattr("backend.accounts.controllers.get_settings", lambda: settings)
    return settings


async def test_login_failures_lock_the_account_whatever_the_address(peer, small_limits) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    target = org.people["agent_a"].email
    limit = small_limits.login_attempts_per_15min
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


async def test_login_failures_lock_the_address_whatever_the_account(peer, small_limits) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    noisy = await peer()
    limit = small_limits.login_attempts_per_15min
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


async def test_forwarded_for_is_not_trusted_by_default(peer, small_limits) -> None:  # type: ignore[no-untyped-def]
    noisy = await peer()
    limit = small_limits.login_attempts_per_15min
    for index in range(limit + 1):
        response = await noisy.post(
            "/api/v1/auth/login",
            json={"email": f"x{index}@nowhere.invalid", "password": "guess"},
            headers={"X-Forwarded-For": f"198.51.100.{index + 1}"},
        )
    assert response.status_code == 429


async def test_forwarded_for_counts_per_forwarded_address_from_a_trusted_proxy(
    peer, small_limits: Settings
) -> None:  # type: ignore[no-untyped-def]
    """Out of the box, nginx on loopback is a trusted proxy: its right-most hop counts."""
    proxy = await peer("127.0.0.1")  # every request arrives from the shipped nginx
    limit = small_limits.login_attempts_per_15min
    suffix = random_address()
    for index in range(limit):
        response = await proxy.post(
            "/api/v1/auth/login",
            json={"email": f"y{index}@nowhere.invalid", "password": "guess"},
            headers={"X-Forwarded-For": f"{random_address()}, {suffix}"},  # left: spoofed
        )
        assert response.status_code == 401
    blocked = await proxy.post("/api/v1/auth/login", json={
        "email": "z@nowhere.invalid", "password": "guess"},
        headers={"X-Forwarded-For": suffix})
    assert blocked.status_code == 429
    other = await proxy.post("/api/v1/auth/login", json={
        "email": "z@nowhere.invalid", "password": "guess"},
        headers={"X-Forwarded-For": f"{suffix}, {random_address()}"})
    assert other.status_code == 401  # the last hop is what counts


async def test_ten_wrong_passwords_behind_nginx_do_not_lock_everyone_out(
    peer, small_limits: Settings
) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    proxy = await peer("127.0.0.1")
    attacker = random_address()
    for index in range(small_limits.login_attempts_per_15min + 2):
        await proxy.post("/api/v1/auth/login", json={
            "email": f"victim{index}@nowhere.invalid", "password": "guess"},
            headers={"X-Forwarded-For": attacker})
    locked = await proxy.post("/api/v1/auth/login", json={
        "email": org.people["agent_b"].email, "password": PASSWORD},
        headers={"X-Forwarded-For": attacker})
    assert locked.status_code == 429
    colleague = await proxy.post("/api/v1/auth/login", json={
        "email": org.people["agent_b"].email, "password": PASSWORD},
        headers={"X-Forwarded-For": random_address()})
    assert colleague.status_code == 200, colleague.text


async def test_trusted_proxies_can_be_emptied(
    peer, monkeypatch: pytest.MonkeyPatch, small_limits: Settings
) -> None:  # type: ignore[no-untyped-def]
    closed = msgspec.structs.replace(small_limits, trusted_proxies="")
    monkeypatch.setattr("backend.accounts.controllers.get_settings", lambda: closed)
    proxy = await peer("127.0.0.2")
    for index in range(closed.login_attempts_per_15min + 1):
        response = await proxy.post("/api/v1/auth/login", json={
            "email": f"w{index}@nowhere.invalid", "password": "guess"},
            headers={"X-Forwarded-For": random_address()})
    assert response.status_code == 429  # every attempt counted against the peer itself


async def _concurrent_wrong(peer, count: int, *, same_account: bool) -> list[int]:  # type: ignore[no-untyped-def]
    org = await make_org()
    one_address = await peer()

    async def guess(index: int) -> int:
        client = await peer() if same_account else one_address
        email = org.people["agent_a"].email if same_account else f"c{index}@nowhere.invalid"
        response = await client.post("/api/v1/auth/login",
                                     json={"email": email, "password": f"guess{index}"})
        return int(response.status_code)

    return list(await asyncio.gather(*[guess(index) for index in range(count)]))


@pytest.mark.parametrize("same_account", [True, False], ids=["account", "address"])
async def test_concurrent_wrong_passwords_are_checked_at_most_limit_times(
    peer, monkeypatch: pytest.MonkeyPatch, same_account: bool
) -> None:  # type: ignore[no-untyped-def]
    ten = msgspec.structs.replace(get_settings(), login_attempts_per_15min=10)
    monkeypatch.setattr("backend.accounts.sessions.get_settings", lambda: ten)
    statuses = await _concurrent_wrong(peer, 100, same_account=same_account)
    assert statuses.count(401) <= 10, statuses  # was 100 of 100 checked
    assert statuses.count(401) + statuses.count(429) == 100


async def _devices_with_pin(peer, email: str, count: int) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    sessions = []
    for _ in range(count):
        session = await sign_in(await peer(), email)
        await (await peer()).post("/api/v1/auth/pin", json={"pin": "1357"},
                                  headers=bearer(session))
        sessions.append(session)
    return sessions


async def _unlock(client, session: dict[str, str], pin: str):  # type: ignore[no-untyped-def]
    return await client.post("/api/v1/auth/unlock", json={
        "device_id": session["device_id"], "refresh_token": session["refresh_token"], "pin": pin})


async def test_pin_failures_are_limited_per_account_across_devices(peer, small_limits) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    assert small_limits.pin_attempts_per_15min == 3
    phone, tablet = await _devices_with_pin(peer, org.people["agent_a2"].email, 2)
    for session, pin in ((phone, "0000"), (phone, "0000"), (tablet, "0000")):
        response = await _unlock(await peer(), session, pin)
        assert response.json()["code"] == "PIN_WRONG"  # two and one: no device wiped
    locked = await _unlock(await peer(), tablet, "1357")
    assert locked.status_code == 429 and locked.json()["code"] == "RATE_LIMITED"
    assert int(locked.headers["retry-after"]) > 0


async def test_pin_failures_are_limited_per_address_across_accounts(peer, small_limits) -> None:  # type: ignore[no-untyped-def]
    org = await make_org()
    kiosk = await peer()
    people = ("agent_a", "agent_b", "manager_a")
    devices = [(await _devices_with_pin(peer, org.people[key].email, 1))[0] for key in people]
    for session in devices:
        assert (await _unlock(kiosk, session, "0000")).json()["code"] == "PIN_WRONG"
    extra = (await _devices_with_pin(peer, org.people["agent_a2"].email, 1))[0]
    locked = await _unlock(kiosk, extra, "1357")
    assert locked.status_code == 429 and locked.json()["code"] == "RATE_LIMITED"
    assert (await _unlock(await peer(), extra, "1357")).status_code == 200
