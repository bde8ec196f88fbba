"""Who is calling: the authenticated actor attached to every guarded request."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec

__all__ = ("ROLES", "Actor", "Role")

Role = Literal["agent", "manager", "supplier", "back_office", "admin"]
ROLES: tuple[Role, ...] = ("agent", "manager", "supplier", "back_office", "admin")


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in user and the device they act from (``request.user``)."""

    user_id: UUID
    role: Role
    device_id: UUID
    organisation_id: UUID | None = None
    unit_id: UUID | None = None
    supplier_company_id: UUID | None = None
    language: str = "fr"

    @property
    def is_staff(self) -> bool:
        """Agents and managers: the organisation's own people (managers travel too)."""
        return self.role in ("agent", "manager")
