"""API keys of the integration API, one or more per organisation (only SHA-256 stored).

In development, ``NOMADE_INTEGRATION_API_KEYS`` may seed keys: a comma-separated list of
``<organisation SIRET>=<key>``; a seeded key is stored hashed on first use.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID, uuid4

from backend.accounts.tables import Organisation
from backend.invoices.tables import IntegrationKey
from backend.settings import get_settings

__all__ = ("create_key", "hash_key", "organisation_for_key")


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def create_key(organisation_id: UUID, raw: str, *, name: str = "") -> None:
    """Store a new key of the organisation (its hash)."""
    await IntegrationKey.insert(IntegrationKey(id=uuid4(), organisation=organisation_id,
                                               name=name, key_hash=hash_key(raw)))


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
            org = await Organisation.select(Organisation.id).where(
                Organisation.siret == siret.strip()).first()
            if org is None:
                return None
            await create_key(org["id"], raw, name="from settings")
            return org["id"]  # type: ignore[no-any-return]
    return None
