"""Piccolo storage of the accounts domain."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = (
    "AttemptCounter", "Delegation", "Device", "Organisation", "SupplierCompany", "Unit", "User",
)


class Organisation(Table, tablename="organisation"):
    """A public entity (ministry, local authority, hospital) that Nomade serves."""

    id = UUID(primary_key=True)
    name = Varchar(length=200)
    siret = Varchar(length=14, unique=True)
    code_service = Varchar(length=32, default="")
    # state | local | hospital | public_company: decides the legal payment deadline.
    kind = Varchar(length=32, default="state")
    created_at = Timestamptz(default=TimestamptzNow())


class Unit(Table, tablename="unit"):
    """A unit (service) of an organisation.

    The users with role ``manager`` in a unit are its managers: they decide for its agents. A
    manager's own requests go to the managers of the parent unit.
    """

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    name = Varchar(length=200)
    code_service = Varchar(length=32, default="")
    parent: ForeignKey[Unit] = ForeignKey(references="self", null=True)


class SupplierCompany(Table, tablename="supplier_company"):
    """A company (fournisseur) that invoices public entities, identified by its SIRET."""

    id = UUID(primary_key=True)
    name = Varchar(length=200)
    siret = Varchar(length=14, unique=True)


class User(Table, tablename="app_user"):
    """A person who signs in. ``role``: agent, manager, supplier, back_office or admin."""

    id = UUID(primary_key=True)
    email = Varchar(length=254, unique=True)
    full_name = Varchar(length=200)
    password_hash = Text()
    role = Varchar(length=16, index=True)
    organisation = ForeignKey(references=Organisation, null=True, index=True)
    unit = ForeignKey(references=Unit, null=True, index=True)
    supplier_company = ForeignKey(references=SupplierCompany, null=True, index=True)
    language = Varchar(length=2, default="fr")
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Delegation(Table, tablename="delegation"):
    """A manager's approvals delegated to a named person for a period (``ends_at`` excluded)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    delegator = ForeignKey(references=User, null=False, index=True)
    delegate = ForeignKey(references=User, null=False, index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    # The kinds of request lent, comma-separated (hierarchy.DELEGABLE_KINDS); "" every kind.
    kinds = Varchar(length=64, default="")


class Device(Table, tablename="device"):
    """A signed-in installation of the app: one session with rotating refresh tokens and a PIN."""

    id = UUID(primary_key=True)
    user = ForeignKey(references=User, null=False, index=True)
    name = Varchar(length=120, default="")
    user_agent = Varchar(length=400, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    refresh_hash = Varchar(length=64, default="")
    previous_refresh_hash = Varchar(length=64, default="")
    refresh_expires_at = Timestamptz(default=TimestamptzNow())
    # When the refresh token last rotated: the previous token stays usable for a short grace
    # after it, so a phone that lost the answer to its refresh is not signed out.
    refreshed_at = Timestamptz(default=TimestamptzNow())
    pin_hash = Text(default="")
    pin_failures = Integer(default=0)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=32, default="")


class AttemptCounter(Table, tablename="attempt_counter"):
    """Failed sign-in and PIN attempts in a fixed window, per account or client address, when
    no Redis is configured (:class:`kernel.ratelimit.DatabaseStore`)."""

    key = Varchar(length=300, primary_key=True)
    attempts = Integer(default=0)
    expires_at = Timestamptz(index=True)
