"""Piccolo storage of the administration: supplier self-registrations and invitation links."""

from __future__ import annotations

from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ("Invitation", "SupplierRegistration")


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
