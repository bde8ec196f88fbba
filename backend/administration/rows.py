"""Rows the administration services read (organisations, units, people, supplier requests,
integration keys), as their selects name the columns; the one place their shape is written
down."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict
from uuid import UUID

import msgspec

from kernel.actor import Role

__all__ = ("OrganisationRecord", "PersonRecord", "RegistrationAudit",
           "RegistrationRecord", "SupplierCompanyRecord", "UnitRecord")


class OrganisationRecord(TypedDict):
    """An ``organisation`` row."""

    id: UUID
    name: str
    siret: str
    code_service: str
    kind: str
    created_at: datetime


class UnitRecord(TypedDict):
    """A unit of the tree (``parent`` None at the top)."""

    id: UUID
    name: str
    code_service: str
    parent: UUID | None


class PersonRecord(TypedDict):
    """A person as the administration lists them."""

    id: UUID
    email: str
    full_name: str
    role: Role
    unit: UUID | None
    language: str
    is_active: bool
    supplier_company: UUID | None
    organisation: UUID | None


class SupplierCompanyRecord(TypedDict):
    """A ``supplier_company`` row."""

    id: UUID
    name: str
    siret: str


class RegistrationRecord(TypedDict):
    """A ``supplier_registration`` row: a supplier's request for an account."""

    id: UUID
    siret: str
    company_name: str
    email: str
    full_name: str
    language: str
    password_hash: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: UUID | None
    user: UUID | None
    supplier_company: UUID | None


class RegistrationAudit(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What the audit entry of a decided request records: the SIRET, and for an approval the
    account and company opened (``company_created`` when the request made it); unset fields
    are left out of the entry."""

    siret: str
    user_id: UUID | None = None
    supplier_company_id: UUID | None = None
    company_created: bool | None = None

