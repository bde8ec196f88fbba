"""Account rows as the accounts services read them (``User`` / ``Device`` / ``Delegation``
selects of the columns named there); the one place their shape is written down."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict
from uuid import UUID

from kernel.actor import Role

__all__ = ("DelegationRecord", "DeviceRecord", "SignInUser", "UserRecord")


class UserRecord(TypedDict):
    """A person as the API shows them (``User`` without secrets nor timestamps)."""

    id: UUID
    email: str
    full_name: str
    role: Role
    language: str
    organisation: UUID | None
    unit: UUID | None
    supplier_company: UUID | None


class SignInUser(UserRecord):
    """A person as signing in reads them (``password_hash`` on the password sign-in only)."""

    is_active: bool


class DeviceRecord(TypedDict):
    """A signed-in device as refresh and unlock read it."""

    id: UUID
    user: UUID
    refresh_hash: str
    previous_refresh_hash: str
    refresh_expires_at: datetime
    revoked_at: datetime | None
    revoked_reason: str
    pin_hash: str
    refreshed_at: datetime


class DelegationRecord(TypedDict):
    """A delegation with both people's names."""

    id: UUID
    delegator: UUID
    delegate: UUID
    starts_at: datetime
    ends_at: datetime
    revoked_at: datetime | None
    kinds: str
    delegator_name: str
    delegate_name: str
