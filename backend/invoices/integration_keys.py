"""API keys of the integration API, one or more per organisation (only SHA-256 stored).

In development, ``NOMADE_INTEGRATION_API_KEYS`` may seed keys: a comma-separated list of
``<organisation SIRET>=<key>``; a seeded key is stored hashed on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import cast
from uuid import UUID, uuid4

from backend.accounts import directory
from backend.invoices.rows import KeyRecord, RevokedKey
from backend.invoices.tables import IntegrationKey
from kernel.settings import get_settings

__all__ = ("active_key_count", "create_key", "hash_key", "issue_key", "key_known", "list_keys",
           "organisation_for_key", "revoke_key")


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def create_key(organisation_id: UUID, raw: str, *, name: str = "",
                     id: UUID | None = None) -> None:
    """Store a new key of the organisation (its hash)."""
    await IntegrationKey.insert(IntegrationKey(id=id or uuid4(), organisation=organisation_id,
                                               name=name, key_hash=hash_key(raw)))


async def key_known(raw: str) -> bool:
    """Whether the key was ever stored (active or revoked: a revoked key is never reissued)."""
    return bool(await IntegrationKey.exists().where(IntegrationKey.key_hash == hash_key(raw)))


async def issue_key(organisation_id: UUID, *, name: str = "") -> tuple[UUID, str]:
    """A new random key of the organisation: (its id, the key, to be shown once)."""
    key_id, raw = uuid4(), "nmd_" + secrets.token_urlsafe(32)
    await create_key(organisation_id, raw, name=name, id=key_id)
    return key_id, raw


async def list_keys(organisation_id: UUID) -> list[KeyRecord]:
    """The organisation's keys (id, name, created_at, revoked_at), newest first; never a key."""
    return cast(list[KeyRecord], await IntegrationKey.select(
        IntegrationKey.id, IntegrationKey.name, IntegrationKey.created_at,
        IntegrationKey.revoked_at,
    ).where(IntegrationKey.organisation == organisation_id).order_by(
        IntegrationKey.created_at, ascending=False))


async def active_key_count(organisation_id: UUID) -> int:
    """How many of the organisation's keys are not revoked."""
    return int(await IntegrationKey.count().where(
        (IntegrationKey.organisation == organisation_id) & IntegrationKey.revoked_at.is_null()))


async def revoke_key(organisation_id: UUID, key_id: UUID) -> RevokedKey | None:
    """Revoke one of the organisation's keys now; its row (name...), None if not an active key
    of the organisation."""
    rows = cast(list[RevokedKey], await IntegrationKey.update(
        {IntegrationKey.revoked_at: datetime.now(UTC)}
    ).where((IntegrationKey.id == key_id) & (IntegrationKey.organisation == organisation_id)
            & IntegrationKey.revoked_at.is_null()).returning(IntegrationKey.id,
                                                             IntegrationKey.name))
    return rows[0] if rows else None


async def organisation_for_key(raw: str) -> UUID | None:
    """The organisation owning the (non revoked) key, or None."""
    if not raw or len(raw) > 200:
        return None
    digest = hash_key(raw)
    row = await IntegrationKey.select(IntegrationKey.organisation, IntegrationKey.revoked_at).where(
        IntegrationKey.key_hash == digest).first()
    if row is not None:
        return None if row["revoked_at"] is not None else row["organisation"]
    for item in get_settings().integration_api_keys.split(","):
        siret, _, key = item.strip().partition("=")
        if key and hmac.compare_digest(key.strip(), raw):
            organisation_id = await directory.organisation_by_siret(siret.strip())
            if organisation_id is None:
                return None
            await create_key(organisation_id, raw, name="from settings")
            return organisation_id
    return None
