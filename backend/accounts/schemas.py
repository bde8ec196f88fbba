"""Wire types of the accounts API (msgspec)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from kernel.actor import Role

__all__ = (
    "DelegateOut",
    "DelegationIn",
    "DelegationOut",
    "DeviceOut",
    "LoginIn",
    "MePatch",
    "OnBehalfOut",
    "PinIn",
    "RefreshIn",
    "SessionOut",
    "UnlockIn",
    "UserOut",
)

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
RefreshToken = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
# The PIN's format (4–6 digits) is checked by the service, to answer PIN_INVALID_FORMAT.
Pin = Annotated[str, msgspec.Meta(max_length=64)]
Language = Literal["fr", "en"]


class LoginIn(msgspec.Struct, frozen=True, kw_only=True):
    """Sign in with email and password from a new device."""

    email: Email
    password: Password
    device_name: Annotated[str, msgspec.Meta(max_length=120)] | None = None


class RefreshIn(msgspec.Struct, frozen=True, kw_only=True):
    """Swap the device's refresh token for a new session (the token rotates)."""

    device_id: UUID
    refresh_token: RefreshToken


class PinIn(msgspec.Struct, frozen=True, kw_only=True):
    """Set (or replace) the PIN of the calling device: 4 to 6 digits."""

    pin: Pin


class UnlockIn(msgspec.Struct, frozen=True, kw_only=True):
    """Reopen the device's session with its PIN instead of the password."""

    device_id: UUID
    refresh_token: RefreshToken
    pin: Pin


class UserOut(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in user as the app shows them."""

    id: UUID
    email: str
    full_name: str
    role: Role
    language: str
    organisation_id: UUID | None
    unit_id: UUID | None
    supplier_company_id: UUID | None


class SessionOut(msgspec.Struct, frozen=True, kw_only=True):
    """A session: short-lived access token, the device's refresh token and who signed in."""

    access_token: str
    access_expires_at: datetime
    refresh_token: str
    device_id: UUID
    user: UserOut
    # True when the device has a PIN and the session was reopened without it (refresh): every
    # route but unlock and logout answers SESSION_LOCKED until /auth/unlock.
    locked: bool = False


class MePatch(msgspec.Struct, frozen=True, kw_only=True):
    """What a user may change about themselves."""

    language: Language


class DeviceOut(msgspec.Struct, frozen=True, kw_only=True):
    """One of the caller's signed-in devices."""

    id: UUID
    name: str
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    current: bool
    has_pin: bool


AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
#: hierarchy.DELEGABLE_KINDS as a wire type (a unit test keeps the two equal).
DelegableKind = Literal["mission", "claim", "service_done"]


class DelegationIn(msgspec.Struct, frozen=True, kw_only=True):
    """A manager lends their approvals to ``delegate_id`` from ``starts_at`` until ``ends_at``
    (excluded). Times need a time zone."""

    delegate_id: UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    #: The kinds of request lent (none: every kind).
    kinds: list[DelegableKind] = []


class DelegationOut(msgspec.Struct, frozen=True, kw_only=True):
    """A delegation given or received by the caller."""

    id: UUID
    delegator_id: UUID
    delegator_name: str
    delegate_id: UUID
    delegate_name: str
    starts_at: datetime
    ends_at: datetime
    revoked_at: datetime | None
    active: bool
    kinds: list[str] = []


class DelegateOut(msgspec.Struct, frozen=True, kw_only=True):
    """A colleague the caller may lend their approvals to."""

    id: UUID
    full_name: str
    role: str


class OnBehalfOut(msgspec.Struct, frozen=True, kw_only=True):
    """A person whose requests the caller decides as a delegate, and for whom (manager names)."""

    person_id: UUID
    managers: list[str]
