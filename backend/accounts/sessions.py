"""Sessions: sign-in, refresh-token rotation, device PIN and unlock, sign-out.

A session belongs to a device. It holds a short-lived access token (HMAC, see
:mod:`backend.accounts.tokens`) and a refresh token that rotates on every use; the device keeps
the hash of the current and of the previous refresh token. Presenting any token other than the
current one means a copy is being replayed, so the device is revoked (``refresh_reuse``).
A PIN (4–6 digits, argon2id) reopens the session without the password; the fifth wrong PIN in a
row wipes the device's session (``pin_failures``). On a device with a PIN, a refresh yields a
*locked* session (the access token says so, :mod:`backend.accounts.middleware` refuses it with
SESSION_LOCKED) until the PIN unlocks it. Sign-in and unlock failures are counted per
account and per client address (:mod:`kernel.ratelimit`).
"""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid4

from backend.accounts.device_check import device_revoked
from backend.accounts.passwords import hash_secret, verify_secret
from backend.accounts.rows import DeviceRecord, SignInUser
from backend.accounts.schemas import SessionOut
from backend.accounts.services import as_utc, normalise_email, user_out
from backend.accounts.tables import AttemptCounter, Device, User
from backend.accounts.tokens import hash_refresh, issue_access, new_refresh
from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.ratelimit import DatabaseStore, RateLimitStore, get_store, release, reserve
from kernel.settings import get_settings

__all__ = ("MAX_PIN_FAILURES", "announce_revoked", "deactivate_user", "end_sessions", "login",
           "logout", "refresh", "set_pin", "unlock")

MAX_PIN_FAILURES = 5
RATE_WINDOW_SECONDS = 15 * 60
_PIN = re.compile(r"[0-9]{4,6}")
_USER_COLUMNS = (
    User.id, User.email, User.full_name, User.role, User.language, User.organisation, User.unit,
    User.supplier_company, User.is_active,
)
_dummy_hash: str | None = None


async def _verify(stored_hash: str | None, candidate: str) -> bool:
    """argon2id verification off the event loop; an unknown account is checked against a dummy
    hash so that it takes as long as a known one."""
    global _dummy_hash
    if stored_hash is None:
        if _dummy_hash is None:
            _dummy_hash = await asyncio.to_thread(hash_secret, secrets.token_urlsafe(16))
        await asyncio.to_thread(verify_secret, _dummy_hash, candidate)
        return False
    return await asyncio.to_thread(verify_secret, stored_hash, candidate)


# --- rate limiting ----------------------------------------------------------------------------


def _store() -> RateLimitStore:
    """Redis when configured, else the database: counters every process shares."""
    return get_store(get_settings().redis_url, fallback=lambda: DatabaseStore(AttemptCounter))


async def _refuse_if_limited(store: RateLimitStore, keys: list[str], limit: int) -> None:
    for key in keys:
        window = await store.peek(key)
        if window.count >= limit:
            raise DomainError(
                "RATE_LIMITED",
                {"retry_after": window.retry_after},
                headers={"Retry-After": str(window.retry_after)},
            )


# --- issuing sessions -------------------------------------------------------------------------


def _printable(text: str, limit: int) -> str:
    """``text`` without control characters (PostgreSQL refuses NUL), cut to ``limit``."""
    return "".join(ch for ch in text if ch.isprintable()).strip()[:limit]


def _device_name(given: str | None, user_agent: str) -> str:
    if given and _printable(given, 120):
        return _printable(given, 120)
    for marker, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
                         ("Windows", "Windows"), ("Macintosh", "Mac"), ("Linux", "Linux")):
        if marker in user_agent:
            return name
    return ""


def _session(
    user: SignInUser, device_id: UUID, refresh_token: str, *, locked: bool = False
) -> SessionOut:
    settings = get_settings()
    now = time.time()
    ttl = settings.access_token_minutes * 60
    actor = Actor(
        user_id=user["id"], role=user["role"], device_id=device_id,
        organisation_id=user["organisation"], unit_id=user["unit"],
        supplier_company_id=user["supplier_company"], language=user["language"],
    )
    return SessionOut(
        access_token=issue_access(settings.secret_key, actor, ttl, now=now, locked=locked),
        access_expires_at=datetime.fromtimestamp(int(now + ttl), UTC),
        refresh_token=refresh_token,
        device_id=device_id,
        user=user_out(user),
        locked=locked,
    )


async def login(
    *, email: str, password: str, device_name: str | None, user_agent: str, client_address: str
) -> SessionOut:
    """Sign in with email and password: a new device and its first session.

    Wrong email and wrong password get the same INVALID_CREDENTIALS in about the same time.
    Raises RATE_LIMITED when the account or the address failed too often in 15 minutes.
    """
    settings = get_settings()
    address = normalise_email(email)
    store = _store()
    keys = [f"login:account:{address[:200]}", f"login:address:{client_address[:64]}"]
    # Counted before the check, atomically: concurrent guesses cannot all pass the limit.
    await reserve(store, keys, settings.login_attempts_per_15min, RATE_WINDOW_SECONDS)
    user = None
    if "\x00" not in address:  # no account has such an address (and PostgreSQL refuses NUL)
        user = await User.select(*_USER_COLUMNS, User.password_hash).where(
            User.email == address
        ).first()
    ok = await _verify(user["password_hash"] if user else None, password)
    if user is None or not ok or not user["is_active"]:
        raise DomainError("INVALID_CREDENTIALS")  # the failure stays counted
    await release(store, keys)
    device_id, token = uuid4(), new_refresh()
    now = datetime.now(UTC)
    await Device.insert(
        Device(
            id=device_id,
            user=user["id"],
            name=_device_name(device_name, user_agent),
            user_agent=_printable(user_agent, 400),
            created_at=now,
            last_seen_at=now,
            refresh_hash=hash_refresh(token),
            refresh_expires_at=now + timedelta(days=settings.refresh_token_days),
        )
    ).run()
    return _session(cast(SignInUser, user), device_id, token)


# --- refresh and unlock -----------------------------------------------------------------------

_DEVICE_COLUMNS = (
    Device.id, Device.user, Device.refresh_hash, Device.previous_refresh_hash,
    Device.refresh_expires_at, Device.revoked_at, Device.revoked_reason, Device.pin_hash,
    Device.refreshed_at,
)
# A refresh whose answer was lost on a bad network is retried with the token it spent: within
# this grace after the rotation the previous token rotates again instead of counting as reuse.
REFRESH_RETRY_GRACE = timedelta(seconds=60)


async def _revoke(device_id: UUID, reason: str) -> None:
    await Device.update(
        {Device.revoked_at: datetime.now(UTC), Device.revoked_reason: reason,
         Device.refresh_hash: "", Device.previous_refresh_hash: "", Device.pin_hash: ""}
    ).where((Device.id == device_id) & Device.revoked_at.is_null())
    await device_revoked(device_id)


async def end_sessions(user_id: UUID, reason: str) -> list[UUID]:
    """Revoke every signed-in device of ``user_id`` in the caller's transaction; announce the
    returned devices with :func:`announce_revoked` once it committed."""
    rows = await Device.update(
        {Device.revoked_at: datetime.now(UTC), Device.revoked_reason: reason,
         Device.refresh_hash: "", Device.previous_refresh_hash: "", Device.pin_hash: ""}
    ).where((Device.user == user_id) & Device.revoked_at.is_null()).returning(Device.id)
    return [row["id"] for row in rows]


async def announce_revoked(device_ids: list[UUID]) -> None:
    """Tell every process (and the device hooks: push subscriptions) that these devices are
    signed out."""
    for device_id in device_ids:
        await device_revoked(device_id)


async def deactivate_user(user_id: UUID, *, announce: bool = True) -> list[UUID]:
    """Deactivate an account: every device of it is signed out and refused at once, in every
    process (not when its access token expires). The one deactivation rule: the admin API calls
    it inside its transaction with ``announce=False`` and announces after commit."""
    await User.update({User.is_active: False}).where(User.id == user_id)
    ended = await end_sessions(user_id, "user_deactivated")
    if announce:
        await announce_revoked(ended)
    return ended


async def _device(device_id: UUID) -> DeviceRecord | None:
    return cast(DeviceRecord | None, await Device.select(*_DEVICE_COLUMNS).where(
        Device.id == device_id).first())


async def _live_device(device_id: UUID, refresh_token: str) -> DeviceRecord:
    """The device whose current refresh token is ``refresh_token``, or the refusal: unknown,
    revoked or expired → SESSION_EXPIRED (SESSION_WIPED after PIN failures); any other token
    (the previous one or older) → the device is revoked, REFRESH_REUSED — except the previous
    token within REFRESH_RETRY_GRACE of its rotation (a retry after a lost answer)."""
    device = await _device(device_id)
    if device is None:
        raise DomainError("SESSION_EXPIRED")
    if device["revoked_at"] is not None:
        if device["revoked_reason"] == "pin_failures":
            raise DomainError("SESSION_WIPED")
        raise DomainError("SESSION_EXPIRED")
    presented = hash_refresh(refresh_token)
    if not hmac.compare_digest(presented, device["refresh_hash"]) and not _rotated_just_now(
            device, presented):
        await _revoke(device_id, "refresh_reuse")
        raise DomainError("REFRESH_REUSED")
    if as_utc(device["refresh_expires_at"]) <= datetime.now(UTC):
        raise DomainError("SESSION_EXPIRED")
    return device


async def _rotate(
    device: DeviceRecord, extra: dict[Any, Any] | None = None, *, locked: bool = False
) -> SessionOut:
    """Replace the device's refresh token (the current one becomes the previous one)."""
    user = cast(SignInUser | None, await User.select(*_USER_COLUMNS).where(
        User.id == device["user"]).first())
    if user is None or not user["is_active"]:
        await _revoke(device["id"], "user_inactive")
        raise DomainError("SESSION_EXPIRED")
    token = new_refresh()
    now = datetime.now(UTC)
    changed = await Device.update(
        {
            Device.refresh_hash: hash_refresh(token),
            Device.previous_refresh_hash: device["refresh_hash"],
            Device.refresh_expires_at: now + timedelta(days=get_settings().refresh_token_days),
            Device.last_seen_at: now,
            Device.refreshed_at: now,
            **(extra or {}),
        }
    ).where(
        (Device.id == device["id"])
        & (Device.refresh_hash == device["refresh_hash"])
        & Device.revoked_at.is_null()
    ).returning(Device.id)
    if not changed:
        # Another request rotated this very token a moment ago (a page reloaded while its
        # renewal was in flight, two tabs at once): like a retry after a lost answer, the
        # spent token rotates again within the grace. Anything else is a reuse.
        fresh = await _device(device["id"])
        if fresh is not None and _rotated_just_now(fresh, device["refresh_hash"]):
            return await _rotate(fresh, extra, locked=locked)
        await _revoke(device["id"], "refresh_reuse")
        raise DomainError("REFRESH_REUSED")
    return _session(user, device["id"], token, locked=locked)


def _rotated_just_now(device: DeviceRecord, spent_hash: str) -> bool:
    """Whether ``spent_hash`` is the token the live device rotated within the retry grace."""
    return (device["revoked_at"] is None and bool(device["previous_refresh_hash"])
            and hmac.compare_digest(spent_hash, device["previous_refresh_hash"])
            and datetime.now(UTC) - as_utc(device["refreshed_at"]) <= REFRESH_RETRY_GRACE)


async def refresh(*, device_id: UUID, refresh_token: str) -> SessionOut:
    """A new session for the device; the refresh token rotates. Locked when the device has a
    PIN: the refresh token alone (a stolen phone's storage) does not open the account."""
    device = await _live_device(device_id, refresh_token)
    return await _rotate(device, locked=bool(device["pin_hash"]))


def _check_pin_format(pin: str) -> None:
    if not _PIN.fullmatch(pin):
        raise DomainError("PIN_INVALID_FORMAT", {"min_digits": 4, "max_digits": 6})


async def set_pin(*, actor: Actor, pin: str) -> None:
    """Set or replace the PIN of the caller's current device."""
    _check_pin_format(pin)
    pin_hash = await asyncio.to_thread(hash_secret, pin)
    await Device.update({Device.pin_hash: pin_hash, Device.pin_failures: 0}).where(
        (Device.id == actor.device_id) & (Device.user == actor.user_id)
    )


async def unlock(
    *, device_id: UUID, refresh_token: str, pin: str, client_address: str
) -> SessionOut:
    """A new session for the device after checking its PIN.

    Wrong PIN → PIN_WRONG with ``attempts_left``; the fifth in a row revokes the device
    (SESSION_WIPED). Failures also count against the account and the address (RATE_LIMITED).
    """
    settings = get_settings()
    store = _store()
    address_key = f"unlock:address:{client_address[:64]}"
    await _refuse_if_limited(store, [address_key], settings.pin_attempts_per_15min)
    _check_pin_format(pin)
    device = await _live_device(device_id, refresh_token)
    keys = [f"unlock:account:{device['user']}", address_key]
    if not device["pin_hash"]:
        raise DomainError("PIN_NOT_SET")
    await reserve(store, keys, settings.pin_attempts_per_15min, RATE_WINDOW_SECONDS)
    if await _verify(device["pin_hash"], pin):
        await release(store, keys)
        return await _rotate(device, {Device.pin_failures: 0})
    rows = await Device.update({Device.pin_failures: Device.pin_failures + 1}).where(
        Device.id == device_id
    ).returning(Device.pin_failures)
    failures = rows[0]["pin_failures"] if rows else MAX_PIN_FAILURES
    if failures >= MAX_PIN_FAILURES:
        await _revoke(device_id, "pin_failures")
        raise DomainError("SESSION_WIPED")
    raise DomainError("PIN_WRONG", {"attempts_left": MAX_PIN_FAILURES - failures})


async def logout(*, actor: Actor) -> None:
    """Sign the current device out (its tokens stop working at once)."""
    await _revoke(actor.device_id, "logout")
