"""Piccolo storage of the administration: supplier self-registrations and invitation links."""

from __future__ import annotations

from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ("Invitation", "PlatformOrganisation", "SupplierAdmin", "SupplierRegistration")


class SupplierRegistration(Table, tablename="supplier_registration"):
    """A supplier asking for an account with its SIRET (demande d'inscription), until an admin
    approves or refuses it. The password chosen is kept hashed, for the account approval makes."""

    id = UUID(primary_key=True)
    siret = Varchar(length=14, index=True)
    company_name = Varchar(length=200)
    email = Varchar(length=254, index=True)
    full_name = Varchar(length=200)
    language = Varchar(length=2, default="fr")
    password_hash = Text()
    status = Varchar(length=16, default="pending", index=True)  # pending | approved | refused
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    decided_by = UUID(null=True, default=None)
    user = UUID(null=True, default=None)
    supplier_company = UUID(null=True, default=None)


class Invitation(Table, tablename="invitation"):
    """A link that lets a person choose their password once (only the token's SHA-256 kept)."""

    id = UUID(primary_key=True)
    user = UUID(index=True)
    token_hash = Varchar(length=64, unique=True)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class SupplierAdmin(Table, tablename="supplier_admin"):
    """A supplier user who administers their own company (administrateur fournisseur): they
    approve or refuse the later registration requests for its SIRET. ``id`` is the user's id."""

    id = UUID(primary_key=True)
    supplier_company = UUID(index=True)
    granted_by = UUID(null=True, default=None)
    granted_at = Timestamptz(default=TimestamptzNow())


class PlatformOrganisation(Table, tablename="platform_organisation"):
    """The organisation that runs the platform (marked by ``nomade init``): its admins may create
    other organisations. ``id`` is the organisation's id."""

    id = UUID(primary_key=True)
    marked_at = Timestamptz(default=TimestamptzNow())
