"""Integration API keys of the admin's organisation: create (shown once), list, rotate, revoke.

Only their SHA-256 is stored (:mod:`backend.invoices.integration_keys`). Revoking the last
active key would cut the financial system off: refused (INTEGRATION_KEY_IN_USE) unless the
admin confirms; a rotation issues the new key and revokes the old in one transaction.
"""

from __future__ import annotations

from uuid import UUID

from backend.accounts.services import as_utc
from backend.administration.common import audit, organisation_of
from backend.administration.schemas import IntegrationKeyOut
from backend.invoices import integration_keys
from backend.invoices.rows import KeyRecord
from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.unit_of_work import UnitOfWork

__all__ = ("create_key", "list_keys", "revoke_key", "rotate_key")


def _out(row: KeyRecord, key: str | None = None) -> IntegrationKeyOut:
    return IntegrationKeyOut(
        id=row["id"], name=row["name"], created_at=as_utc(row["created_at"]),
        revoked_at=as_utc(row["revoked_at"]) if row["revoked_at"] is not None else None, key=key)


async def _one(organisation_id: UUID, key_id: UUID, key: str | None = None) -> IntegrationKeyOut:
    for row in await integration_keys.list_keys(organisation_id):
        if row["id"] == key_id:
            return _out(row, key)
    raise DomainError("NOT_FOUND")


async def list_keys(*, actor: Actor) -> list[IntegrationKeyOut]:
    return [_out(row) for row in await integration_keys.list_keys(organisation_of(actor))]


async def create_key(*, actor: Actor, name: str) -> IntegrationKeyOut:
    organisation_id = organisation_of(actor)
    async with UnitOfWork():
        key_id, raw = await integration_keys.issue_key(organisation_id, name=name)
        await audit(actor, "integration_key", key_id, "integration_key.created", {"name": name})
    return await _one(organisation_id, key_id, raw)


async def rotate_key(*, actor: Actor, key_id: UUID) -> IntegrationKeyOut:
    """A new key with the same name; the old one stops working at once."""
    organisation_id = organisation_of(actor)
    async with UnitOfWork():
        old = await integration_keys.revoke_key(organisation_id, key_id)
        if old is None:
            raise DomainError("NOT_FOUND")
        new_id, raw = await integration_keys.issue_key(organisation_id, name=old["name"])
        await audit(actor, "integration_key", key_id, "integration_key.rotated",
                    {"new_key_id": new_id})
    return await _one(organisation_id, new_id, raw)


async def revoke_key(*, actor: Actor, key_id: UUID, confirm_last: bool = False) -> None:
    organisation_id = organisation_of(actor)
    async with UnitOfWork():
        if not confirm_last and await integration_keys.active_key_count(organisation_id) <= 1:
            await _one(organisation_id, key_id)  # NOT_FOUND first for a stranger's key
            raise DomainError("INTEGRATION_KEY_IN_USE", {"key_id": str(key_id)})
        if await integration_keys.revoke_key(organisation_id, key_id) is None:
            raise DomainError("NOT_FOUND")
        await audit(actor, "integration_key", key_id, "integration_key.revoked")
